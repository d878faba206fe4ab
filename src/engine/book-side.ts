/**
 * One side of a mirrored order book: aggregate quantity and order count per price level.
 *
 * Levels live in three parallel typed arrays sorted so the best price is the last
 * element. A level is found by binary search over a compact array instead of a hash of the
 * price, and since activity concentrates near the touch, inserting and removing levels
 * there moves few elements.
 *
 * @module
 */

/** Aggregate of the resting orders at one price. */
export interface Level {
  price: number;
  /** Total open quantity at this price. */
  qty: number;
  /** Number of resting orders at this price. */
  orders: number;
}

const INITIAL_LEVELS = 32;

/** Bids or asks of one book. */
export class BookSide {
  /** Sorted so that the best price is last: ascending for bids, descending for asks. */
  private prices = new Float64Array(INITIAL_LEVELS);
  private qtys = new Float64Array(INITIAL_LEVELS);
  private counts = new Int32Array(INITIAL_LEVELS);
  private n = 0;

  /** @param isBid - true for the bid side (best = highest price) */
  constructor(readonly isBid: boolean) {}

  /** Number of price levels. */
  get levelCount(): number {
    return this.n;
  }

  /** Best price, or NaN when the side is empty. */
  best(): number {
    return this.n === 0 ? Number.NaN : (this.prices[this.n - 1] as number);
  }

  /** Quantity at the best price, 0 when empty. */
  bestQty(): number {
    return this.n === 0 ? 0 : (this.qtys[this.n - 1] as number);
  }

  /** The level at `price`, if any order rests there. */
  level(price: number): Level | undefined {
    const i = this.indexOf(price);
    return i < 0 ? undefined : this.levelAt(i);
  }

  /** Open quantity at `price` (0 when none). */
  qtyAt(price: number): number {
    const i = this.indexOf(price);
    return i < 0 ? 0 : (this.qtys[i] as number);
  }

  /** The best `count` levels, best first. */
  top(count: number): Level[] {
    const out: Level[] = [];
    for (let i = this.n - 1; i >= 0 && out.length < count; i--) out.push(this.levelAt(i));
    return out;
  }

  /** Total quantity over the best `count` levels. */
  depth(count: number): number {
    let qty = 0;
    for (let i = this.n - 1, k = 0; i >= 0 && k < count; i--, k++) qty += this.qtys[i] as number;
    return qty;
  }

  /** Total open quantity on this side. */
  totalQty(): number {
    let qty = 0;
    for (let i = 0; i < this.n; i++) qty += this.qtys[i] as number;
    return qty;
  }

  /**
   * 0-based level index of `price` counted from the best (0 = at the touch), or the index
   * it would have if a level existed there.
   */
  levelIndexOf(price: number): number {
    const i = this.lowerBound(price);
    const exact = i < this.n && this.prices[i] === price;
    return this.n - i - (exact ? 1 : 0);
  }

  /** Adds one order with open quantity `qty` at `price`. */
  add(price: number, qty: number): void {
    const i = this.lowerBound(price);
    if (i < this.n && this.prices[i] === price) {
      this.qtys[i] = (this.qtys[i] as number) + qty;
      this.counts[i] = (this.counts[i] as number) + 1;
      return;
    }
    if (this.n === this.prices.length) this.grow();
    if (i < this.n) {
      this.prices.copyWithin(i + 1, i, this.n);
      this.qtys.copyWithin(i + 1, i, this.n);
      this.counts.copyWithin(i + 1, i, this.n);
    }
    this.prices[i] = price;
    this.qtys[i] = qty;
    this.counts[i] = 1;
    this.n++;
  }

  /** Changes the open quantity at `price` by `delta` for an order that stays there. */
  adjust(price: number, delta: number): void {
    const i = this.indexOf(price);
    if (i < 0) return;
    const qty = (this.qtys[i] as number) + delta;
    // Float sums drift; a level with orders never shows negative depth.
    this.qtys[i] = qty < 0 ? 0 : qty;
  }

  /** Removes one order with open quantity `qty` from `price`. */
  remove(price: number, qty: number): void {
    const i = this.indexOf(price);
    if (i < 0) return;
    const orders = (this.counts[i] as number) - 1;
    if (orders > 0) {
      const left = (this.qtys[i] as number) - qty;
      this.qtys[i] = left < 0 ? 0 : left;
      this.counts[i] = orders;
      return;
    }
    const last = this.n - 1;
    if (i < last) {
      this.prices.copyWithin(i, i + 1, this.n);
      this.qtys.copyWithin(i, i + 1, this.n);
      this.counts.copyWithin(i, i + 1, this.n);
    }
    this.n = last;
  }

  /** Forgets every level. */
  clear(): void {
    this.n = 0;
  }

  private levelAt(i: number): Level {
    return { price: this.prices[i] as number, qty: this.qtys[i] as number, orders: this.counts[i] as number };
  }

  /** Index of the level at exactly `price`, or -1. */
  private indexOf(price: number): number {
    const i = this.lowerBound(price);
    return i < this.n && this.prices[i] === price ? i : -1;
  }

  /** First index whose price does not sort before `price` (sorting before = further from the touch). */
  private lowerBound(price: number): number {
    const prices = this.prices;
    let hi = this.n;
    if (hi === 0) return 0;
    const isBid = this.isBid;
    // Most updates land at or near the touch: check the last element before searching.
    const best = prices[hi - 1] as number;
    if (isBid ? best < price : best > price) return hi;
    let lo = 0;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const p = prices[mid] as number;
      if (isBid ? p < price : p > price) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private grow(): void {
    const size = this.prices.length * 2;
    const prices = new Float64Array(size);
    const qtys = new Float64Array(size);
    const counts = new Int32Array(size);
    prices.set(this.prices);
    qtys.set(this.qtys);
    counts.set(this.counts);
    this.prices = prices;
    this.qtys = qtys;
    this.counts = counts;
  }
}
