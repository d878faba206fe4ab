/**
 * The simulator's venue: a price-time-priority limit order book per instrument that
 * matches orders and publishes what a venue's drop-copy feed would (DESIGN §3 events).
 *
 * Unlike the engine's mirror book (`src/engine/order-book.ts`), which only follows what a
 * venue reports, this book decides fills. Self-trades are allowed and visible — wash
 * trading needs them, and a surveillance engine must see them.
 *
 * @module
 */
import type { MarketEvent, Side } from '../core/events';

/**
 * Receives every event the book publishes, with the tag of the order that caused it
 * (0 = untagged). The simulator uses tags to attach ground-truth labels without putting
 * them on the event itself.
 */
export type MatchingSink = (event: MarketEvent, tag: number) => void;

/** Options of {@link MatchingBook}. */
export interface MatchingBookOptions {
  venue: string;
  instrument: string;
  /** Where events go. */
  sink: MatchingSink;
  /** Prefix of trade IDs (`<prefix><n>`); default `<instrument>-t`. */
  tradeIdPrefix?: string;
  /** Publish a `quote` event whenever the top of book changes (default false). */
  emitQuotes?: boolean;
}

/** A resting order as the book holds it. */
export interface BookOrder {
  readonly orderId: string;
  readonly account: string;
  readonly side: Side;
  price: number;
  /** Open quantity. */
  qty: number;
  /** Tag handed back with every event this order causes (0 = untagged). */
  readonly tag: number;
  /** Event time it was placed or last lost priority, epoch µs. */
  since: number;
  /** False once filled, cancelled or replaced away. */
  live: boolean;
}

/** One price level: orders in time priority. Cancelled orders are skipped lazily. */
class PriceLevel {
  readonly orders: BookOrder[] = [];
  head = 0;
  qty = 0;
  count = 0;
  constructor(readonly price: number) {}

  push(order: BookOrder): void {
    this.orders.push(order);
    this.qty += order.qty;
    this.count++;
  }

  /** First live order, dropping dead ones from the front. */
  first(): BookOrder | undefined {
    const orders = this.orders;
    while (this.head < orders.length) {
      const o = orders[this.head] as BookOrder;
      if (o.live) return o;
      this.head++;
    }
    return undefined;
  }

  /** Drops the consumed prefix once it dominates the array. */
  compact(): void {
    if (this.head > 32 && this.head * 2 > this.orders.length) {
      this.orders.splice(0, this.head);
      this.head = 0;
    }
  }
}

/**
 * One side of the book: levels sorted so the best price is last (bids ascending, asks
 * descending), so the busy end of the array is the cheap end to insert and remove.
 */
class BookSideLevels {
  readonly levels: PriceLevel[] = [];
  readonly byPrice = new Map<number, PriceLevel>();
  constructor(readonly isBid: boolean) {}

  best(): PriceLevel | undefined {
    return this.levels[this.levels.length - 1];
  }

  levelFor(price: number): PriceLevel {
    let level = this.byPrice.get(price);
    if (level !== undefined) return level;
    level = new PriceLevel(price);
    this.byPrice.set(price, level);
    const levels = this.levels;
    // Walk from the best end: new levels almost always appear near the touch.
    let i = levels.length;
    if (this.isBid) while (i > 0 && (levels[i - 1] as PriceLevel).price > price) i--;
    else while (i > 0 && (levels[i - 1] as PriceLevel).price < price) i--;
    levels.splice(i, 0, level);
    return level;
  }

  removeLevel(level: PriceLevel): void {
    this.byPrice.delete(level.price);
    const levels = this.levels;
    for (let i = levels.length - 1; i >= 0; i--) {
      if (levels[i] === level) {
        levels.splice(i, 1);
        return;
      }
    }
  }

  clear(): void {
    this.levels.length = 0;
    this.byPrice.clear();
  }
}

/** Quantities below this are float residue of partial fills, not open quantity. */
const QTY_EPSILON = 1e-9;

