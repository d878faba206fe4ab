/**
 * The engine's mirror of one venue's book for one instrument, rebuilt from order events
 * and trades: resting orders by ID and by account, depth per price level, best bid and
 * ask, and each order's age. It does not match orders; it follows what the venue reports.
 *
 * Orders live in typed arrays indexed by slot (struct of arrays), not in one object per
 * order: the hot path allocates nothing per order, the garbage collector never traces
 * resting orders, and one order's fields sit close together in memory. Detectors read
 * orders through {@link RestingOrder} snapshots.
 *
 * @module
 */
import type { OrderCancel, OrderNew, OrderReplace, Quote, Side, Trade } from '../core/events';
import { StringHashMap } from '../core/string-hash-map';
import { BookSide } from './book-side';

/** Quantities below this are treated as zero when fills leave floating-point residue. */
const QTY_EPSILON = 1e-9;
const NONE = -1;
const BUY = 0;
const SELL = 1;
const INITIAL_SLOTS = 64;

/** A resting order's state at one moment. */
export interface RestingOrder {
  orderId: string;
  account: string;
  side: Side;
  /** Current limit price. */
  price: number;
  /** Open (unfilled) quantity. */
  qty: number;
  /** Quantity when placed. */
  origQty: number;
  /** Quantity executed so far. */
  filledQty: number;
  /** Event time of placement, epoch µs. */
  placedTs: number;
  /** Event time of the last change (placement, replace, fill or cancel), epoch µs. */
  updatedTs: number;
  /** How many times it was replaced. */
  replaceCount: number;
}

/**
 * What the last applied event did to the book. The engine reuses one instance, and the
 * orders in it, for every event and hands it to detectors as `ctx.update`: read it during
 * the call, copy what you keep.
 */
export interface BookUpdate {
  /** The order an order event concerned: after a new or replace, just before removal on a cancel. */
  readonly order: Readonly<RestingOrder> | undefined;
  /** For a replace: price and open quantity before it. NaN otherwise. */
  readonly previousPrice: number;
  readonly previousQty: number;
  /** For a trade: the resting orders it filled, after the fill (`qty` 0 when gone). */
  readonly buyOrder: Readonly<RestingOrder> | undefined;
  readonly sellOrder: Readonly<RestingOrder> | undefined;
  /** True when an order event referred to an order ID the book does not know. */
  readonly isUnknownOrder: boolean;
}

/**
 * A live view of one slot of a book's order store: reading a field reads the store, so
 * handing an order to detectors costs two writes, not a copy of every field. Valid until
 * the slot is reused (the next event at the earliest).
 */
class SlotView implements RestingOrder {
  store: OrderStore = EMPTY_STORE;
  slot = 0;
  get orderId(): string {
    return this.store.orderIds[this.slot] as string;
  }
  get account(): string {
    return this.store.accountNames[this.store.accountOfSlot[this.slot] as number] as string;
  }
  get side(): Side {
    return this.store.sides[this.slot] === BUY ? 'buy' : 'sell';
  }
  get price(): number {
    return this.store.prices[this.slot] as number;
  }
  get qty(): number {
    return this.store.qtys[this.slot] as number;
  }
  get origQty(): number {
    return this.store.origQtys[this.slot] as number;
  }
  get filledQty(): number {
    return this.store.filledQtys[this.slot] as number;
  }
  get placedTs(): number {
    return this.store.placedTss[this.slot] as number;
  }
  get updatedTs(): number {
    return this.store.updatedTss[this.slot] as number;
  }
  get replaceCount(): number {
    return this.store.replaceCounts[this.slot] as number;
  }
  /** A plain copy that stays valid. */
  toJSON(): RestingOrder {
    return this.store.read(this.slot, emptyOrder());
  }
}

/** The engine-side, writable form of {@link BookUpdate}, with its reusable order views. */
export class MutableBookUpdate implements BookUpdate {
  order: Readonly<RestingOrder> | undefined = undefined;
  previousPrice = Number.NaN;
  previousQty = Number.NaN;
  buyOrder: Readonly<RestingOrder> | undefined = undefined;
  sellOrder: Readonly<RestingOrder> | undefined = undefined;
  isUnknownOrder = false;
  /** @internal Views reused for `order`, `buyOrder` and `sellOrder`. */
  readonly orderView = new SlotView();
  /** @internal */
  readonly buyView = new SlotView();
  /** @internal */
  readonly sellView = new SlotView();

