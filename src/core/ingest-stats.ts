/**
 * Per-source accounting of what came in and what was rejected at the edge. A bad event
 * is counted and kept (the most recent few, for reports), never thrown into the engine.
 *
 * @module
 */
import type { InvalidEventError } from './errors';

/** Counters of one source (`file:trades.jsonl`, `grpc`, `fix:VENUE1`). */
export interface SourceCounters {
  accepted: number;
  rejected: number;
  /** Rejections per offending field (`price`, `kind`, `(line)`). */
  rejectedByField: Record<string, number>;
}

/** A snapshot of {@link IngestStats}. */
export interface IngestReport {
  sources: Record<string, SourceCounters>;
  /** Most recent rejections, oldest first, at most `keepRecent`. */
  recent: { source: string; error: ReturnType<InvalidEventError['toJSON']> }[];
}

/**
 * Counts accepted and rejected events per source and keeps the latest rejections.
 *
 * @example
 * ```ts
 * const stats = new IngestStats();
 * const r = validateEvent(raw);
 * if (r.ok) { stats.accept('grpc'); engine.process(r.event); }
 * else stats.reject('grpc', r.errors);
 * console.log(stats.report().sources.grpc.rejected);
 * ```
 */
export class IngestStats {
  private readonly sources = new Map<string, SourceCounters>();
  private readonly recent: { source: string; error: InvalidEventError }[] = [];

  /** @param keepRecent - how many of the latest rejections to keep for reports */
  constructor(private readonly keepRecent = 100) {}

  private counters(source: string): SourceCounters {
    let c = this.sources.get(source);
    if (c === undefined) {
      c = { accepted: 0, rejected: 0, rejectedByField: {} };
      this.sources.set(source, c);
    }
    return c;
  }

  /** Counts `n` accepted events from `source`. */
  accept(source: string, n = 1): void {
    this.counters(source).accepted += n;
  }

  /** Counts one rejected event from `source`, with every error it had. */
  reject(source: string, errors: readonly InvalidEventError[]): void {
    const c = this.counters(source);
    c.rejected++;
    for (const error of errors) {
      c.rejectedByField[error.field] = (c.rejectedByField[error.field] ?? 0) + 1;
    }
    const first = errors[0];
    if (first !== undefined && this.keepRecent > 0) {
      if (this.recent.length >= this.keepRecent) this.recent.shift();
      this.recent.push({ source, error: first });
    }
  }

  /** Total rejected events over all sources. */
  get rejectedTotal(): number {
    let n = 0;
    for (const c of this.sources.values()) n += c.rejected;
    return n;
  }

  /** Total accepted events over all sources. */
  get acceptedTotal(): number {
    let n = 0;
    for (const c of this.sources.values()) n += c.accepted;
    return n;
  }

  /** A plain-data copy of the counters and recent rejections. */
  report(): IngestReport {
    const sources: Record<string, SourceCounters> = {};
    for (const [name, c] of this.sources) {
      sources[name] = { ...c, rejectedByField: { ...c.rejectedByField } };
    }
    return {
      sources,
      recent: this.recent.map((r) => ({ source: r.source, error: r.error.toJSON() })),
    };
  }

  /** Forgets every count. */
  clear(): void {
    this.sources.clear();
    this.recent.length = 0;
  }
}
