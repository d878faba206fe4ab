/**
 * The engine shared by the `spoofing` and `layering` detectors: it follows large,
 * one-sided, non-marketable orders near the touch, notices when their owner cancels them
 * young and unfilled after trading on the other side while they rested, and hands the
 * group of such orders to a typology-specific decision (one price level → spoofing,
 * several → layering).
 *
 * @module
 */
import { z } from 'zod';
import type { EventRef, MarketEvent, OrderNew, Side, Trade } from '../core/events';
import type { Severity } from '../core/signal';
import { msToUs } from '../core/time';
import type { DetectorContext } from '../engine/detector';
import {
  BookStates,
  capEvidence,
  EventWindow,
  evidenceRef,
  fmtBps,
  fmtDuration,
  fmtNum,
  fmtPct,
  opposite,
  plural,
  ramp,
  scoreFromMargins,
  severityOf,
} from './shared';

/** Largest side imbalance reported; an owner with nothing on the other side is "infinitely" one-sided. */
const MAX_IMBALANCE = 1_000_000;
/** Hard bound on tracked large orders per book, whatever the order rate. */
const MAX_CANDIDATES_PER_BOOK = 100_000;
/** Hard bound on ended orders and executions kept per owner and book. */
const MAX_PER_OWNER = 4_096;

/**
 * Configuration fields common to spoofing and layering, with the defaults of each.
 * Durations are in milliseconds of event time.
 */
export function orderPressureShape(d: {
  minOrderSizeToLevel: number;
  minSizeToLevel: number;
  minOrders: number;
}) {
  return {
    /**
     * An order younger than this when cancelled counts as short-lived. Orders that rest
     * longer carry real execution risk and are treated as bona fide. Default 5000 ms: far
     * beyond the sub-second lifetime of the typical spoof, well under how long resting
     * liquidity usually stays.
     */
    maxLifetimeMs: z.number().positive().max(3_600_000).default(5_000),
    /**
     * Largest filled share of an order for its cancel to count: a spoof is meant not to
     * trade. Default 0.1 tolerates a small accidental fill.
     */
    maxFillRatio: z.number().min(0).max(1).default(0.1),
    /**
     * Orders are considered only within this distance of the same side's best price, in
     * basis points (0 = at the touch). Spoofers stand where the order is seen and unlikely
     * to be hit: about one typical price move away; orders much further out change nothing
     * others act on. Default 50 bps.
     */
    maxDistanceBps: z.number().min(0).max(10_000).default(50),
    /** Levels of the same side averaged to measure "a normal level's size". Default 5. */
    depthLevels: z.number().int().min(1).max(100).default(5),
    /**
     * An order is followed only when its size is at least this multiple of the mean size of
     * a price level of the best `depthLevels` levels (excluding the order itself).
     */
    minOrderSizeToLevel: z.number().positive().max(1_000).default(d.minOrderSizeToLevel),
    /**
     * The cancelled orders of one episode together must be at least this multiple of the
     * mean level size: the fake pressure must be visible in the book.
     */
    minSizeToLevel: z.number().positive().max(10_000).default(d.minSizeToLevel),
    /**
     * When the order is placed, its owner's resting quantity on that side (all its accounts,
     * the order included) must be at least this multiple of its resting quantity on the
     * other side, and so must the quantity it sent in new orders and re-quotes on each side
     * (decayed over `windowMs`). A market maker quoting both sides sits near 1 on both
     * measures, and after one side is hit its resting ratio stays within a few; a
     * spoofer's fake side dwarfs its genuine order. Default 5.
     */
    minSideImbalance: z.number().min(1).max(MAX_IMBALANCE).default(5),
    /**
     * Share of the owner's followed orders on that side that ended (cancelled, filled or
     * aged out) within `windowMs` and were cancelled young and unfilled. Default 0.8.
     */
    minCancelRatio: z.number().min(0).max(1).default(0.8),
    /** Window of the cancel ratio and of the owner's executions, ms. Default 30 000. */
    windowMs: z.number().positive().max(3_600_000).default(30_000),
    /** Fewest cancelled orders in one episode. */
    minOrders: z.number().int().min(1).max(1_000).default(d.minOrders),
    /**
     * After a signal, the same owner and book stay quiet until this long passes without a
     * new qualifying episode, so a minute of repeated spoofing is one signal. Default 30 000 ms.
     */
    cooldownMs: z.number().min(0).max(86_400_000).default(30_000),
    /** Most evidence references per signal (first ones and the last kept). Default 30. */
    maxEvidence: z.number().int().min(2).max(1_000).default(30),
  };
}