  /** Clears the fields before the next event. */
  reset(): void {
    this.order = undefined;
    this.buyOrder = undefined;
    this.sellOrder = undefined;
    this.isUnknownOrder = false;
    this.previousPrice = Number.NaN;
    this.previousQty = Number.NaN;
  }
}

function emptyOrder(): RestingOrder {
  return {
    orderId: '',
    account: '',
    side: 'buy',
    price: 0,
    qty: 0,
    origQty: 0,
    filledQty: 0,
    placedTs: 0,
    updatedTs: 0,
    replaceCount: 0,
  };
}

/**
 * A resting order in a snapshot: `[orderId, account, side (0 buy, 1 sell), price, qty,
 * origQty, filledQty, placedTs, updatedTs, replaceCount]`. Arrays, not objects: a book
 * can hold a million orders.
 */
export type OrderTuple = [string, string, number, number, number, number, number, number, number, number];

/** Serializable state of one {@link OrderBook}. */
export interface BookSnapshot {
  venue: string;
  instrument: string;
  /** Every account the book has seen, in first-seen order (the order of `accounts()`). */
  accounts: string[];
  /** Each account's orders oldest first, so restoring reproduces every list's order. */
  orders: OrderTuple[];
  lastQuote?: Quote;
  anomalies: BookAnomalies;
}

/** Counters of feed inconsistencies a book has absorbed. */
export interface BookAnomalies {
  /** Cancels, replaces or trade fills naming an order ID the book does not hold. */
  unknownOrderRefs: number;
  /** `order_new` for an order ID that was still resting; the old order was replaced. */
  duplicateOrderIds: number;
}

/**
 * Resting orders of one book as a struct of arrays indexed by slot, with each account's
 * orders in a doubly linked list through the slots (newest first).
 */
class OrderStore {
  orderIds: (string | undefined)[] = [];
  sides = new Uint8Array(INITIAL_SLOTS);
  prices = new Float64Array(INITIAL_SLOTS);
  qtys = new Float64Array(INITIAL_SLOTS);
  origQtys = new Float64Array(INITIAL_SLOTS);
  filledQtys = new Float64Array(INITIAL_SLOTS);
  placedTss = new Float64Array(INITIAL_SLOTS);
  updatedTss = new Float64Array(INITIAL_SLOTS);
  replaceCounts = new Int32Array(INITIAL_SLOTS);
  accountOfSlot = new Int32Array(INITIAL_SLOTS);
  prevOfAccount = new Int32Array(INITIAL_SLOTS);
  nextOfAccount = new Int32Array(INITIAL_SLOTS);
  private freeSlots: number[] = [];
  private slotsUsed = 0;
  // Accounts stay listed once seen (count 0 when idle), so the hot path never churns.
  readonly accountIndex = new Map<string, number>();
  accountNames: string[] = [];
  accountHead = new Int32Array(16).fill(NONE);
  accountOrderCount = new Int32Array(16);

  /** A free slot holding a new order's fields, linked into its account's list. */
  add(e: OrderNew, side: number): number {
    const slot = this.allocate();
    this.write(slot, e, side);
    return slot;
  }

  /** Overwrites `slot` with a new order (a reused order ID), relinking its account. */
  write(slot: number, e: OrderNew, side: number): void {
    this.writeFields(slot, e.orderId, e.account, side, e.price, e.qty, e.qty, 0, e.ts, e.ts, 0);
  }

  /** A free slot holding an order restored from a snapshot. */
  addRestored(o: OrderTuple): number {
    const slot = this.allocate();
    this.writeFields(slot, o[0], o[1], o[2], o[3], o[4], o[5], o[6], o[7], o[8], o[9]);
    return slot;
  }

