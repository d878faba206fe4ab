/**
 * Keeps recent trades per instrument so a case can carry the price and volume around its
 * window. Recording is one write into preallocated typed arrays per trade: cheap enough for
 * the engine's event loop.
 *
 * @module
 */
import type { MarketEvent } from '../core/events';
import type { TimeWindow } from '../core/signal';
import type { MarketBar, MarketContext } from './types';

/** Options of {@link MarketContextRecorder}. */
export interface MarketContextRecorderOptions {
  /** Trades kept per instrument (a ring; the oldest fall out). Default 20 000. */
  capacity?: number;
}

class TradeRing {
  readonly ts: Float64Array;
  readonly price: Float64Array;
  readonly qty: Float64Array;
  /** Index of the next write. */
  head = 0;
  size = 0;

  constructor(capacity: number) {
    this.ts = new Float64Array(capacity);
    this.price = new Float64Array(capacity);
    this.qty = new Float64Array(capacity);
  }
}

/**
 * Records trades and turns them into bars around a window.
 *
 * @example
 * ```ts
 * const recorder = new MarketContextRecorder();
 * engine.onEvent?.((e) => recorder.record(e));
 * const ctx = recorder.context('BTC-USD', { start, end }, 60_000_000, 60);
 * ```
 */
export class MarketContextRecorder {
  private readonly capacity: number;
  private readonly rings = new Map<string, TradeRing>();

  constructor(options: MarketContextRecorderOptions = {}) {
    const capacity = options.capacity ?? 20_000;
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`MarketContextRecorder capacity must be a positive integer, got ${capacity}`);
    }
    this.capacity = capacity;
  }

  /** Records a trade; other events are ignored. */
  record(e: MarketEvent): void {
    if (e.kind !== 'trade') return;
    let ring = this.rings.get(e.instrument);
    if (ring === undefined) {
      ring = new TradeRing(this.capacity);
      this.rings.set(e.instrument, ring);
    }
    const i = ring.head;
    ring.ts[i] = e.ts;
    ring.price[i] = e.price;
    ring.qty[i] = e.qty;
    ring.head = i + 1 === this.capacity ? 0 : i + 1;
    if (ring.size < this.capacity) ring.size++;
  }

  /**
   * Bars of `bars` equal buckets over `[window.start − paddingUs, window.end + paddingUs]`,
   * from the trades still recorded. Buckets without trades are left out. Undefined when no
   * recorded trade falls in the span.
   */
  context(
    instrument: string,
    window: TimeWindow,
    paddingUs: number,
    bars: number,
  ): MarketContext | undefined {
    const ring = this.rings.get(instrument);
    if (ring === undefined || ring.size === 0) return undefined;
    const from = window.start - paddingUs;
    const to = window.end + paddingUs;
    const bucketUs = Math.max(1, Math.ceil((to - from + 1) / Math.max(1, bars)));
    const byBucket = new Map<number, MarketBar>();
    const start = (ring.head - ring.size + this.capacity) % this.capacity;
    for (let k = 0; k < ring.size; k++) {
      const i = (start + k) % this.capacity;
      const ts = ring.ts[i] as number;
      if (ts < from || ts > to) continue;
      const price = ring.price[i] as number;
      const qty = ring.qty[i] as number;
      const bucket = from + Math.floor((ts - from) / bucketUs) * bucketUs;
      const bar = byBucket.get(bucket);
      if (bar === undefined) {
        byBucket.set(bucket, {
          ts: bucket,
          open: price,
          high: price,
          low: price,
          close: price,
          volume: qty,
          trades: 1,
        });
      } else {
        if (price > bar.high) bar.high = price;
        if (price < bar.low) bar.low = price;
        bar.close = price;
        bar.volume += qty;
        bar.trades++;
      }
    }
    if (byBucket.size === 0) return undefined;
    const out = [...byBucket.values()].sort((a, b) => a.ts - b.ts);
    return { instrument, bucketUs, window: { start: from, end: to }, bars: out };
  }

  /** Forgets every recorded trade (simulator reset). */
  clear(): void {
    this.rings.clear();
  }
}