/** Rounds away the binary residue partial fills leave (quantities have ≤ 8 decimals). */
function cleanQty(q: number): number {
  return Math.round(q * 1e8) / 1e8;
}

/**
 * A price-time-priority limit order book for one instrument.
 *
 * - Limit orders match against the opposite side from the best price, oldest order first
 *   at each level, at the resting order's price; the remainder rests.
 * - Market orders match the same way and never rest.
 * - A replace takes the order out, publishes `order_replace`, matches the new price and
 *   quantity like a new order would, and rests the remainder at the back of its level
 *   (losing time priority, as most venues do on a price or size increase; here always).
 * - Self-trades are not prevented.
 *
 * Events are published in the order a venue would: `order_new` / `order_replace` first,
 * then one `trade` per fill, then (optionally) a `quote` if the top of book changed.
 *
 * @example
 * ```ts
 * const events: MarketEvent[] = [];
 * const book = new MatchingBook({ venue: 'simex', instrument: 'BTC-USDT', sink: (e) => events.push(e) });
 * book.limit(1_000, 'o1', 'alice', 'sell', 100, 2);
 * book.market(2_000, 'o2', 'bob', 'buy', 0.5); // one trade of 0.5 @ 100
 * book.bestAsk(); // 100, with 1.5 left
 * ```
 */
export class MatchingBook {
  readonly venue: string;
  readonly instrument: string;
  /** Price of the last trade (NaN before the first). */
  lastTradePrice = Number.NaN;
  /** Number of trades so far. */
  tradeCount = 0;

  private readonly sink: MatchingSink;
  private readonly tradeIdPrefix: string;
  private readonly emitQuotes: boolean;
  private readonly bids = new BookSideLevels(true);
  private readonly asks = new BookSideLevels(false);
  private readonly orders = new Map<string, BookOrder>();
  private tradeSeq = 0;
  private quotedBid = Number.NaN;
  private quotedBidQty = 0;
  private quotedAsk = Number.NaN;
  private quotedAskQty = 0;

  constructor(options: MatchingBookOptions) {
    this.venue = options.venue;
    this.instrument = options.instrument;
    this.sink = options.sink;
    this.tradeIdPrefix = options.tradeIdPrefix ?? `${options.instrument}-t`;
    this.emitQuotes = options.emitQuotes ?? false;
  }

  /**
   * Submits a limit order. Returns the quantity left resting (0 if it filled in full).
   *
   * @throws RangeError on a non-positive price or quantity, or an order ID already live
   */
  limit(
    ts: number,
    orderId: string,
    account: string,
    side: Side,
    price: number,
    qty: number,
    tag = 0,
  ): number {
    if (!(price > 0)) throw new RangeError(`limit order ${orderId}: price must be > 0, got ${price}`);
    if (!(qty > 0)) throw new RangeError(`limit order ${orderId}: qty must be > 0, got ${qty}`);
    if (this.orders.has(orderId))
      throw new RangeError(`order ID ${orderId} is already live on ${this.instrument}`);
    this.sink(
      {
        kind: 'order_new',
        ts,
        venue: this.venue,
        instrument: this.instrument,
        orderId,
        account,
        side,
        price,
        qty,
        type: 'limit',
      },
      tag,
    );
    const remaining = this.match(ts, orderId, account, side, price, qty, tag);
    if (remaining > 0)
      this.rest({ orderId, account, side, price, qty: remaining, tag, since: ts, live: true });
    if (this.emitQuotes) this.publishQuote(ts);
    return remaining;
  }

  /**
   * Submits a market order: it takes liquidity until filled or the other side is empty;
   * what is left is dropped. The published `order_new` carries the last trade price as
   * its reference price (0 before the first trade). Returns the filled quantity.
   *
   * @throws RangeError on a non-positive quantity
   */
  market(ts: number, orderId: string, account: string, side: Side, qty: number, tag = 0): number {
    if (!(qty > 0)) throw new RangeError(`market order ${orderId}: qty must be > 0, got ${qty}`);
    const reference = this.lastTradePrice === this.lastTradePrice ? this.lastTradePrice : 0;
    this.sink(
      {
        kind: 'order_new',
        ts,
        venue: this.venue,
        instrument: this.instrument,
        orderId,
        account,
        side,
        price: reference,
        qty,
        type: 'market',
      },
      tag,
    );
    const remaining = this.match(ts, orderId, account, side, Number.NaN, qty, tag);
    if (this.emitQuotes) this.publishQuote(ts);
    return cleanQty(qty - remaining);
  }

