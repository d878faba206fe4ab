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
import { IngestService } from './ingest-service';

/** Options of {@link TapewatchApp}. */
export interface TapewatchAppOptions {
  engine: Engine;
  /** Reported by `status()`. */
  version?: string;
  /** Largest ingest batch, in events. */
  maxBatchEvents?: number;
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
  readonly engine: Engine;
  readonly ingest: IngestService;
  readonly stats = new IngestStats();
  /** Every trade processed. */
  readonly trades = new Broadcaster<Trade>();
  /** Every signal emitted. */
  readonly signals = new Broadcaster<Signal>();
  readonly version: string;

  constructor(options: TapewatchAppOptions) {
    this.engine = options.engine;
    this.version = options.version ?? '0.0.0';
    const ingestOptions = {
      sink: (events: MarketEvent[]) => this.process(events),
      stats: this.stats,
      ...(options.maxBatchEvents === undefined ? {} : { maxBatchEvents: options.maxBatchEvents }),
    };
    this.ingest = new IngestService(ingestOptions);
    this.engine.onSignal((s) => this.signals.publish(s));
  }

  /** Runs validated events through the engine and publishes trades to subscribers. */
  process(events: readonly MarketEvent[]): void {
    const engine = this.engine;
    const trades = this.trades;
    if (!trades.hasSubscribers) {
      engine.processBatch(events);
      return;
    }
    for (let i = 0; i < events.length; i++) {
      const e = events[i] as MarketEvent;
      engine.process(e);
      if (e.kind === 'trade') trades.publish(e);
    }
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
      subscriberDrops: this.trades.dropped + this.signals.dropped,
    };
  }

  /** Forgets engine state, ingest sequences and counters. Subscriptions stay open. */
  reset(): void {
    this.engine.reset();
    this.ingest.clear();
  }

  /** Ends every subscription. */
  close(): void {
    this.trades.closeAll();
    this.signals.closeAll();
  }
}
