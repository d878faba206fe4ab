/**
 * Rolling trade statistics of one (venue, instrument) over the last minute of event time,
 * in one-second buckets: cheap to update per trade, enough for "42 trades/s" and for
 * detectors that need a baseline without keeping trades.
 *
 * @module
 */
import type { Trade } from '../core/events';

/** Length of one bucket, µs. */
export const STATS_BUCKET_US = 1_000_000;
/** Number of one-second buckets kept. */
export const STATS_BUCKETS = 60;

/** Aggregates over a span of buckets. */
export interface TradeWindowStats {
  trades: number;
  volume: number;
  notional: number;
  /** First and last trade price in the span, NaN when no trade. */
  open: number;
  close: number;
  high: number;
  low: number;
  /** Volume-weighted average price, NaN when no trade. */
  vwap: number;
}

/** Serializable state of {@link MarketStats}. */
export interface MarketStatsSnapshot {
  lastPrice: number | null;
  lastTradeTs: number | null;
  tradeCount: number;
  volume: number;
  headSecond: number;
  /** Per bucket: [count, volume, notional, open, close, high, low]; NaN as null. */
  buckets: (number | null)[][];
}

/** Rolling statistics of one book. */
export class MarketStats {
  /** Price of the last trade, NaN before the first. */
  lastPrice = Number.NaN;
  /** Event time of the last trade, NaN before the first. */
  lastTradeTs = Number.NaN;
  /** Trades since the stats were created or cleared. */
  tradeCount = 0;
  /** Volume since the stats were created or cleared. */
  volume = 0;

  private readonly count = new Float64Array(STATS_BUCKETS);
  private readonly vol = new Float64Array(STATS_BUCKETS);
  private readonly notional = new Float64Array(STATS_BUCKETS);
  private readonly open = new Float64Array(STATS_BUCKETS).fill(Number.NaN);
  private readonly close = new Float64Array(STATS_BUCKETS).fill(Number.NaN);
  private readonly high = new Float64Array(STATS_BUCKETS).fill(Number.NaN);
  private readonly low = new Float64Array(STATS_BUCKETS).fill(Number.NaN);
  /** Absolute second index (ts / 1 s) of the newest bucket; -1 before any trade. */
  private headSecond = -1;

  /** Adds a trade. Trades older than the bucket window are counted in totals only. */
  addTrade(e: Trade): void {
    this.tradeCount++;
    this.volume += e.qty;
    if (!(e.ts < this.lastTradeTs)) {
      this.lastPrice = e.price;
      this.lastTradeTs = e.ts;
    }
    const second = Math.floor(e.ts / STATS_BUCKET_US);
    if (second > this.headSecond) this.advance(second);
    if (second <= this.headSecond - STATS_BUCKETS) return;
    const i = second % STATS_BUCKETS;
    this.count[i] = (this.count[i] as number) + 1;
    this.vol[i] = (this.vol[i] as number) + e.qty;
    this.notional[i] = (this.notional[i] as number) + e.qty * e.price;
    if (Number.isNaN(this.open[i] as number)) {
      this.open[i] = e.price;
      this.high[i] = e.price;
      this.low[i] = e.price;
    } else {
      if (e.price > (this.high[i] as number)) this.high[i] = e.price;
      if (e.price < (this.low[i] as number)) this.low[i] = e.price;
    }
    this.close[i] = e.price;
  }

  /**
   * Aggregates over the last `seconds` whole seconds ending at event time `now`
   * (the current, partial second included). `seconds` is capped at 60.
   */
  window(now: number, seconds: number): TradeWindowStats {
    const out: TradeWindowStats = {
      trades: 0,
      volume: 0,
      notional: 0,
      open: Number.NaN,
      close: Number.NaN,
      high: Number.NaN,
      low: Number.NaN,
      vwap: Number.NaN,
    };
    if (this.headSecond < 0) return out;
    const nowSecond = Math.floor(now / STATS_BUCKET_US);
    const span = Math.min(Math.max(1, Math.floor(seconds)), STATS_BUCKETS);
    const first = Math.max(nowSecond - span + 1, this.headSecond - STATS_BUCKETS + 1);
    const last = Math.min(nowSecond, this.headSecond);
    for (let s = first; s <= last; s++) {
      const i = s % STATS_BUCKETS;
      const n = this.count[i] as number;
      if (n === 0) continue;
      out.trades += n;
      out.volume += this.vol[i] as number;
      out.notional += this.notional[i] as number;
      if (Number.isNaN(out.open)) out.open = this.open[i] as number;
      out.close = this.close[i] as number;
      const hi = this.high[i] as number;
      const lo = this.low[i] as number;
      if (!(hi <= out.high)) out.high = hi;
      if (!(lo >= out.low)) out.low = lo;
    }
    if (out.volume > 0) out.vwap = out.notional / out.volume;
    return out;
  }

  /** The state as plain data (NaN becomes null, so it survives JSON). */
  snapshot(): MarketStatsSnapshot {
    const buckets: (number | null)[][] = [];
    for (let i = 0; i < STATS_BUCKETS; i++) {
      buckets.push(
        [this.count, this.vol, this.notional, this.open, this.close, this.high, this.low].map((a) =>
          nanToNull(a[i] as number),
        ),
      );
    }
    return {
      lastPrice: nanToNull(this.lastPrice),
      lastTradeTs: nanToNull(this.lastTradeTs),
      tradeCount: this.tradeCount,
      volume: this.volume,
      headSecond: this.headSecond,
      buckets,
    };
  }

  /** Replaces the state with a snapshot. */
  restore(s: MarketStatsSnapshot): void {
    this.lastPrice = s.lastPrice ?? Number.NaN;
    this.lastTradeTs = s.lastTradeTs ?? Number.NaN;
    this.tradeCount = s.tradeCount;
    this.volume = s.volume;
    this.headSecond = s.headSecond;
    const arrays = [this.count, this.vol, this.notional, this.open, this.close, this.high, this.low];
    for (let i = 0; i < STATS_BUCKETS; i++) {
      const bucket = s.buckets[i] ?? [];
      for (let k = 0; k < arrays.length; k++) (arrays[k] as Float64Array)[i] = bucket[k] ?? Number.NaN;
    }
  }

  /** Forgets everything. */
  clear(): void {
    this.lastPrice = Number.NaN;
    this.lastTradeTs = Number.NaN;
    this.tradeCount = 0;
    this.volume = 0;
    this.count.fill(0);
    this.vol.fill(0);
    this.notional.fill(0);
    this.open.fill(Number.NaN);
    this.close.fill(Number.NaN);
    this.high.fill(Number.NaN);
    this.low.fill(Number.NaN);
    this.headSecond = -1;
  }

  /** Moves the head to `second`, clearing the buckets it passes over. */
  private advance(second: number): void {
    const from = this.headSecond < 0 ? second : this.headSecond + 1;
    const steps = Math.min(second - from + 1, STATS_BUCKETS);
    for (let k = 0; k < steps; k++) {
      const i = (second - k) % STATS_BUCKETS;
      this.count[i] = 0;
      this.vol[i] = 0;
      this.notional[i] = 0;
      this.open[i] = Number.NaN;
      this.close[i] = Number.NaN;
      this.high[i] = Number.NaN;
      this.low[i] = Number.NaN;
    }
    this.headSecond = second;
  }
}

function nanToNull(n: number): number | null {
  return Number.isNaN(n) ? null : n;
}
