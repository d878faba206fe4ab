/**
 * A one-line progress bar on stderr with throughput, drawn only on a terminal.
 *
 * @module
 */
import type { CliIo } from './io';

const WIDTH = 24;

/** Draws `label [#####-----] 45%  1.20M events  812k events/s` at most every 100 ms. */
export class ProgressBar {
  private lastDraw = 0;
  private drawn = false;

  constructor(
    private readonly io: CliIo,
    private readonly label: string,
  ) {}

  /** Redraws when enough time passed. `fraction` NaN draws no bar. */
  update(fraction: number, events: number, elapsedMs: number, force = false): void {
    if (!this.io.isTTY) return;
    const now = performance.now();
    if (!force && now - this.lastDraw < 100) return;
    this.lastDraw = now;
    const rate = elapsedMs > 0 ? (events / elapsedMs) * 1000 : 0;
    let bar = '';
    if (Number.isFinite(fraction)) {
      const f = Math.min(1, Math.max(0, fraction));
      const filled = Math.round(f * WIDTH);
      bar = ` [${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}] ${String(Math.round(f * 100)).padStart(3)}%`;
    }
    this.io.err(`\r${this.label}${bar}  ${compact(events)} events  ${compact(rate)} events/s\u001b[K`);
    this.drawn = true;
  }

  /** Ends the line so later output starts on a fresh one. */
  done(): void {
    if (this.drawn) this.io.err('\n');
    this.drawn = false;
  }
}

/** `1234567` → `1.23M`. */
export function compact(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)}G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return String(Math.round(n));
}