  /** Cancels a resting order. Returns false (and publishes nothing) if it is not live. */
  cancel(ts: number, orderId: string): boolean {
    const order = this.orders.get(orderId);
    if (order === undefined) return false;
    this.unrest(order);
    this.sink(
      {
        kind: 'order_cancel',
        ts,
        venue: this.venue,
        instrument: this.instrument,
        orderId,
        account: order.account,
      },
      order.tag,
    );
    if (this.emitQuotes) this.publishQuote(ts);
    return true;
  }

  /**
   * Replaces a resting order's price and open quantity. A marketable new price trades.
   * Returns false (and publishes nothing) if the order is not live.
   *
   * @throws RangeError on a non-positive price or quantity
   */
  replace(ts: number, orderId: string, price: number, qty: number): boolean {
    const order = this.orders.get(orderId);
    if (order === undefined) return false;
    if (!(price > 0)) throw new RangeError(`replace ${orderId}: price must be > 0, got ${price}`);
    if (!(qty > 0)) throw new RangeError(`replace ${orderId}: qty must be > 0, got ${qty}`);
    this.unrest(order);
    this.sink(
      {
        kind: 'order_replace',
        ts,
        venue: this.venue,
        instrument: this.instrument,
        orderId,
        account: order.account,
        price,
        qty,
      },
      order.tag,
    );
    const remaining = this.match(ts, orderId, order.account, order.side, price, qty, order.tag);
    if (remaining > 0) {
      this.rest({
        orderId,
        account: order.account,
        side: order.side,
        price,
        qty: remaining,
        tag: order.tag,
        since: ts,
        live: true,
      });
    }
    if (this.emitQuotes) this.publishQuote(ts);
    return true;
  }

  /** Best bid price (NaN when the bid side is empty). */
  bestBid(): number {
    return this.bids.best()?.price ?? Number.NaN;
  }

  /** Best ask price (NaN when the ask side is empty). */
  bestAsk(): number {
    return this.asks.best()?.price ?? Number.NaN;
  }

  /** Open quantity at the best bid (0 when empty). */
  bestBidQty(): number {
    return this.bids.best()?.qty ?? 0;
  }

  /** Open quantity at the best ask (0 when empty). */
  bestAskQty(): number {
    return this.asks.best()?.qty ?? 0;
  }

  /** Open quantity resting at `price` on `side`. */
  depthAt(side: Side, price: number): number {
    return (side === 'buy' ? this.bids : this.asks).byPrice.get(price)?.qty ?? 0;
  }

  /** The best `n` levels of a side as `[price, qty]` pairs, best first. */
  levels(side: Side, n: number): [number, number][] {
    const levels = (side === 'buy' ? this.bids : this.asks).levels;
    const out: [number, number][] = [];
    for (let i = levels.length - 1; i >= 0 && out.length < n; i--) {
      const level = levels[i] as PriceLevel;
      out.push([level.price, cleanQty(level.qty)]);
    }
    return out;
  }

  /** A live resting order, or undefined. Read it, do not change it. */
  order(orderId: string): Readonly<BookOrder> | undefined {
    return this.orders.get(orderId);
  }

  /** Every live resting order (time priority within a level, levels best first, bids then asks). */
  restingOrders(): BookOrder[] {
    const out: BookOrder[] = [];
    for (const side of [this.bids, this.asks]) {
      for (let i = side.levels.length - 1; i >= 0; i--) {
        const level = side.levels[i] as PriceLevel;
        for (let j = level.head; j < level.orders.length; j++) {
          const o = level.orders[j] as BookOrder;
          if (o.live) out.push(o);
        }
      }
    }
    return out;
  }