  /** The order in `slot` as a snapshot tuple. */
  tuple(slot: number): OrderTuple {
    return [
      this.orderIds[slot] as string,
      this.accountNames[this.accountOfSlot[slot] as number] as string,
      this.sides[slot] as number,
      this.prices[slot] as number,
      this.qtys[slot] as number,
      this.origQtys[slot] as number,
      this.filledQtys[slot] as number,
      this.placedTss[slot] as number,
      this.updatedTss[slot] as number,
      this.replaceCounts[slot] as number,
    ];
  }

  /** Every resting slot, each account's orders oldest first, accounts in first-seen order. */
  slotsOldestFirst(): number[] {
    const out: number[] = [];
    for (let a = 0; a < this.accountNames.length; a++) {
      const start = out.length;
      for (
        let slot = this.accountHead[a] as number;
        slot !== NONE;
        slot = this.nextOfAccount[slot] as number
      ) {
        out.push(slot);
      }
      // The list is newest first; reverse this account's run in place.
      for (let i = start, j = out.length - 1; i < j; i++, j--) {
        const t = out[i] as number;
        out[i] = out[j] as number;
        out[j] = t;
      }
    }
    return out;
  }

  private allocate(): number {
    let slot = this.freeSlots.pop();
    if (slot === undefined) {
      slot = this.slotsUsed++;
      if (slot >= this.sides.length) this.growSlots();
    }
    return slot;
  }

  private writeFields(
    slot: number,
    orderId: string,
    account: string,
    side: number,
    price: number,
    qty: number,
    origQty: number,
    filledQty: number,
    placedTs: number,
    updatedTs: number,
    replaceCount: number,
  ): void {
    this.orderIds[slot] = orderId;
    this.sides[slot] = side;
    this.prices[slot] = price;
    this.qtys[slot] = qty;
    this.origQtys[slot] = origQty;
    this.filledQtys[slot] = filledQty;
    this.placedTss[slot] = placedTs;
    this.updatedTss[slot] = updatedTs;
    this.replaceCounts[slot] = replaceCount;
    this.link(slot, account);
  }

  /** Returns a slot whose order left the book (already unlinked) to the free list. */
  release(slot: number): void {
    this.freeSlots.push(slot);
  }

  /** Copies a slot into `into` and returns it. */
  read(slot: number, into: RestingOrder): RestingOrder {
    into.orderId = this.orderIds[slot] as string;
    into.account = this.accountNames[this.accountOfSlot[slot] as number] as string;
    into.side = this.sides[slot] === BUY ? 'buy' : 'sell';
    into.price = this.prices[slot] as number;
    into.qty = this.qtys[slot] as number;
    into.origQty = this.origQtys[slot] as number;
    into.filledQty = this.filledQtys[slot] as number;
    into.placedTs = this.placedTss[slot] as number;
    into.updatedTs = this.updatedTss[slot] as number;
    into.replaceCount = this.replaceCounts[slot] as number;
    return into;
  }

  /** Takes a slot out of its account's list. */
  unlink(slot: number): void {
    const a = this.accountOfSlot[slot] as number;
    const prev = this.prevOfAccount[slot] as number;
    const next = this.nextOfAccount[slot] as number;
    if (prev === NONE) this.accountHead[a] = next;
    else this.nextOfAccount[prev] = next;
    if (next !== NONE) this.prevOfAccount[next] = prev;
    this.accountOrderCount[a] = (this.accountOrderCount[a] as number) - 1;
  }

  clear(): void {
    this.orderIds = [];
    this.freeSlots = [];
    this.slotsUsed = 0;
    this.accountIndex.clear();
    this.accountNames = [];
    this.accountHead.fill(NONE);
    this.accountOrderCount.fill(0);
  }

  /** Every account seen, in first-seen order. */
  knownAccounts(): string[] {
    return [...this.accountNames];
  }

  /** The index of `account`, registering it on first sight. */
  accountId(account: string): number {
    let a = this.accountIndex.get(account);
    if (a === undefined) {
      a = this.accountNames.length;
      this.accountNames.push(account);
      this.accountIndex.set(account, a);
      if (a >= this.accountHead.length) {
        this.accountHead = grow(this.accountHead, NONE);
        this.accountOrderCount = grow(this.accountOrderCount, 0);
      }
    }
    return a;
  }

