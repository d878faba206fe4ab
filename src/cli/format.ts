/**
 * Human-readable renderings shared by CLI commands.
 *
 * @module
 */
import type { Signal } from '../core/signal';
import { formatTs } from '../core/time';

/** One line per signal: time, severity, detector, instrument, score, explanation. */
export function formatSignal(s: Signal): string {
  return `${formatTs(s.window.end)}  ${s.severity.toUpperCase().padEnd(6)} ${s.typology.padEnd(18)} ${s.instrument}@${s.venue}  score ${s.score.toFixed(2)}  ${s.explanation}`;
}

/** A fixed-width text table. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** A number with a sensible number of digits for a table. */
export function num(n: number, digits = 2): string {
  if (!Number.isFinite(n)) return '-';
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}