/** Validated fields of {@link orderPressureShape}. */
export interface OrderPressureConfig {
  maxLifetimeMs: number;
  maxFillRatio: number;
  maxDistanceBps: number;
  depthLevels: number;
  minOrderSizeToLevel: number;
  minSizeToLevel: number;
  minSideImbalance: number;
  minCancelRatio: number;
  windowMs: number;
  minOrders: number;
  cooldownMs: number;
  maxEvidence: number;
}

/** A large one-sided order being followed. JSON-safe (snapshots carry it as is). */
interface Candidate {
  /** Placement time (the window orders by it). */
  ts: number;
  orderId: string;
  account: string;
  owner: string;
  side: Side;
  price: number;
  qty: number;
  levelsFromTouch: number;
  /** Distance from the same side's best price before it, bps. */
  distanceBps: number;
  /** Mean level size it was compared with. */
  levelQty: number;
  imbalance: number;
  /**
   * Most distinct prices of the owner's young orders resting on this side at once while
   * this one rested, itself included, sampled whenever the owner placed or cancelled an
   * order on that side: a wall is built and pulled one order at a time.
   */
  levelsAtOnce: number;
  ref: EventRef;
  /** Set when it leaves the book. */
  endTs: number | null;
  isCancelledYoung: boolean;
  /** Already part of a decided episode. */
  isConsumed: boolean;
  cancelRef: EventRef | null;
}

interface Ended {
  /** End time. */
  ts: number;
  candidate: Candidate;
}

interface Execution {
  ts: number;
  side: Side;
  qty: number;
  price: number;
  account: string;
  ref: EventRef;
}

interface OwnerState {
  owner: string;
  lastTs: number;
  live: Candidate[];
  ended: EventWindow<Ended>;
  executions: EventWindow<Execution>;
  /** Event time of the last qualifying episode after a signal (cool-down anchor), or null. */
  lastEpisodeTs: number | null;
  pendingSides: number;
  /** Earliest placement among the orders whose cancels await a decision, per side. */
  pendingBuyStart: number;
  pendingSellStart: number;
}

interface BookState {
  venue: string;
  instrument: string;
  candidates: Map<string, Candidate>;
  byPlacement: EventWindow<Candidate>;
  owners: Map<string, OwnerState>;
  /** Order flow of every owner active on the book, per side, decayed over the window. */
  flows: Map<string, OrderFlow>;
}

/**
 * Quantity an owner sent as new orders on each side, exponentially decayed with time
 * constant `windowMs`: a market maker's flow is two-sided, a spoofer's is dominated by
 * the fake side.
 */
interface OrderFlow {
  lastTs: number;
  buyQty: number;
  sellQty: number;
}

/** An episode handed to the typology's decision. */
export interface PressureEpisode {
  venue: string;
  instrument: string;
  owner: string;
  side: Side;
  /** Cancelled orders of the episode, oldest first. */
  orders: readonly Readonly<Candidate>[];
  /** Still-resting followed orders of the owner on the same side that overlapped the trades. */
  liveOverlapping: number;
  /** Distinct prices among the episode's orders (cancelled and still resting). */
  levels: number;
  /** The owner's trades on the other side during the orders' lifetimes. */
  executions: readonly Readonly<Execution>[];
  /** Of the owner's followed orders on that side ended within the window: how many, how many cancelled young. */
  endedInWindow: number;
  cancelledInWindow: number;
  /** Event time of the decision. */
  now: number;
}

const BUY_BIT = 1;
const SELL_BIT = 2;

/** Serializable state of an {@link OrderPressureTracker}. */
export interface OrderPressureSnapshot {
  books: {
    venue: string;
    instrument: string;
    live: Candidate[];
    flows: [owner: string, lastTs: number, buyQty: number, sellQty: number][];
    owners: {
      owner: string;
      lastTs: number;
      ended: Ended[];
      executions: Execution[];
      lastEpisodeTs: number | null;
    }[];
  }[];
}

/**
 * Follows large one-sided orders and decides episodes through `decide`. One tracker per
 * detector instance.
 */
