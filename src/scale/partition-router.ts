/**
 * Routing one stream to partition engines so that together they produce exactly the
 * signals of one engine over the whole stream.
 *
 * State is keyed by instrument, so events go to `partitionOf(instrument, n)`. What a
 * partition cannot see by itself is the clock: windows close on event-time ticks, and the
 * ticks of a single engine are driven by every instrument's events. The router therefore
 * keeps the stream's watermark and tick schedule (the engine's own rule) and sends each
 * partition, besides its events, a clock operation whenever the stream crosses a tick
 * boundary. A partition engine replays those operations with `observeTime`/`processAt`
 * and so calls `onTime` at the same event times, with the same `ctx.now`, as one engine.
 *
 * @module
 */
import type { MarketEvent } from '../core/events';
import { partitionOf } from '../core/ids';
import type { Detector } from '../engine/detector';
import { DEFAULT_FLUSH_HORIZON_US, DEFAULT_TICK_INTERVAL_US, type Engine } from '../engine/engine';

/** One step of a partition's input, in the order the partition must apply it. */
export type PartitionOp =
  /** An event of this partition; `now` is the stream's watermark counting it (`now >= event.ts`). */
  | { kind: 'event'; event: MarketEvent; now: number }
  /** The stream's clock crossed a tick boundary at `now` through another partition's event. */
  | { kind: 'clock'; now: number }
  /** The stream's clock was advanced without an event (heartbeat or end of stream). */
  | { kind: 'advance'; ts: number };

/** Receives the router's output: `step` numbers the router's inputs (0, 1, 2, …). */
export type PartitionSink = (partition: number, op: PartitionOp, step: number) => void;

/** Options of {@link PartitionRouter}; tick interval, flush horizon and lateness bound must equal the engines'. */
export interface PartitionRouterOptions {
  tickIntervalUs?: number;
  flushHorizonUs?: number;
  latenessUs?: number;
}

/** The router's clock, for checkpoints of a publisher. */
export interface RouterClock {
  watermark: number | null;
  nextTickTs: number | null;
  step: number;
}

/** A detector keeps state across instruments, so it cannot run on a partition of them. */
export class PartitioningError extends Error {
  constructor(
    readonly detectors: readonly string[],
    readonly partitions: number,
  ) {
    super(
      `cannot split the engine into ${partitions} partitions: detector(s) ${detectors.join(', ')} ` +
        'declare spansInstruments (their state spans instruments); run them on a single engine',
    );
    this.name = 'PartitioningError';
  }
}

/**
 * Throws {@link PartitioningError} when any detector declares `spansInstruments` and the
 * engine is to be split into more than one partition.
 */
export function assertPartitionable(detectors: readonly Detector[], partitions: number): void {
  if (partitions <= 1) return;
  const spanning = detectors.filter((d) => d.spansInstruments === true).map((d) => d.id);
  if (spanning.length > 0) throw new PartitioningError(spanning, partitions);
}

/** Checks a partition count: a positive integer. */
export function checkPartitionCount(partitions: number): number {
  if (!Number.isInteger(partitions) || partitions < 1 || partitions > 4096) {
    throw new RangeError(`partitions must be an integer from 1 to 4096, got ${partitions}`);
  }
  return partitions;
}

/**
 * Splits a stream into per-partition operation sequences.
 *
 * @example
 * ```ts
 * const engines = [0, 1].map(() => createEngine({ detectors: createDetectors() }));
 * const router = new PartitionRouter(2, (p, op) => applyPartitionOp(engines[p], op));
 * for (const e of events) router.route(e);
 * router.flush();
 * ```
 */
export class PartitionRouter {
  private readonly tickIntervalUs: number;
  private readonly flushHorizonUs: number;
  private readonly latenessUs: number;
  private watermark = Number.NaN;
  private nextTickTs = Number.NEGATIVE_INFINITY;
  private step = 0;

  constructor(
    readonly partitions: number,
    private readonly sink: PartitionSink,
    options: PartitionRouterOptions = {},
  ) {
    checkPartitionCount(partitions);
    this.tickIntervalUs = options.tickIntervalUs ?? DEFAULT_TICK_INTERVAL_US;
    this.flushHorizonUs = options.flushHorizonUs ?? DEFAULT_FLUSH_HORIZON_US;
    this.latenessUs = options.latenessUs ?? 0;
  }

  /** Routes one event; returns its partition. */
  route(e: MarketEvent): number {
    const partition = this.partitions === 1 ? 0 : partitionOf(e.instrument, this.partitions);
    const step = this.step++;
    const ts = e.ts;
    if (ts > this.watermark || this.watermark !== this.watermark) {
      this.watermark = ts;
      const closeAt = ts - this.latenessUs;
      if (closeAt >= this.nextTickTs) {
        for (let p = 0; p < this.partitions; p++) {
          if (p !== partition) this.sink(p, { kind: 'clock', now: ts }, step);
        }
        this.scheduleTick(closeAt);
      }
    }
    this.sink(partition, { kind: 'event', event: e, now: this.watermark }, step);
    return partition;
  }

  /** Advances the stream's clock without an event, as `Engine.advanceTo` does. */
  advanceTo(ts: number): void {
    if (!Number.isFinite(ts)) throw new RangeError(`advanceTo(${ts}): expected a finite epoch-µs time`);
    if (ts > this.watermark || this.watermark !== this.watermark) {
      const step = this.step++;
      this.watermark = ts;
      for (let p = 0; p < this.partitions; p++) this.sink(p, { kind: 'advance', ts }, step);
      this.scheduleTick(ts - this.latenessUs);
    }
  }

  /** End of stream: advances the clock by the flush horizon, as `Engine.flush` does. */
  flush(): void {
    if (this.watermark === this.watermark) {
      this.advanceTo(this.watermark + this.latenessUs + this.flushHorizonUs);
    }
  }

  /** The clock, to resume routing after a restart. */
  clock(): RouterClock {
    return {
      watermark: Number.isFinite(this.watermark) ? this.watermark : null,
      nextTickTs: Number.isFinite(this.nextTickTs) ? this.nextTickTs : null,
      step: this.step,
    };
  }

  /** Resumes from {@link PartitionRouter.clock}. */
  restoreClock(clock: RouterClock): void {
    this.watermark = clock.watermark ?? Number.NaN;
    this.nextTickTs = clock.nextTickTs ?? Number.NEGATIVE_INFINITY;
    this.step = clock.step;
  }

  /** Same rule as the engine's tick: the next boundary after the tick at `closeAt`. */
  private scheduleTick(closeAt: number): void {
    this.nextTickTs = (Math.floor(closeAt / this.tickIntervalUs) + 1) * this.tickIntervalUs;
  }
}

/** Applies one routed operation to a partition engine. */
export function applyPartitionOp(engine: Engine, op: PartitionOp): void {
  switch (op.kind) {
    case 'event':
      engine.processAt(op.event, op.now);
      break;
    case 'clock':
      engine.observeTime(op.now);
      break;
    case 'advance':
      engine.advanceTo(op.ts);
      break;
  }
}
