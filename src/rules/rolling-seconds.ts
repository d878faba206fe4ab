/**
 * Per-second trade aggregates of one book over a fixed span of event time, in typed
 * arrays used as a ring: the current values of any window up to the span, and the mean
 * and standard deviation of that window's values over a baseline, without keeping trades.
 *
 * @module
 */

/** Mean and standard deviation of a window's values over a baseline. */
export interface WindowBaseline {
  mean: number;
  std: number;
  /** How many windows the baseline held. */
  samples: number;
}

/** Serializable state of {@link RollingSeconds}. */
export interface RollingSecondsSnapshot {
  head: number;
  first: number;
  count: number[];
  volume: number[];
  buyVolume: number[];
  /** NaN as null. */
  close: (number | null)[];
  rushMs: number[];
  rushSecond: number[];
}

/** The aggregated fields. */
export type SecondField = 'count' | 'volume' | 'buyVolume';

/** Per-second aggregates over the last `span` seconds. */
export class RollingSeconds {
  /** Trades per second. */
  private readonly count: Float64Array;
  /** Volume per second. */
  private readonly volume: Float64Array;
  /** Buyer-initiated volume per second. */
  private readonly buyVolume: Float64Array;
  /** Last trade price at the end of each second (carried over quiet seconds; NaN before any). */
  private readonly close: Float64Array;
  /** Most distinct aggressive buy orders within one millisecond, per second. */
  private readonly rushMs: Float64Array;
  /** Distinct aggressive buy orders, per second. */
  private readonly rushSecond: Float64Array;
  /** Absolute second (ts / 1 s) of the newest bucket; -1 before any. */
  head = -1;
  /** Absolute second of the first bucket ever filled; -1 before any. */
  first = -1;

  constructor(readonly span: number) {
    this.count = new Float64Array(span);
    this.volume = new Float64Array(span);
    this.buyVolume = new Float64Array(span);
    this.close = new Float64Array(span).fill(Number.NaN);
    this.rushMs = new Float64Array(span);
    this.rushSecond = new Float64Array(span);
  }

  /** Seconds of history held (from the first bucket to the head, at most the span). */
  get history(): number {
    return this.head < 0 ? 0 : Math.min(this.span, this.head - this.first + 1);
  }

  /** Moves the head to `second`, clearing the seconds passed over and carrying the price. */
  advanceTo(second: number): void {
    if (this.head < 0) {
      this.head = second;
      this.first = second;
      return;
    }
    if (second <= this.head) return;
    const price = this.close[this.head % this.span] as number;
    const from = Math.max(this.head + 1, second - this.span + 1);
    for (let s = from; s <= second; s++) {
      const i = s % this.span;
      this.count[i] = 0;
      this.volume[i] = 0;
      this.buyVolume[i] = 0;
      this.close[i] = price;
      this.rushMs[i] = 0;
      this.rushSecond[i] = 0;
    }
    this.head = second;
  }

  /** Adds a trade to the head second (call {@link RollingSeconds.advanceTo} first). */
  addTrade(qty: number, price: number, isBuy: boolean): void {
    const i = this.head % this.span;
    this.count[i] = (this.count[i] as number) + 1;
    this.volume[i] = (this.volume[i] as number) + qty;
    if (isBuy) this.buyVolume[i] = (this.buyVolume[i] as number) + qty;
    this.close[i] = price;
  }

  /** Records the head second's rush counts (keeps the largest seen). */
  noteRush(ordersInMs: number, ordersInSecond: number): void {
    const i = this.head % this.span;
    if (ordersInMs > (this.rushMs[i] as number)) this.rushMs[i] = ordersInMs;
    if (ordersInSecond > (this.rushSecond[i] as number)) this.rushSecond[i] = ordersInSecond;
  }

  /** Sum of `field` over the `w` seconds ending at the head (the current second included). */
  windowSum(field: SecondField, w: number): number {
    const a = this[field];
    let sum = 0;
    const last = this.head;
    const first = Math.max(last - w + 1, this.head - this.span + 1, this.first);
    for (let s = first; s <= last; s++) sum += a[s % this.span] as number;
    return sum;
  }