  /** Number of live resting orders. */
  get size(): number {
    return this.orders.size;
  }

  /** Empties the book and restarts trade IDs, as if newly created. */
  reset(): void {
    this.bids.clear();
    this.asks.clear();
    this.orders.clear();
    this.tradeSeq = 0;
    this.tradeCount = 0;
    this.lastTradePrice = Number.NaN;
    this.quotedBid = Number.NaN;
    this.quotedAsk = Number.NaN;
    this.quotedBidQty = 0;
    this.quotedAskQty = 0;
  }

  private rest(order: BookOrder): void {
    const side = order.side === 'buy' ? this.bids : this.asks;
    side.levelFor(order.price).push(order);
    this.orders.set(order.orderId, order);
  }

  private unrest(order: BookOrder): void {
    order.live = false;
    this.orders.delete(order.orderId);
    const side = order.side === 'buy' ? this.bids : this.asks;
    const level = side.byPrice.get(order.price) as PriceLevel;
    level.qty = cleanQty(level.qty - order.qty);
    level.count--;
    if (level.count === 0) side.removeLevel(level);
    else level.compact();
  }

  /** Matches an incoming order; `limit` NaN = market. Returns the unfilled quantity. */
  private match(
    ts: number,
    orderId: string,
    account: string,
    side: Side,
    limit: number,
    qty: number,
    tag: number,
  ): number {
    const isBuy = side === 'buy';
    const opposite = isBuy ? this.asks : this.bids;
    const isMarket = limit !== limit;
    let remaining = qty;
    while (remaining > QTY_EPSILON) {
      const level = opposite.best();
      if (level === undefined) break;
      if (!isMarket && (isBuy ? level.price > limit : level.price < limit)) break;
      const resting = level.first() as BookOrder;
      const fill = remaining < resting.qty ? remaining : resting.qty;
      remaining = cleanQty(remaining - fill);
      resting.qty = cleanQty(resting.qty - fill);
      level.qty = cleanQty(level.qty - fill);
      const price = level.price;
      if (resting.qty <= QTY_EPSILON) {
        resting.live = false;
        this.orders.delete(resting.orderId);
        level.count--;
        level.head++;
        if (level.count === 0) opposite.removeLevel(level);
        else level.compact();
      }
      this.lastTradePrice = price;
      this.tradeCount++;
      this.sink(
        {
          kind: 'trade',
          ts,
          venue: this.venue,
          instrument: this.instrument,
          tradeId: `${this.tradeIdPrefix}${++this.tradeSeq}`,
          price,
          qty: fill,
          aggressor: side,
          buyAccount: isBuy ? account : resting.account,
          sellAccount: isBuy ? resting.account : account,
          buyOrderId: isBuy ? orderId : resting.orderId,
          sellOrderId: isBuy ? resting.orderId : orderId,
        },
        tag !== 0 ? tag : resting.tag,
      );
    }
    return remaining <= QTY_EPSILON ? 0 : remaining;
  }

  private publishQuote(ts: number): void {
    const bid = this.bids.best();
    const ask = this.asks.best();
    // A one-sided book has no quote a feed could publish.
    if (bid === undefined || ask === undefined) return;
    if (
      bid.price === this.quotedBid &&
      bid.qty === this.quotedBidQty &&
      ask.price === this.quotedAsk &&
      ask.qty === this.quotedAskQty
    ) {
      return;
    }
    this.quotedBid = bid.price;
    this.quotedBidQty = bid.qty;
    this.quotedAsk = ask.price;
    this.quotedAskQty = ask.qty;
    this.sink(
      {
        kind: 'quote',
        ts,
        venue: this.venue,
        instrument: this.instrument,
        bid: bid.price,
        bidQty: cleanQty(bid.qty),
        ask: ask.price,
        askQty: cleanQty(ask.qty),
      },
      0,
    );
  }
}