export class OrderPressureTracker {
  private books: BookStates<BookState>;
  private pending: { book: BookState; owner: OwnerState }[] = [];
  private pendingTs = Number.NEGATIVE_INFINITY;
  private readonly lifetimeUs: number;
  private readonly windowUs: number;
  private readonly cooldownUs: number;

  constructor(
    private readonly config: OrderPressureConfig,
    /** True when the episode is this typology's (e.g. its number of levels fits). */
    private readonly accepts: (episode: PressureEpisode) => boolean,
    /** Builds and emits the signal of an accepted episode. */
    private readonly report: (episode: PressureEpisode, ctx: DetectorContext) => void,
  ) {
    this.lifetimeUs = msToUs(config.maxLifetimeMs);
    this.windowUs = msToUs(config.windowMs);
    this.cooldownUs = msToUs(config.cooldownMs);
    this.books = this.newBooks();
  }

  private newBooks(): BookStates<BookState> {
    return new BookStates((venue, instrument) => ({
      venue,
      instrument,
      candidates: new Map(),
      byPlacement: new EventWindow<Candidate>(this.lifetimeUs, MAX_CANDIDATES_PER_BOOK),
      owners: new Map(),
      flows: new Map(),
    }));
  }

  onEvent(e: MarketEvent, ctx: DetectorContext): void {
    if (this.pending.length > 0 && e.ts > this.pendingTs) this.decidePending(ctx);
    switch (e.kind) {
      case 'order_new': {
        const book = this.books.get(e.venue, e.instrument);
        const flow = this.addFlow(book, ctx.ownerOf(e.account), e.side, e.qty, e.ts);
        if (e.type === 'limit') {
          this.onNew(e, book, flow, ctx);
          this.sampleLevels(book, ctx.ownerOf(e.account), e.side, e.ts, ctx);
        }
        break;
      }
      case 'order_cancel': {
        const book = this.books.peek(e.venue, e.instrument);
        if (book === undefined) return;
        const c = book.candidates.get(e.orderId);
        if (c === undefined) return;
        const order = ctx.update.order;
        const filled = order === undefined ? 0 : order.filledQty;
        const isYoung = e.ts - c.ts <= this.lifetimeUs;
        const isUnfilled = filled <= this.config.maxFillRatio * c.qty;
        c.cancelRef = evidenceRef(e);
        c.levelsAtOnce = Math.max(c.levelsAtOnce, this.youngLevels(c, e.ts, ctx));
        this.end(book, c, e.ts, isYoung && isUnfilled);
        break;
      }
      case 'order_replace': {
        const book = this.books.get(e.venue, e.instrument);
        // A re-quote is order flow too: market makers mostly move their quotes by replacing.
        const order = ctx.update.order;
        if (order !== undefined) this.addFlow(book, ctx.ownerOf(e.account), order.side, e.qty, e.ts);
        const c = book.candidates.get(e.orderId);
        if (c === undefined) return;
        // A replace keeps the order's identity and age (as venues do); it is followed at its new price.
        c.price = e.price;
        if (e.qty > c.qty) c.qty = e.qty;
        break;
      }
      case 'trade':
        this.onTrade(e, ctx);
        break;
      case 'quote':
        break;
    }
  }

  onTime(now: number, ctx: DetectorContext): void {
    if (this.pending.length > 0 && now > this.pendingTs) this.decidePending(ctx);
    const ageCutoff = now - this.lifetimeUs;
    const windowCutoff = now - this.windowUs;
    for (const [venue, instrument, book] of this.books.entries()) {
      // Orders still resting past the lifetime are no longer short-lived: stop following them.
      const queue = book.byPlacement;
      while (queue.size > 0 && queue.get(0).ts < ageCutoff) {
        const oldest = queue.shift() as Candidate;
        if (oldest.endTs === null && book.candidates.get(oldest.orderId) === oldest) {
          this.end(book, oldest, now, false);
        }
      }
      for (const [key, owner] of book.owners) {
        owner.ended.evictBefore(windowCutoff);
        owner.executions.evictBefore(windowCutoff);
        const isCooling = owner.lastEpisodeTs !== null && owner.lastEpisodeTs >= now - this.cooldownUs;
        if (
          owner.live.length === 0 &&
          owner.ended.size === 0 &&
          owner.pendingSides === 0 &&
          !isCooling &&
          owner.lastTs < windowCutoff
        ) {
          book.owners.delete(key);
        }
      }
      // After five time constants a flow has decayed below 1% of itself: forget it.
      const flowCutoff = now - 5 * this.windowUs;
      for (const [key, flow] of book.flows) if (flow.lastTs < flowCutoff) book.flows.delete(key);
      if (book.candidates.size === 0 && book.owners.size === 0 && book.flows.size === 0) {
        this.books.delete(venue, instrument);
      }
    }
  }

