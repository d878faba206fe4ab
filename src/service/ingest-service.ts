/**
 * Batched ingest shared by every network entry point (gRPC, HTTP): validate each event of
 * a batch, process the valid ones, report every invalid one with its index, and recognise
 * a batch that was already processed so an at-least-once sender never double-counts.
 *
 * @module
 */
import { InvalidEventError } from '../core/errors';
import type { MarketEvent } from '../core/events';
import { IngestStats } from '../core/ingest-stats';
import { tryParseEvent, validateEvent } from '../core/validate';

/** One rejected event of a batch. */
export interface BatchEventError {
  /** Position of the event in its batch. */
  index: number;
  error: InvalidEventError;
}

/** Outcome of one batch. */
export interface IngestResult {
  source: string;
  sequence: number;
  accepted: number;
  rejected: number;
  errors: BatchEventError[];
  /** True when this (source, sequence) had been processed before; nothing was done. */
  duplicate: boolean;
}

/** Options of {@link IngestService}. */
export interface IngestServiceOptions {
  /** Receives the valid events of each batch, in order (usually the app's pipeline). */
  sink: (events: MarketEvent[]) => void;
  /** Counters shared with the rest of the process. */
  stats?: IngestStats;
  /** Largest batch accepted, in events (larger ones are rejected whole). Default 100,000. */
  maxBatchEvents?: number;
  /** Out-of-order sequences remembered per source above its contiguous prefix. Default 4,096. */
  dedupWindow?: number;
  /**
   * Events stamped further than this ahead of the wall clock are rejected (field `ts`), µs.
   * Default 24 h. One event from a broken clock would otherwise move the engine's watermark
   * into the future and make every later, correct event look late. Live feeds only: file
   * replay does not look at the wall clock.
   */
  maxFutureSkewUs?: number;
  /** Wall clock, epoch µs (for tests). */
  clockUs?: () => number;
}

/** Default {@link IngestServiceOptions.maxFutureSkewUs}: one day. */
export const DEFAULT_MAX_FUTURE_SKEW_US = 86_400_000_000;

/** A batch that could not be taken at all. */
export class BatchRejectedError extends Error {
  override readonly name = 'BatchRejectedError';
  constructor(
    readonly field: string,
    readonly value: unknown,
    readonly reason: string,
  ) {
    super(`batch rejected: ${field} = ${String(value)}: ${reason}`);
  }
}

/** Which batch sequences of each source have been processed. */
class ProcessedBatches {
  /** Every sequence ≤ this has been processed. */
  private contiguous = 0;
  /** Processed sequences above `contiguous`, bounded by the dedup window. */
  private readonly above = new Set<number>();

  constructor(private readonly window: number) {}

  has(sequence: number): boolean {
    return sequence <= this.contiguous || this.above.has(sequence);
  }

  add(sequence: number): void {
    if (sequence <= this.contiguous) return;
    this.above.add(sequence);
    while (this.above.delete(this.contiguous + 1)) this.contiguous++;
    if (this.above.size > this.window) {
      // A sender skipping sequences for ever: treat the oldest gap as closed rather than
      // grow without bound (a batch that old would be a replay from before the window).
      const lowest = Math.min(...this.above);
      this.contiguous = lowest;
      this.above.delete(lowest);
      while (this.above.delete(this.contiguous + 1)) this.contiguous++;
    }
  }
}

/**
 * Validates and deduplicates batches, then hands valid events to the sink.
 *
 * @example
 * ```ts
 * const ingest = new IngestService({ sink: (events) => engine.processBatch(events) });
 * const r = ingest.ingest('venue-a', 1, decodedEvents);
 * console.log(r.accepted, r.rejected, r.errors[0]?.error.field);
 * ```
 */
export class IngestService {
  readonly stats: IngestStats;
  private readonly sink: (events: MarketEvent[]) => void;
  private readonly maxBatchEvents: number;
  private readonly dedupWindow: number;
  private readonly maxFutureSkewUs: number;
  private readonly clockUs: () => number;
  private readonly processed = new Map<string, ProcessedBatches>();
  private readonly duplicates = new Map<string, number>();

  constructor(options: IngestServiceOptions) {
    this.sink = options.sink;
    this.stats = options.stats ?? new IngestStats();
    this.maxBatchEvents = options.maxBatchEvents ?? 100_000;
    this.dedupWindow = options.dedupWindow ?? 4_096;
    this.maxFutureSkewUs = options.maxFutureSkewUs ?? DEFAULT_MAX_FUTURE_SKEW_US;
    this.clockUs = options.clockUs ?? (() => Date.now() * 1000);
  }

  /**
   * Ingests one batch. `sequence` 0 means "not numbered": never deduplicated.
   *
   * @throws {@link BatchRejectedError} when the batch as a whole is unacceptable (no
   * source, bad sequence, too many events); individual bad events never throw.
   */
  ingest(source: string, sequence: number, raws: readonly unknown[]): IngestResult {
    if (typeof source !== 'string' || source.length === 0 || source.length > 256) {
      throw new BatchRejectedError('source', source, 'expected a non-empty name of at most 256 characters');
    }
    if (!Number.isSafeInteger(sequence) || sequence < 0) {
      throw new BatchRejectedError('sequence', sequence, 'expected a non-negative integer');
    }
    if (raws.length > this.maxBatchEvents) {
      throw new BatchRejectedError(
        'events',
        raws.length,
        `more than ${this.maxBatchEvents} events in one batch`,
      );
    }
    let batches = this.processed.get(source);
    if (batches === undefined) {
      batches = new ProcessedBatches(this.dedupWindow);
      this.processed.set(source, batches);
    }
    if (sequence > 0 && batches.has(sequence)) {
      this.duplicates.set(source, (this.duplicates.get(source) ?? 0) + 1);
      return { source, sequence, accepted: 0, rejected: 0, errors: [], duplicate: true };
    }
    const events: MarketEvent[] = [];
    const errors: BatchEventError[] = [];
    const latest = this.clockUs() + this.maxFutureSkewUs;
    for (let i = 0; i < raws.length; i++) {
      const raw = raws[i];
      let event = tryParseEvent(raw);
      if (event === undefined) {
        const result = validateEvent(raw, `${source}#${sequence}[${i}]`);
        if (!result.ok) {
          this.stats.reject(source, result.errors);
          for (const error of result.errors) errors.push({ index: i, error });
          continue;
        }
        event = result.event;
      }
      if (event.ts > latest) {
        const error = new InvalidEventError(
          'ts',
          event.ts,
          `${((event.ts - latest + this.maxFutureSkewUs) / 3.6e9).toFixed(1)} h ahead of the wall clock; at most ${(this.maxFutureSkewUs / 3.6e9).toFixed(1)} h allowed`,
          `${source}#${sequence}[${i}]`,
        );
        this.stats.reject(source, [error]);
        errors.push({ index: i, error });
        continue;
      }
      events.push(event);
    }
    this.stats.accept(source, events.length);
    if (events.length > 0) this.sink(events);
    if (sequence > 0) batches.add(sequence);
    return {
      source,
      sequence,
      accepted: events.length,
      rejected: raws.length - events.length,
      errors,
      duplicate: false,
    };
  }

  /** Batches recognised as already processed, per source. */
  duplicateBatches(): Record<string, number> {
    return Object.fromEntries(this.duplicates);
  }

  /** Forgets sequences and counters (a full reset of the pipeline). */
  clear(): void {
    this.processed.clear();
    this.duplicates.clear();
    this.stats.clear();
  }
}
