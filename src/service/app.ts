/**
 * The application services behind every network adapter: one engine, one ingest path and
 * the broadcast streams. gRPC and HTTP call these and hold no logic of their own.
 *
 * @module
 */
import type { MarketEvent, Trade } from '../core/events';
import { IngestStats } from '../core/ingest-stats';
import type { Signal } from '../core/signal';
import type { Engine } from '../engine/engine';
import { Broadcaster } from './broadcaster';
import type { CaseService } from './case-service';
import { IngestService } from './ingest-service';

/**
 * What the application needs of an engine: a single {@link Engine}, or one split over
 * worker threads (`PartitionedEngine` from `tapewatch/scale`), whose signals arrive
 * asynchronously.
 */
export type PipelineEngine = Pick<Engine, 'process' | 'processBatch' | 'onSignal' | 'stats' | 'reset'>;

/** Options of {@link TapewatchApp}. */
export interface TapewatchAppOptions {
  engine: PipelineEngine;
  /** Reported by `status()`. */
  version?: string;
  /** Largest ingest batch, in events. */
  maxBatchEvents?: number;
  /** Events further ahead of the wall clock are rejected, µs (default 24 h). */
  maxFutureSkewUs?: number;
  /** Case management: signals become cases in its store (see {@link CaseService}). */
  cases?: CaseService;
}

/** Counters of the running service. */
export interface AppStatus {
  version: string;
  events: number;
  signals: number;
  books: number;
  restingOrders: number;
  /** Largest event time seen, epoch µs (NaN before the first event). */
  watermark: number;
  sources: { source: string; accepted: number; rejected: number; duplicateBatches: number }[];
  /** Items dropped from slow subscribers' buffers since start. */
  subscriberDrops: number;
  /** Events older than the watermark on arrival (processed), and those beyond the lateness bound. */
  lateEvents: number;
  tooLateEvents: number;
}

/**
 * Wires an engine to ingest and to the streams subscribers follow.
 *
 * @example
 * ```ts
 * const app = new TapewatchApp({ engine: createEngineFromConfig(config) });
 * const sub = app.signals.subscribe();
 * app.ingest.ingest('feed', 1, rawEvents);
 * ```
 */
export class TapewatchApp {
  readonly engine: PipelineEngine;
  readonly ingest: IngestService;
  readonly stats = new IngestStats();
  /** Every trade processed. */
  readonly trades = new Broadcaster<Trade>();
  /** Every signal emitted. */
  readonly signals = new Broadcaster<Signal>();
  readonly version: string;
  /** Case management, when the app was given a case service. */
  readonly cases: CaseService | undefined;
  private readonly typologyCounts = new Map<string, number>();
  private readonly latencyListeners: ((seconds: number) => void)[] = [];
  private readonly resetListeners: (() => void)[] = [];
  /** performance.now() when the batch being processed entered the pipeline; NaN between batches. */
  private batchStartedAt = Number.NaN;

  constructor(options: TapewatchAppOptions) {
    this.engine = options.engine;
    this.version = options.version ?? '0.0.0';
    this.cases = options.cases;
    const ingestOptions = {
      sink: (events: MarketEvent[]) => this.process(events),
      stats: this.stats,
      ...(options.maxBatchEvents === undefined ? {} : { maxBatchEvents: options.maxBatchEvents }),
      ...(options.maxFutureSkewUs === undefined ? {} : { maxFutureSkewUs: options.maxFutureSkewUs }),
    };
    this.ingest = new IngestService(ingestOptions);
    this.engine.onSignal((s) => this.onSignal(s));
  }