  reset(): void {
    this.books = this.newBooks();
    this.pending = [];
    this.pendingTs = Number.NEGATIVE_INFINITY;
  }

  snapshot(): OrderPressureSnapshot {
    const books: OrderPressureSnapshot['books'] = [];
    for (const [venue, instrument, book] of this.books.entries()) {
      books.push({
        venue,
        instrument,
        live: book.byPlacement.toArray().filter((c) => c.endTs === null),
        flows: [...book.flows].map(([owner, f]) => [owner, f.lastTs, f.buyQty, f.sellQty]),
        owners: [...book.owners.values()].map((o) => ({
          owner: o.owner,
          lastTs: o.lastTs,
          ended: o.ended.toArray(),
          executions: o.executions.toArray(),
          lastEpisodeTs: o.lastEpisodeTs,
        })),
      });
    }
    return structuredClone({ books });
  }

  restore(state: unknown): void {
    this.reset();
    const snap = structuredClone(state) as OrderPressureSnapshot | undefined;
    if (snap === undefined || !Array.isArray(snap.books)) return;
    for (const b of snap.books) {
      const book = this.books.get(b.venue, b.instrument);
      for (const [owner, lastTs, buyQty, sellQty] of b.flows)
        book.flows.set(owner, { lastTs, buyQty, sellQty });
      for (const o of b.owners) {
        const owner = this.newOwner(o.owner, o.lastTs);
        owner.lastEpisodeTs = o.lastEpisodeTs;
        owner.executions.fill(o.executions);
        // Ended orders share identity with nothing else; candidates resting are relinked below.
        owner.ended.fill(o.ended);
        book.owners.set(o.owner, owner);
      }
      for (const c of b.live) {
        book.candidates.set(c.orderId, c);
        book.byPlacement.push(c);
        this.ownerOf(book, c.owner, c.ts).live.push(c);
      }
    }
  }

  private newOwner(owner: string, ts: number): OwnerState {
    return {
      owner,
      lastTs: ts,
      live: [],
      ended: new EventWindow<Ended>(this.windowUs, MAX_PER_OWNER),
      executions: new EventWindow<Execution>(this.windowUs, MAX_PER_OWNER),
      lastEpisodeTs: null,
      pendingSides: 0,
      pendingBuyStart: Number.POSITIVE_INFINITY,
      pendingSellStart: Number.POSITIVE_INFINITY,
    };
  }

  private ownerOf(book: BookState, owner: string, ts: number): OwnerState {
    let state = book.owners.get(owner);
    if (state === undefined) {
      state = this.newOwner(owner, ts);
      book.owners.set(owner, state);
    }
    if (ts > state.lastTs) state.lastTs = ts;
    return state;
  }

  private addFlow(book: BookState, owner: string, side: Side, qty: number, ts: number): OrderFlow {
    let flow = book.flows.get(owner);
    if (flow === undefined) {
      flow = { lastTs: ts, buyQty: 0, sellQty: 0 };
      book.flows.set(owner, flow);
    } else if (ts > flow.lastTs) {
      const decay = Math.exp((flow.lastTs - ts) / this.windowUs);
      flow.buyQty *= decay;
      flow.sellQty *= decay;
      flow.lastTs = ts;
    }
    if (side === 'buy') flow.buyQty += qty;
    else flow.sellQty += qty;
    return flow;
  }

