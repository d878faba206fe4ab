/**
 * A price-level book rebuilt from a venue's public snapshot and diffs, kept only to know
 * the top of book: every change of best bid or ask becomes a `quote` event.
 *
 * @module
 */

/** One side: price → quantity, with the best price cached. */
class Levels {
  private readonly qtyAt = new Map<number, number>();
  private best: number | undefined;

  constructor(private readonly isBid: boolean) {}

  set(price: number, qty: number): void {
    if (qty <= 0) {
      if (!this.qtyAt.delete(price)) return;
      if (price === this.best) this.best = this.scanBest();
      return;
    }
    this.qtyAt.set(price, qty);
    if (this.best === undefined || (this.isBid ? price > this.best : price < this.best)) this.best = price;
  }

  clear(): void {
    this.qtyAt.clear();
    this.best = undefined;
  }

  get bestPrice(): number | undefined {
    return this.best;
  }

  get bestQty(): number {
    return this.best === undefined ? 0 : (this.qtyAt.get(this.best) ?? 0);
  }

  get size(): number {
    return this.qtyAt.size;
  }

  private scanBest(): number | undefined {
    let best: number | undefined;
    for (const p of this.qtyAt.keys()) {
      if (best === undefined || (this.isBid ? p > best : p < best)) best = p;
    }
    return best;
  }
}

/** Top of book after an update, when it changed. */
export interface TopOfBook {
  bid: number;
  bidQty: number;
  ask: number;
  askQty: number;
}

/**
 * Both sides of one instrument's book.
 *
 * @example
 * ```ts
 * const book = new BookMirror();
 * book.apply('bid', 100, 2); book.apply('ask', 101, 1);
 * book.takeTopChange(); // { bid: 100, bidQty: 2, ask: 101, askQty: 1 }
 * ```
 */
export class BookMirror {
  private readonly bids = new Levels(true);
  private readonly asks = new Levels(false);
  private last: TopOfBook | undefined;

  /** Sets a level's quantity (0 removes it). */
  apply(side: 'bid' | 'ask', price: number, qty: number): void {
    (side === 'bid' ? this.bids : this.asks).set(price, qty);
  }

  /** Empties the book (before a snapshot, or after a gap). */
  clear(): void {
    this.bids.clear();
    this.asks.clear();
    this.last = undefined;
  }

  /** Number of levels on each side. */
  get depth(): { bids: number; asks: number } {
    return { bids: this.bids.size, asks: this.asks.size };
  }

  /**
   * The top of book if it changed since the last call and both sides are present and
   * uncrossed; otherwise undefined.
   */
  takeTopChange(): TopOfBook | undefined {
    const bid = this.bids.bestPrice;
    const ask = this.asks.bestPrice;
    if (bid === undefined || ask === undefined || bid > ask) return undefined;
    const top = { bid, bidQty: this.bids.bestQty, ask, askQty: this.asks.bestQty };
    const last = this.last;
    if (
      last !== undefined &&
      last.bid === top.bid &&
      last.ask === top.ask &&
      last.bidQty === top.bidQty &&
      last.askQty === top.askQty
    ) {
      return undefined;
    }
    this.last = top;
    return top;
  }
}