  private link(slot: number, account: string): void {
    const a = this.accountId(account);
    const head = this.accountHead[a] as number;
    this.accountOfSlot[slot] = a;
    this.prevOfAccount[slot] = NONE;
    this.nextOfAccount[slot] = head;
    if (head !== NONE) this.prevOfAccount[head] = slot;
    this.accountHead[a] = slot;
    this.accountOrderCount[a] = (this.accountOrderCount[a] as number) + 1;
  }

  private growSlots(): void {
    this.sides = grow(this.sides, 0);
    this.prices = grow(this.prices, 0);
    this.qtys = grow(this.qtys, 0);
    this.origQtys = grow(this.origQtys, 0);
    this.filledQtys = grow(this.filledQtys, 0);
    this.placedTss = grow(this.placedTss, 0);
    this.updatedTss = grow(this.updatedTss, 0);
    this.replaceCounts = grow(this.replaceCounts, 0);
    this.accountOfSlot = grow(this.accountOfSlot, 0);
    this.prevOfAccount = grow(this.prevOfAccount, NONE);
    this.nextOfAccount = grow(this.nextOfAccount, NONE);
  }
}

const EMPTY_STORE = new OrderStore();

/** The mirror book of one (venue, instrument). */
export class OrderBook {
  readonly bids = new BookSide(true);
  readonly asks = new BookSide(false);
  /** The last top-of-book quote event, when the feed publishes quotes. */
  lastQuote: Readonly<Quote> | undefined;
  readonly anomalies: BookAnomalies = { unknownOrderRefs: 0, duplicateOrderIds: 0 };

  /** Order ID → slot in {@link OrderBook.store}. */
  private readonly slotOf = new StringHashMap<number>();
  private readonly store = new OrderStore();

  constructor(
    readonly venue: string,
    readonly instrument: string,
  ) {}

  /** Best bid from resting orders, or NaN. */
  bestBid(): number {
    return this.bids.best();
  }

  /** Best ask from resting orders, or NaN. */
  bestAsk(): number {
    return this.asks.best();
  }

  /**
   * Mid price: from resting orders when both sides have some, else from the last quote,
   * else NaN.
   */
  mid(): number {
    const bid = this.bids.best();
    const ask = this.asks.best();
    if (bid === bid && ask === ask) return (bid + ask) / 2;
    const q = this.lastQuote;
    return q === undefined ? Number.NaN : (q.bid + q.ask) / 2;
  }

  /** Spread from resting orders (ask − bid), or NaN when a side is empty. */
  spread(): number {
    return this.asks.best() - this.bids.best();
  }

  /** The side holding orders of `side`. */
  sideOf(side: Side): BookSide {
    return side === 'buy' ? this.bids : this.asks;
  }

  /** Number of resting orders. */
  get size(): number {
    return this.slotOf.size;
  }

  /** True when `orderId` rests in the book. */
  has(orderId: string): boolean {
    return this.slotOf.has(orderId);
  }

  /** A snapshot of a resting order, or undefined. */
  order(orderId: string): RestingOrder | undefined {
    const slot = this.slotOf.get(orderId);
    return slot === undefined ? undefined : this.store.read(slot, emptyOrder());
  }

  /** Age of a resting order at event time `now`, µs; NaN when not resting. */
  ageUs(orderId: string, now: number): number {
    const slot = this.slotOf.get(orderId);
    return slot === undefined ? Number.NaN : now - (this.store.placedTss[slot] as number);
  }

  /** Snapshots of one account's resting orders, newest first. */
  ordersOf(account: string): RestingOrder[] {
    const out: RestingOrder[] = [];
    const store = this.store;
    const a = store.accountIndex.get(account);
    if (a === undefined) return out;
    for (
      let slot = store.accountHead[a] as number;
      slot !== NONE;
      slot = store.nextOfAccount[slot] as number
    ) {
      out.push(store.read(slot, emptyOrder()));
    }
    return out;
  }