  private onNew(e: OrderNew, book: BookState, flow: OrderFlow, ctx: DetectorContext): void {
    const orderBook = ctx.book(e.venue, e.instrument);
    if (orderBook === undefined) return;
    const cfg = this.config;
    const otherBest = orderBook.sideOf(opposite(e.side)).best();
    // A marketable order trades at once: it is no fake pressure.
    if (e.side === 'buy' ? e.price >= otherBest : e.price <= otherBest) return;
    const side = orderBook.sideOf(e.side);
    const levelsFromTouch = side.levelIndexOf(e.price);
    let distanceBps = 0;
    if (levelsFromTouch > 0) {
      const best = side.best();
      distanceBps = (Math.abs(e.price - best) / best) * 10_000;
      if (distanceBps > cfg.maxDistanceBps) return;
    }
    // Mean size of a level of the best `depthLevels` levels, without this order.
    let depth = side.depth(cfg.depthLevels);
    let levels = Math.min(cfg.depthLevels, side.levelCount);
    if (levelsFromTouch < cfg.depthLevels) {
      depth -= e.qty;
      if (side.qtyAt(e.price) <= e.qty * (1 + 1e-9)) levels--;
    }
    if (levels <= 0 || !(depth > 0)) return;
    const levelQty = depth / levels;
    if (e.qty < cfg.minOrderSizeToLevel * levelQty) return;

    const owner = ctx.ownerOf(e.account);
    let sameSide = 0;
    let otherSide = 0;
    const mapped = ctx.owners.accountsOf(owner);
    if (!mapped.includes(e.account)) mapped.push(e.account);
    for (let i = 0; i < mapped.length; i++) {
      const account = mapped[i] as string;
      sameSide += orderBook.accountExposure(account, e.side).qty;
      otherSide += orderBook.accountExposure(account, opposite(e.side)).qty;
    }
    const restingImbalance = otherSide > 0 ? Math.min(MAX_IMBALANCE, sameSide / otherSide) : MAX_IMBALANCE;
    const flowSame = e.side === 'buy' ? flow.buyQty : flow.sellQty;
    const flowOther = e.side === 'buy' ? flow.sellQty : flow.buyQty;
    const flowImbalance = flowOther > 0 ? Math.min(MAX_IMBALANCE, flowSame / flowOther) : MAX_IMBALANCE;
    // Both must be one-sided: what rests now, and what the owner has been sending.
    const imbalance = Math.min(restingImbalance, flowImbalance);
    if (imbalance < cfg.minSideImbalance) return;

    const c: Candidate = {
      ts: e.ts,
      orderId: e.orderId,
      account: e.account,
      owner,
      side: e.side,
      price: e.price,
      qty: e.qty,
      levelsFromTouch,
      distanceBps,
      levelQty,
      imbalance,
      levelsAtOnce: 1,
      ref: evidenceRef(e),
      endTs: null,
      isCancelledYoung: false,
      isConsumed: false,
      cancelRef: null,
    };
    const previous = book.candidates.get(e.orderId);
    if (previous !== undefined) this.end(book, previous, e.ts, false);
    book.candidates.set(e.orderId, c);
    book.byPlacement.push(c);
    this.ownerOf(book, owner, e.ts).live.push(c);
  }

  /** Updates `levelsAtOnce` of the owner's followed orders resting on `side`. */
  private sampleLevels(
    book: BookState,
    ownerName: string,
    side: Side,
    now: number,
    ctx: DetectorContext,
  ): void {
    const owner = book.owners.get(ownerName);
    if (owner === undefined || owner.live.length === 0) return;
    let levels = -1;
    for (const c of owner.live) {
      if (c.side !== side) continue;
      if (levels < 0) levels = this.youngLevels(c, now, ctx);
      if (levels > c.levelsAtOnce) c.levelsAtOnce = levels;
    }
  }

  private youngLevels(c: Candidate, now: number, ctx: DetectorContext): number {
    const orderBook = ctx.book(c.ref.venue, c.ref.instrument);
    const prices = [c.price];
    if (orderBook === undefined) return 1;
    const accounts = ctx.owners.accountsOf(c.owner);
    if (!accounts.includes(c.account)) accounts.push(c.account);
    for (const account of accounts) {
      for (const o of orderBook.ordersOf(account)) {
        if (o.side === c.side && now - o.placedTs <= this.lifetimeUs && !prices.includes(o.price)) {
          prices.push(o.price);
        }
      }
    }
    return prices.length;
  }