  /** Runs validated events through the engine and publishes trades to subscribers. */
  process(events: readonly MarketEvent[]): void {
    const engine = this.engine;
    const trades = this.trades;
    this.batchStartedAt = performance.now();
    const cases = this.cases;
    if (cases !== undefined) for (let i = 0; i < events.length; i++) cases.onEvent(events[i] as MarketEvent);
    try {
      if (!trades.hasSubscribers) {
        engine.processBatch(events);
        return;
      }
      for (let i = 0; i < events.length; i++) {
        const e = events[i] as MarketEvent;
        engine.process(e);
        if (e.kind === 'trade') trades.publish(e);
      }
    } finally {
      this.batchStartedAt = Number.NaN;
    }
  }

  /** {@link TapewatchApp.process} for one event (the simulator's path). */
  processOne(e: MarketEvent): void {
    this.cases?.onEvent(e);
    this.engine.process(e);
    if (e.kind === 'trade' && this.trades.hasSubscribers) this.trades.publish(e);
  }

  /**
   * Calls `listener` after every {@link TapewatchApp.reset}, so services holding derived
   * state (cases of a demo, the narrator) start over with the engine.
   */
  onReset(listener: () => void): () => void {
    this.resetListeners.push(listener);
    return () => {
      const i = this.resetListeners.indexOf(listener);
      if (i >= 0) this.resetListeners.splice(i, 1);
    };
  }

  /** Signals emitted since start (or the last reset), per typology. */
  signalsByTypology(): Record<string, number> {
    return Object.fromEntries(this.typologyCounts);
  }

  /** Items dropped from slow subscribers, per stream. */
  streamDrops(): Record<string, number> {
    const out: Record<string, number> = { trades: this.trades.dropped, signals: this.signals.dropped };
    if (this.cases !== undefined) out['cases'] = this.cases.cases.dropped;
    return out;
  }

  /** Current subscribers, per stream. */
  subscriberCounts(): Record<string, number> {
    const out: Record<string, number> = {
      trades: this.trades.subscriberCount,
      signals: this.signals.subscriberCount,
    };
    if (this.cases !== undefined) out['cases'] = this.cases.cases.subscriberCount;
    return out;
  }

  /** Calls `listener` with the seconds from batch arrival to each signal it produced. */
  onSignalLatency(listener: (seconds: number) => void): void {
    this.latencyListeners.push(listener);
  }

  private onSignal(s: Signal): void {
    this.typologyCounts.set(s.typology, (this.typologyCounts.get(s.typology) ?? 0) + 1);
    const started = this.batchStartedAt;
    if (started === started) {
      const seconds = (performance.now() - started) / 1000;
      for (const listener of this.latencyListeners) listener(seconds);
    }
    this.signals.publish(s);
    this.cases?.onSignal(s);
  }

  /** Counters of the engine, ingest and subscriptions. */
  status(): AppStatus {
    const engineStats = this.engine.stats();
    const duplicates = this.ingest.duplicateBatches();
    const report = this.stats.report();
    const names = new Set([...Object.keys(report.sources), ...Object.keys(duplicates)]);
    return {
      version: this.version,
      events: engineStats.events,
      signals: engineStats.signals,
      books: engineStats.books,
      restingOrders: engineStats.restingOrders,
      watermark: engineStats.watermark,
      sources: [...names].sort().map((source) => ({
        source,
        accepted: report.sources[source]?.accepted ?? 0,
        rejected: report.sources[source]?.rejected ?? 0,
        duplicateBatches: duplicates[source] ?? 0,
      })),
      subscriberDrops: Object.values(this.streamDrops()).reduce((a, b) => a + b, 0),
      lateEvents: engineStats.lateEvents,
      tooLateEvents: engineStats.tooLateEvents,
    };
  }

  /** Forgets engine state, ingest sequences and counters. Subscriptions stay open. */
  reset(): void {
    this.engine.reset();
    this.ingest.clear();
    this.typologyCounts.clear();
    this.cases?.reset();
    for (const listener of this.resetListeners) listener();
  }

  /** Ends every subscription. */
  close(): void {
    this.trades.closeAll();
    this.signals.closeAll();
    this.cases?.cases.closeAll();
  }
}