  /** Number of resting orders of one account. */
  orderCountOf(account: string): number {
    const a = this.store.accountIndex.get(account);
    return a === undefined ? 0 : (this.store.accountOrderCount[a] as number);
  }

  /**
   * Open quantity of one account's resting orders on `side`, their number and how many
   * distinct price levels they occupy.
   */
  accountExposure(account: string, side: Side): { qty: number; orders: number; levels: number } {
    const store = this.store;
    const a = store.accountIndex.get(account);
    let qty = 0;
    let orders = 0;
    const prices: number[] = [];
    if (a !== undefined) {
      const wanted = side === 'buy' ? BUY : SELL;
      for (
        let slot = store.accountHead[a] as number;
        slot !== NONE;
        slot = store.nextOfAccount[slot] as number
      ) {
        if (store.sides[slot] !== wanted) continue;
        qty += store.qtys[slot] as number;
        orders++;
        const price = store.prices[slot] as number;
        if (!prices.includes(price)) prices.push(price);
      }
    }
    return { qty, orders, levels: prices.length };
  }

  /** Accounts with at least one resting order. */
  accounts(): string[] {
    const out: string[] = [];
    const store = this.store;
    for (let a = 0; a < store.accountNames.length; a++) {
      if ((store.accountOrderCount[a] as number) > 0) out.push(store.accountNames[a] as string);
    }
    return out;
  }

  /** Snapshots of every resting order, in unspecified order. */
  orders(): RestingOrder[] {
    const out: RestingOrder[] = [];
    this.slotOf.forEach((slot) => {
      out.push(this.store.read(slot, emptyOrder()));
    });
    return out;
  }

  /** Applies a new order. Market orders never rest: they only show up in trades. */
  applyNew(e: OrderNew, update: MutableBookUpdate): void {
    if (e.type === 'market') return;
    const store = this.store;
    const side = e.side === 'buy' ? BUY : SELL;
    let slot = store.add(e, side);
    const existing = this.slotOf.putIfAbsent(e.orderId, slot);
    if (existing !== undefined) {
      // A venue reusing a live ID: the new order replaces the old one in its slot.
      this.anomalies.duplicateOrderIds++;
      store.unlink(slot);
      store.release(slot);
      this.removeFromLevel(existing);
      store.unlink(existing);
      store.write(existing, e, side);
      slot = existing;
    }
    (side === BUY ? this.bids : this.asks).add(e.price, e.qty);
    update.order = this.view(update.orderView, slot);
  }

  /** Applies a cancel: the order leaves the book; `update.order` keeps its last state. */
  applyCancel(e: OrderCancel, update: MutableBookUpdate): void {
    const slot = this.slotOf.take(e.orderId);
    if (slot === undefined) {
      update.isUnknownOrder = true;
      this.anomalies.unknownOrderRefs++;
      return;
    }
    this.store.updatedTss[slot] = e.ts;
    this.removeFromLevel(slot);
    this.store.unlink(slot);
    this.store.release(slot);
    update.order = this.view(update.orderView, slot);
  }

  /** Applies a replace: new price and open quantity, same order ID and placement time. */
  applyReplace(e: OrderReplace, update: MutableBookUpdate): void {
    const slot = this.slotOf.get(e.orderId);
    if (slot === undefined) {
      update.isUnknownOrder = true;
      this.anomalies.unknownOrderRefs++;
      return;
    }
    const store = this.store;
    const oldPrice = store.prices[slot] as number;
    const oldQty = store.qtys[slot] as number;
    update.previousPrice = oldPrice;
    update.previousQty = oldQty;
    const side = store.sides[slot] === BUY ? this.bids : this.asks;
    if (e.price === oldPrice) {
      side.adjust(e.price, e.qty - oldQty);
    } else {
      side.remove(oldPrice, oldQty);
      side.add(e.price, e.qty);
    }
    store.prices[slot] = e.price;
    store.qtys[slot] = e.qty;
    store.updatedTss[slot] = e.ts;
    store.replaceCounts[slot] = (store.replaceCounts[slot] as number) + 1;
    update.order = this.view(update.orderView, slot);
  }