  private onTrade(e: Trade, ctx: DetectorContext): void {
    const book = this.books.peek(e.venue, e.instrument);
    if (book === undefined) return;
    // Followed orders filled to the end leave as bona fide (they traded).
    const update = ctx.update;
    if (update.buyOrder !== undefined && update.buyOrder.qty <= 0)
      this.endFilled(book, update.buyOrder.orderId, e.ts);
    if (update.sellOrder !== undefined && update.sellOrder.qty <= 0) {
      this.endFilled(book, update.sellOrder.orderId, e.ts);
    }
    if (book.owners.size === 0) return;
    if (e.buyAccount !== undefined) this.recordExecution(book, e, 'buy', e.buyAccount, ctx);
    if (e.sellAccount !== undefined) this.recordExecution(book, e, 'sell', e.sellAccount, ctx);
  }

  private endFilled(book: BookState, orderId: string, ts: number): void {
    const c = book.candidates.get(orderId);
    if (c !== undefined) this.end(book, c, ts, false);
  }

  private recordExecution(
    book: BookState,
    e: Trade,
    side: Side,
    account: string,
    ctx: DetectorContext,
  ): void {
    const owner = book.owners.get(ctx.ownerOf(account));
    if (owner === undefined) return;
    owner.executions.push({
      ts: e.ts,
      side,
      qty: e.qty,
      price: e.price,
      account,
      ref: evidenceRef(e, account, side),
    });
    if (e.ts > owner.lastTs) owner.lastTs = e.ts;
  }

  /** The order left the book (or stopped being followed). */
  private end(book: BookState, c: Candidate, ts: number, isCancelledYoung: boolean): void {
    book.candidates.delete(c.orderId);
    c.endTs = ts;
    c.isCancelledYoung = isCancelledYoung;
    const owner = this.ownerOf(book, c.owner, ts);
    const i = owner.live.indexOf(c);
    if (i >= 0) owner.live.splice(i, 1);
    owner.ended.push({ ts, candidate: c });
    if (!isCancelledYoung) return;
    // Decide once every cancel stamped with this time has arrived: a layerer pulls all its
    // levels in one instant, and the episode is the whole set.
    const bit = c.side === 'buy' ? BUY_BIT : SELL_BIT;
    if (owner.pendingSides === 0) this.pending.push({ book, owner });
    owner.pendingSides |= bit;
    if (c.side === 'buy') owner.pendingBuyStart = Math.min(owner.pendingBuyStart, c.ts);
    else owner.pendingSellStart = Math.min(owner.pendingSellStart, c.ts);
    if (ts > this.pendingTs) this.pendingTs = ts;
  }

  private decidePending(ctx: DetectorContext): void {
    const pending = this.pending;
    // The decision belongs to the instant of the cancels, not to the (possibly much later)
    // time of the event or tick that reveals no more cancels share it.
    const at = this.pendingTs;
    this.pending = [];
    this.pendingTs = Number.NEGATIVE_INFINITY;
    for (const { book, owner } of pending) {
      const sides = owner.pendingSides;
      const buyStart = owner.pendingBuyStart;
      const sellStart = owner.pendingSellStart;
      owner.pendingSides = 0;
      owner.pendingBuyStart = Number.POSITIVE_INFINITY;
      owner.pendingSellStart = Number.POSITIVE_INFINITY;
      if (sides & BUY_BIT) this.decide(book, owner, 'buy', buyStart, at, ctx);
      if (sides & SELL_BIT) this.decide(book, owner, 'sell', sellStart, at, ctx);
    }
  }