  /** Largest rush counts (per millisecond, per second) over the `w` seconds ending at the head. */
  maxRush(w: number): { perMs: number; perSecond: number } {
    let perMs = 0;
    let perSecond = 0;
    const first = Math.max(this.head - w + 1, this.head - this.span + 1, this.first);
    for (let s = first; s <= this.head; s++) {
      const i = s % this.span;
      if ((this.rushMs[i] as number) > perMs) perMs = this.rushMs[i] as number;
      if ((this.rushSecond[i] as number) > perSecond) perSecond = this.rushSecond[i] as number;
    }
    return { perMs, perSecond };
  }

  /** Closing price of absolute second `s` (NaN when outside the span or before any trade). */
  closeAt(s: number): number {
    if (s > this.head || s <= this.head - this.span || s < this.first) return Number.NaN;
    return this.close[s % this.span] as number;
  }

  /** Lowest closing price over the `w` seconds ending at the head. */
  minClose(w: number): number {
    let low = Number.NaN;
    const first = Math.max(this.head - w + 1, this.head - this.span + 1, this.first);
    for (let s = first; s <= this.head; s++) {
      const c = this.close[s % this.span] as number;
      if (!(c >= low)) low = c === c ? c : low;
    }
    return low;
  }

  /**
   * Mean and standard deviation of the `w`-second sums of `field` whose windows end in the
   * `baselineS` seconds before the last `excludeS` seconds: the market as it was before
   * the windows being judged.
   */
  baseline(field: SecondField, w: number, excludeS: number, baselineS: number): WindowBaseline {
    const a = this[field];
    const lastEnd = this.head - excludeS;
    const oldest = Math.max(this.head - this.span + 1, this.first);
    const firstEnd = Math.max(lastEnd - baselineS + 1, oldest + w - 1);
    if (lastEnd < firstEnd) return { mean: Number.NaN, std: Number.NaN, samples: 0 };
    let window = 0;
    for (let s = firstEnd - w + 1; s <= firstEnd; s++) window += a[s % this.span] as number;
    let sum = 0;
    let sumSq = 0;
    let n = 0;
    for (let end = firstEnd; end <= lastEnd; end++) {
      if (end > firstEnd) window += (a[end % this.span] as number) - (a[(end - w) % this.span] as number);
      sum += window;
      sumSq += window * window;
      n++;
    }
    const mean = sum / n;
    const variance = Math.max(0, sumSq / n - mean * mean);
    return { mean, std: Math.sqrt(variance), samples: n };
  }

  /** Mean and standard deviation of `w`-second log returns over the same baseline as {@link RollingSeconds.baseline}. */
  returnBaseline(w: number, excludeS: number, baselineS: number): WindowBaseline {
    const lastEnd = this.head - excludeS;
    const oldest = Math.max(this.head - this.span + 1, this.first);
    const firstEnd = Math.max(lastEnd - baselineS + 1, oldest + w);
    let sum = 0;
    let sumSq = 0;
    let n = 0;
    for (let end = firstEnd; end <= lastEnd; end++) {
      const from = this.close[(end - w) % this.span] as number;
      const to = this.close[end % this.span] as number;
      if (!(from > 0 && to > 0)) continue;
      const r = Math.log(to / from);
      sum += r;
      sumSq += r * r;
      n++;
    }
    if (n === 0) return { mean: Number.NaN, std: Number.NaN, samples: 0 };
    const mean = sum / n;
    return { mean, std: Math.sqrt(Math.max(0, sumSq / n - mean * mean)), samples: n };
  }

  /** The state as plain data. */
  snapshot(): RollingSecondsSnapshot {
    return {
      head: this.head,
      first: this.first,
      count: Array.from(this.count),
      volume: Array.from(this.volume),
      buyVolume: Array.from(this.buyVolume),
      close: Array.from(this.close, (c) => (Number.isNaN(c) ? null : c)),
      rushMs: Array.from(this.rushMs),
      rushSecond: Array.from(this.rushSecond),
    };
  }

  /** Replaces the state with a snapshot of a ring of the same span. */
  restore(s: RollingSecondsSnapshot): void {
    this.head = s.head;
    this.first = s.first;
    this.count.set(s.count);
    this.volume.set(s.volume);
    this.buyVolume.set(s.buyVolume);
    this.close.set(s.close.map((c) => c ?? Number.NaN));
    this.rushMs.set(s.rushMs);
    this.rushSecond.set(s.rushSecond);
  }
}