  /** Applies a trade: fills the resting orders it names, removing those fully filled. */
  applyTrade(e: Trade, update: MutableBookUpdate): void {
    if (e.buyOrderId !== undefined) update.buyOrder = this.fill(e.buyOrderId, e.qty, e.ts, update.buyView);
    if (e.sellOrderId !== undefined) {
      update.sellOrder = this.fill(e.sellOrderId, e.qty, e.ts, update.sellView);
    }
  }

  /** Records a top-of-book quote. */
  applyQuote(e: Quote): void {
    this.lastQuote = e;
  }

  /** The book's state as plain data (see {@link OrderBook.restore}). */
  snapshot(): BookSnapshot {
    const out: BookSnapshot = {
      venue: this.venue,
      instrument: this.instrument,
      accounts: this.store.knownAccounts(),
      orders: this.store.slotsOldestFirst().map((slot) => this.store.tuple(slot)),
      anomalies: { ...this.anomalies },
    };
    if (this.lastQuote !== undefined) out.lastQuote = { ...this.lastQuote };
    return out;
  }

  /** Replaces the book's state with a snapshot of a book of the same venue and instrument. */
  restore(snapshot: BookSnapshot): void {
    if (snapshot.venue !== this.venue || snapshot.instrument !== this.instrument) {
      throw new Error(
        `snapshot of ${snapshot.instrument}@${snapshot.venue} cannot restore ${this.instrument}@${this.venue}`,
      );
    }
    this.clear();
    for (const account of snapshot.accounts) this.store.accountId(account);
    for (const o of snapshot.orders) {
      const slot = this.store.addRestored(o);
      this.slotOf.set(o[0], slot);
      (o[2] === BUY ? this.bids : this.asks).add(o[3], o[4]);
    }
    if (snapshot.lastQuote !== undefined) this.lastQuote = { ...snapshot.lastQuote };
    this.anomalies.unknownOrderRefs = snapshot.anomalies.unknownOrderRefs;
    this.anomalies.duplicateOrderIds = snapshot.anomalies.duplicateOrderIds;
  }

  /** Forgets every order, level and quote. */
  clear(): void {
    this.slotOf.clear();
    this.store.clear();
    this.bids.clear();
    this.asks.clear();
    this.lastQuote = undefined;
    this.anomalies.unknownOrderRefs = 0;
    this.anomalies.duplicateOrderIds = 0;
  }

  /** Fills a resting order by `qty`; returns a view of its state after the fill. */
  private fill(orderId: string, qty: number, ts: number, view: SlotView): SlotView | undefined {
    const slot = this.slotOf.get(orderId);
    if (slot === undefined) return undefined;
    const store = this.store;
    const open = store.qtys[slot] as number;
    const filled = qty < open ? qty : open;
    store.filledQtys[slot] = (store.filledQtys[slot] as number) + filled;
    store.updatedTss[slot] = ts;
    const remaining = open - filled;
    if (remaining <= QTY_EPSILON) {
      this.slotOf.delete(orderId);
      this.removeFromLevel(slot);
      store.unlink(slot);
      store.release(slot);
      store.qtys[slot] = 0;
    } else {
      (store.sides[slot] === BUY ? this.bids : this.asks).adjust(store.prices[slot] as number, -filled);
      store.qtys[slot] = remaining;
    }
    return this.view(view, slot);
  }

  private removeFromLevel(slot: number): void {
    const store = this.store;
    (store.sides[slot] === BUY ? this.bids : this.asks).remove(
      store.prices[slot] as number,
      store.qtys[slot] as number,
    );
  }

  private view(view: SlotView, slot: number): SlotView {
    view.store = this.store;
    view.slot = slot;
    return view;
  }
}

type TypedArray = Uint8Array | Int32Array | Float64Array;

/** A copy of `array` with twice the length, the new half filled with `fill`. */
function grow<T extends TypedArray>(array: T, fill: number): T {
  const next = new (array.constructor as new (n: number) => T)(array.length * 2);
  next.set(array);
  if (fill !== 0) next.fill(fill, array.length);
  return next;
}