  /**
   * Decides on the orders of `owner` on `side` just cancelled: the episode is every young,
   * unfilled cancelled order that rested at the same time as them (from `start`, the
   * earliest placement among them, to `now`) and overlapped a trade on the other side.
   * Orders of earlier, separate bursts are not pulled in.
   */
  private decide(
    book: BookState,
    owner: OwnerState,
    side: Side,
    start: number,
    now: number,
    ctx: DetectorContext,
  ): void {
    const windowCutoff = now - this.windowUs;
    owner.ended.evictBefore(windowCutoff);
    owner.executions.evictBefore(windowCutoff);
    const other = opposite(side);
    const executions: Execution[] = [];
    for (let i = 0; i < owner.executions.size; i++) {
      const x = owner.executions.get(i);
      if (x.side === other) executions.push(x);
    }
    if (executions.length === 0) return;

    const orders: Candidate[] = [];
    const overlapping: Execution[] = [];
    let endedInWindow = 0;
    let cancelledInWindow = 0;
    for (let i = 0; i < owner.ended.size; i++) {
      const c = owner.ended.get(i).candidate;
      if (c.side !== side) continue;
      endedInWindow++;
      if (!c.isCancelledYoung) continue;
      cancelledInWindow++;
      if (c.isConsumed) continue;
      const end = c.endTs ?? now;
      if (end < start) continue;
      let overlaps = false;
      for (const x of executions) {
        if (x.ts >= c.ts && x.ts <= end) {
          overlaps = true;
          if (!overlapping.includes(x)) overlapping.push(x);
        }
      }
      if (overlaps) orders.push(c);
    }
    if (orders.length === 0) return;
    const prices: number[] = [];
    let levelsAtOnce = 0;
    for (const c of orders) {
      if (!prices.includes(c.price)) prices.push(c.price);
      if (c.levelsAtOnce > levelsAtOnce) levelsAtOnce = c.levelsAtOnce;
    }
    let liveOverlapping = 0;
    for (const c of owner.live) {
      if (c.side !== side) continue;
      for (const x of overlapping) {
        if (x.ts >= c.ts) {
          liveOverlapping++;
          if (!prices.includes(c.price)) prices.push(c.price);
          break;
        }
      }
    }
    overlapping.sort((a, b) => a.ts - b.ts);
    const episode: PressureEpisode = {
      venue: book.venue,
      instrument: book.instrument,
      owner: owner.owner,
      side,
      orders,
      liveOverlapping,
      levels: Math.max(prices.length, levelsAtOnce),
      executions: overlapping,
      endedInWindow,
      cancelledInWindow,
      now,
    };
    const cfg = this.config;
    if (orders.length < cfg.minOrders) return;
    if (cancelledInWindow / endedInWindow < cfg.minCancelRatio) return;
    if (sizeToLevel(episode) < cfg.minSizeToLevel) return;
    if (!this.accepts(episode)) return;
    for (const c of orders) c.isConsumed = true;
    const isCooling = owner.lastEpisodeTs !== null && now - owner.lastEpisodeTs < this.cooldownUs;
    owner.lastEpisodeTs = now;
    if (isCooling) return;
    this.report(episode, ctx);
  }
}

/** Total cancelled quantity of an episode over the mean level size its orders joined. */
export function sizeToLevel(episode: PressureEpisode): number {
  let qty = 0;
  let level = 0;
  for (const c of episode.orders) {
    qty += c.qty;
    level += c.levelQty;
  }
  return level > 0 ? qty / (level / episode.orders.length) : 0;
}

/** The numbers of an episode, as signal metrics and for its sentence. */
export interface EpisodeMeasures {
  orders: number;
  levels: number;
  cancelledQty: number;
  sizeToLevel: number;
  sideImbalance: number;
  cancelRatio: number;
  medianLifetimeUs: number;
  oppositeQty: number;
  oppositeTrades: number;
  nearestLevelsFromTouch: number;
  nearestDistanceBps: number;
  windowStart: number;
  windowEnd: number;
}

/** Measures an episode. */
export function measure(episode: PressureEpisode): EpisodeMeasures {
  const lifetimes: number[] = [];
  let qty = 0;
  let imbalance = 0;
  let nearest = Number.POSITIVE_INFINITY;
  let nearestBps = Number.POSITIVE_INFINITY;
  let start = Number.POSITIVE_INFINITY;
  let end = Number.NEGATIVE_INFINITY;
  for (const c of episode.orders) {
    qty += c.qty;
    lifetimes.push((c.endTs ?? episode.now) - c.ts);
    if (c.imbalance > imbalance) imbalance = c.imbalance;
    if (c.levelsFromTouch < nearest) nearest = c.levelsFromTouch;
    if (c.distanceBps < nearestBps) nearestBps = c.distanceBps;
    if (c.ts < start) start = c.ts;
    if ((c.endTs ?? episode.now) > end) end = c.endTs ?? episode.now;
  }
  lifetimes.sort((a, b) => a - b);
  let oppositeQty = 0;
  for (const x of episode.executions) {
    oppositeQty += x.qty;
    if (x.ts < start) start = x.ts;
  }
  return {
    orders: episode.orders.length,
    levels: episode.levels,
    cancelledQty: qty,
    sizeToLevel: sizeToLevel(episode),
    sideImbalance: imbalance,
    cancelRatio: episode.endedInWindow > 0 ? episode.cancelledInWindow / episode.endedInWindow : 0,
    medianLifetimeUs: lifetimes[Math.floor((lifetimes.length - 1) / 2)] ?? 0,
    oppositeQty,
    oppositeTrades: episode.executions.length,
    nearestLevelsFromTouch: nearest,
    nearestDistanceBps: nearestBps,
    windowStart: start,
    windowEnd: end,
  };
}

/** Score, severity, metrics, evidence and sentence of an episode. */
export function describeEpisode(
  episode: PressureEpisode,
  config: OrderPressureConfig,
  what: string,
  extraMargins: readonly number[] = [],
): {
  score: number;
  severity: Severity;
  metrics: Record<string, number>;
  evidence: EventRef[];
  explanation: string;
  accounts: string[];
  window: { start: number; end: number };
} {
  const m = measure(episode);
  const maxLifetimeUs = msToUs(config.maxLifetimeMs);
  const score = scoreFromMargins([
    ramp(m.cancelRatio, config.minCancelRatio, 1),
    ramp(m.sizeToLevel, config.minSizeToLevel, config.minSizeToLevel * 4),
    ramp(m.sideImbalance, config.minSideImbalance, config.minSideImbalance * 10),
    ramp(maxLifetimeUs - m.medianLifetimeUs, 0, maxLifetimeUs),
    ...extraMargins,
  ]);
  const accounts: string[] = [];
  for (const c of episode.orders) if (!accounts.includes(c.account)) accounts.push(c.account);
  for (const x of episode.executions) if (!accounts.includes(x.account)) accounts.push(x.account);
  const refs: EventRef[] = [];
  for (const c of episode.orders) refs.push(c.ref);
  for (const x of episode.executions) refs.push(x.ref);
  for (const c of episode.orders) if (c.cancelRef !== null) refs.push(c.cancelRef);
  refs.sort((a, b) => a.ts - b.ts);
  const side = episode.side;
  const touch = side === 'sell' ? 'best ask' : 'best bid';
  const tradedVerb = side === 'sell' ? 'buying' : 'selling';
  const who =
    episode.owner === accounts[0]
      ? `Account ${episode.owner}`
      : `Owner ${episode.owner} (account ${accounts[0]})`;
  const where =
    m.nearestLevelsFromTouch === 0
      ? `at the ${touch}`
      : `${plural(m.nearestLevelsFromTouch, 'level')} (${fmtBps(m.nearestDistanceBps)}) behind the ${touch}`;
  const levelText = m.levels > 1 ? ` over ${m.levels} price levels` : '';
  const imbalanceText =
    m.sideImbalance >= MAX_IMBALANCE
      ? 'with nothing resting on the other side'
      : `${fmtNum(m.sideImbalance, 1)}× its resting ${opposite(side)} quantity`;
  const explanation =
    `${who} placed ${plural(m.orders, `${side} order`)} totalling ${fmtNum(m.cancelledQty, 4)} on ${episode.instrument}${levelText}, ` +
    `nearest ${where} (${fmtNum(m.sizeToLevel, 1)}× the mean level size, ${imbalanceText}), ` +
    `cancelled ${m.orders === 1 ? 'it' : 'them'} unfilled after a median ${fmtDuration(m.medianLifetimeUs)} while ${tradedVerb} ` +
    `${fmtNum(m.oppositeQty, 4)} in ${plural(m.oppositeTrades, 'trade')} on the other side; ` +
    `${fmtPct(m.cancelRatio)} of its ${plural(episode.endedInWindow, `large ${side} order`)} in the last ${fmtDuration(msToUs(config.windowMs))} were cancelled that way (${what}).`;
  return {
    score,
    severity: severityOf(score),
    metrics: {
      orders: m.orders,
      levels: m.levels,
      cancelledQty: m.cancelledQty,
      sizeToLevel: m.sizeToLevel,
      sideImbalance: m.sideImbalance,
      cancelRatio: m.cancelRatio,
      medianLifetimeMs: m.medianLifetimeUs / 1000,
      oppositeQty: m.oppositeQty,
      oppositeTrades: m.oppositeTrades,
      levelsFromTouch: m.nearestLevelsFromTouch,
      distanceBps: m.nearestDistanceBps,
    },
    evidence: capEvidence(refs, config.maxEvidence),
    explanation,
    accounts,
    window: { start: m.windowStart, end: m.windowEnd },
  };
}
