/**
 * Momentum ignition: one owner fires a quick series of aggressive orders that moves the
 * price, to set off other traders' momentum strategies, then trades the other way into
 * the move it provoked.
 *
 * Follows EU MAR Art. 12(2)(c)(iii) ("entering orders to initiate or exacerbate a trend")
 * and the "momentum ignition" practice of Commission Delegated Regulation (EU) 2016/522
 * Annex II, with MAR Annex I A(d)–(e) (position reversals in a short period; transactions
 * concentrated in a short time span that move the price, then reversed); see
 * docs/DETECTORS.md for the exact rule and the reason for every default.
 *
 * @example
 * ```ts
 * import { createEngine, momentumIgnition } from 'tapewatch';
 * const engine = createEngine({ detectors: [momentumIgnition({ minMoveBps: 10 })] });
 * ```
 * @see the `pump-and-dump` detector for the slower, crowd-driven run-up and reversal
 * @module
 */
import { z } from 'zod';
import type { EventRef, Side, Trade } from '../core/events';
import { msToUs } from '../core/time';
import type { Detector, DetectorContext } from '../engine/detector';
import { defineDetector } from '../engine/registry';
import {
  BookStates,
  bpsChange,
  capEvidence,
  EventWindow,
  evidenceRef,
  fmtBps,
  fmtDuration,
  fmtNum,
  fmtPct,
  opposite,
  parseDetectorConfig,
  plural,
  ramp,
  scoreFromMargins,
  severityOf,
} from './shared';

/** Most aggressive trades of one owner kept per book, whatever the rate. */
const MAX_TRADES_PER_OWNER = 4_096;

/** Configuration of {@link momentumIgnition}; every field has a documented default. */
export const MomentumIgnitionConfig = z.strictObject({
  /**
   * Window in which the aggressive orders of one ignition fall, ms. Default 300: an
   * ignition is a rapid-fire sequence tens of milliseconds apart, meant to move the price
   * before anyone reacts; traders who follow momentum decide once per look at the tape,
   * half a second or more apart.
   */
  igniteWindowMs: z.number().positive().max(600_000).default(300),
  /**
   * Fewest aggressive orders (distinct order IDs, else trades) of the owner in the window.
   * Default 4: rapid fire, where a momentum-following trader acts once per look at the tape.
   */
  minAggressiveOrders: z.number().int().min(1).max(100_000).default(4),
  /**
   * Least share of the book's traded volume in the window that the owner's aggressive
   * orders make up: the move must be the owner's doing. Default 0.8: an igniter owns the
   * tape for that moment; a latency arbitrageur taking stale quotes shares it.
   */
  minVolumeShare: z.number().min(0).max(1).default(0.8),
  /**
   * Least price move in the owner's direction, from the last price before its first
   * aggressive trade to the furthest price it traded at, in bps. Default 2: a few levels
   * swept on a liquid book (a tick is 0.02–0.7 bps on the simulator's majors).
   */
  minMoveBps: z.number().min(0).max(10_000).default(2),
  /** How long after the ignition's last aggressive trade a reversal counts, ms. Default 15 000. */
  reversalWindowMs: z.number().positive().max(3_600_000).default(15_000),
  /**
   * Least quantity the owner trades the other way (passive or aggressive), as a share of
   * what it bought (sold) in the ignition. Default 0.4: unwinding a good part of the
   * position, where the simulator's igniter sells half at a time.
   */
  minReversalRatio: z.number().positive().max(100).default(0.4),
  /** After a signal, the same owner and book stay quiet this long, ms. Default 30 000. */
  cooldownMs: z.number().min(0).max(86_400_000).default(30_000),
  /** Most evidence references per signal. Default 30. */
  maxEvidence: z.number().int().min(2).max(1_000).default(30),
});

/** Input of {@link momentumIgnition}: any subset of the fields. */
export type MomentumIgnitionConfigInput = z.input<typeof MomentumIgnitionConfig>;

/** Detector version: bumps when the rule changes. */
export const MOMENTUM_IGNITION_VERSION = '1';

interface AggressiveTrade {
  ts: number;
  side: Side;
  qty: number;
  price: number;
  /** Last trade price of the book before this trade. */
  priceBefore: number;
  orderId: string;
  account: string;
  ref: EventRef;
}

interface Ignition {
  side: Side;
  startTs: number;
  lastTs: number;
  qty: number;
  orders: number;
  startPrice: number;
  /** Furthest price in the ignition's direction. */
  extremePrice: number;
  volumeShare: number;
  refs: EventRef[];
  accounts: string[];
  reversalQty: number;
  reversalNotional: number;
  reversalRefs: EventRef[];
}

interface OwnerState {
  lastTs: number;
  trades: EventWindow<AggressiveTrade>;
  ignition: Ignition | null;
  lastSignalTs: number | null;
}

interface BookState {
  lastPrice: number;
  owners: Map<string, OwnerState>;
}

/**
 * The momentum-ignition detector.
 *
 * @param config - overrides of {@link MomentumIgnitionConfig}'s defaults
 * @throws {@link ConfigError} naming `detectors.momentum-ignition.<field>` of every invalid field
 */
export function momentumIgnition(config: MomentumIgnitionConfigInput = {}): Detector {
  return new MomentumIgnitionDetector(
    parseDetectorConfig('momentum-ignition', MomentumIgnitionConfig, config),
  );
}

class MomentumIgnitionDetector implements Detector {
  readonly id = 'momentum-ignition';
  readonly version = MOMENTUM_IGNITION_VERSION;
  private books = this.newBooks();
  private readonly igniteUs: number;
  private readonly reversalUs: number;
  private readonly cooldownUs: number;

  constructor(private readonly cfg: z.output<typeof MomentumIgnitionConfig>) {
    this.igniteUs = msToUs(cfg.igniteWindowMs);
    this.reversalUs = msToUs(cfg.reversalWindowMs);
    this.cooldownUs = msToUs(cfg.cooldownMs);
  }

  private newBooks(): BookStates<BookState> {
    return new BookStates(() => ({ lastPrice: Number.NaN, owners: new Map() }));
  }

  onEvent(e: Parameters<Detector['onEvent']>[0], ctx: DetectorContext): void {
    if (e.kind !== 'trade') return;
    const book = this.books.get(e.venue, e.instrument);
    const priceBefore = book.lastPrice;
    book.lastPrice = e.price;
    const aggressorAccount = e.aggressor === 'buy' ? e.buyAccount : e.sellAccount;
    const passiveAccount = e.aggressor === 'buy' ? e.sellAccount : e.buyAccount;
    if (aggressorAccount !== undefined) {
      const owner = ctx.ownerOf(aggressorAccount);
      this.onOwnerTrade(book, owner, aggressorAccount, e.aggressor, e, ctx);
      this.onAggressive(book, owner, aggressorAccount, e, priceBefore, ctx);
    }
    if (passiveAccount !== undefined) {
      const owner = book.owners.get(ctx.ownerOf(passiveAccount));
      if (owner !== undefined) {
        this.onOwnerTrade(book, ctx.ownerOf(passiveAccount), passiveAccount, opposite(e.aggressor), e, ctx);
      }
    }
  }

  onTime(now: number): void {
    const cutoff = now - Math.max(this.igniteUs + this.reversalUs, this.cooldownUs);
    for (const [venue, instrument, book] of this.books.entries()) {
      for (const [key, owner] of book.owners) {
        owner.trades.evictBefore(now - this.igniteUs);
        if (owner.ignition !== null && owner.ignition.lastTs < now - this.reversalUs) owner.ignition = null;
        if (owner.lastTs < cutoff && owner.ignition === null) book.owners.delete(key);
      }
      if (book.owners.size === 0 && book.lastPrice !== book.lastPrice) this.books.delete(venue, instrument);
    }
  }

  reset(): void {
    this.books = this.newBooks();
  }

  snapshot(): unknown {
    const books: unknown[] = [];
    for (const [venue, instrument, book] of this.books.entries()) {
      books.push({
        venue,
        instrument,
        lastPrice: Number.isNaN(book.lastPrice) ? null : book.lastPrice,
        owners: [...book.owners].map(([owner, s]) => ({
          owner,
          lastTs: s.lastTs,
          trades: s.trades.toArray(),
          ignition: s.ignition,
          lastSignalTs: s.lastSignalTs,
        })),
      });
    }
    return structuredClone({ books });
  }

  restore(state: unknown): void {
    this.reset();
    const saved = structuredClone(state) as
      | {
          books: {
            venue: string;
            instrument: string;
            lastPrice: number | null;
            owners: {
              owner: string;
              lastTs: number;
              trades: AggressiveTrade[];
              ignition: Ignition | null;
              lastSignalTs: number | null;
            }[];
          }[];
        }
      | undefined;
    for (const b of saved?.books ?? []) {
      const book = this.books.get(b.venue, b.instrument);
      book.lastPrice = b.lastPrice ?? Number.NaN;
      for (const o of b.owners) {
        const s = this.newOwner(o.lastTs);
        s.trades.fill(o.trades);
        s.ignition = o.ignition;
        s.lastSignalTs = o.lastSignalTs;
        book.owners.set(o.owner, s);
      }
    }
  }

  private newOwner(ts: number): OwnerState {
    return {
      lastTs: ts,
      trades: new EventWindow<AggressiveTrade>(this.igniteUs, MAX_TRADES_PER_OWNER),
      ignition: null,
      lastSignalTs: null,
    };
  }

  /** A trade of an owner, either role: may be the reversal of its ignition. */
  private onOwnerTrade(
    book: BookState,
    ownerName: string,
    account: string,
    side: Side,
    e: Trade,
    ctx: DetectorContext,
  ): void {
    const owner = book.owners.get(ownerName);
    const ignition = owner?.ignition;
    if (owner === undefined || ignition == null || side === ignition.side) return;
    if (e.ts - ignition.lastTs > this.reversalUs) {
      owner.ignition = null;
      return;
    }
    ignition.reversalQty += e.qty;
    ignition.reversalNotional += e.qty * e.price;
    if (ignition.reversalRefs.length < this.cfg.maxEvidence)
      ignition.reversalRefs.push(evidenceRef(e, account, side));
    if (!ignition.accounts.includes(account)) ignition.accounts.push(account);
    if (ignition.reversalQty < this.cfg.minReversalRatio * ignition.qty) return;
    owner.ignition = null;
    const isCooling = owner.lastSignalTs !== null && e.ts - owner.lastSignalTs < this.cooldownUs;
    owner.lastSignalTs = e.ts;
    if (!isCooling) this.report(ownerName, ignition, e, ctx);
  }

  private onAggressive(
    book: BookState,
    ownerName: string,
    account: string,
    e: Trade,
    priceBefore: number,
    ctx: DetectorContext,
  ): void {
    let owner = book.owners.get(ownerName);
    if (owner === undefined) {
      owner = this.newOwner(e.ts);
      book.owners.set(ownerName, owner);
    }
    if (e.ts > owner.lastTs) owner.lastTs = e.ts;
    const side = e.aggressor;
    const orderId = (side === 'buy' ? e.buyOrderId : e.sellOrderId) ?? e.tradeId;
    const trades = owner.trades;
    trades.evictBefore(e.ts - this.igniteUs);
    trades.push({
      ts: e.ts,
      side,
      qty: e.qty,
      price: e.price,
      priceBefore: priceBefore === priceBefore ? priceBefore : e.price,
      orderId,
      account,
      ref: evidenceRef(e, account, side),
    });

    // The owner's aggressive trades on this side within the window.
    let qty = 0;
    let orders = 0;
    let lastOrderId = '';
    let first: AggressiveTrade | undefined;
    let extreme = Number.NaN;
    for (let i = 0; i < trades.size; i++) {
      const t = trades.get(i);
      if (t.side !== side) continue;
      if (first === undefined) first = t;
      qty += t.qty;
      if (t.orderId !== lastOrderId) {
        orders++;
        lastOrderId = t.orderId;
      }
      if (!(side === 'buy' ? t.price <= extreme : t.price >= extreme)) extreme = t.price;
    }
    const cfg = this.cfg;
    if (first === undefined || orders < cfg.minAggressiveOrders) return;
    const moveBps = (side === 'buy' ? 1 : -1) * bpsChange(first.priceBefore, extreme);
    if (moveBps < cfg.minMoveBps) return;
    const stats = ctx.stats(e.venue, e.instrument);
    const seconds = Math.ceil((e.ts - first.ts) / 1_000_000) + 1;
    const volume = stats === undefined ? qty : stats.window(e.ts, seconds).volume;
    const share = volume > 0 ? Math.min(1, qty / volume) : 1;
    if (share < cfg.minVolumeShare) return;

    const ignition = owner.ignition;
    if (ignition !== null && ignition.side === side) {
      // The same ignition going on: extend it.
      ignition.lastTs = e.ts;
      if (qty > ignition.qty) ignition.qty = qty;
      ignition.orders = Math.max(ignition.orders, orders);
      if (side === 'buy' ? extreme > ignition.extremePrice : extreme < ignition.extremePrice) {
        ignition.extremePrice = extreme;
      }
      ignition.volumeShare = Math.max(ignition.volumeShare, share);
      if (ignition.refs.length < cfg.maxEvidence) ignition.refs.push(evidenceRef(e, account, side));
      return;
    }
    const refs: EventRef[] = [];
    const accounts: string[] = [];
    for (let i = 0; i < trades.size; i++) {
      const t = trades.get(i);
      if (t.side !== side) continue;
      refs.push(t.ref);
      if (!accounts.includes(t.account)) accounts.push(t.account);
    }
    owner.ignition = {
      side,
      startTs: first.ts,
      lastTs: e.ts,
      qty,
      orders,
      startPrice: first.priceBefore,
      extremePrice: extreme,
      volumeShare: share,
      refs,
      accounts,
      reversalQty: 0,
      reversalNotional: 0,
      reversalRefs: [],
    };
  }

  private report(owner: string, g: Ignition, e: Trade, ctx: DetectorContext): void {
    const cfg = this.cfg;
    const moveBps = (g.side === 'buy' ? 1 : -1) * bpsChange(g.startPrice, g.extremePrice);
    const reversalRatio = g.reversalQty / g.qty;
    const reversalPrice = g.reversalNotional / g.reversalQty;
    const gapUs = e.ts - g.lastTs;
    const score = scoreFromMargins([
      ramp(moveBps, cfg.minMoveBps, cfg.minMoveBps * 4),
      ramp(g.volumeShare, cfg.minVolumeShare, 1),
      ramp(g.orders, cfg.minAggressiveOrders, cfg.minAggressiveOrders * 3),
      ramp(reversalRatio, cfg.minReversalRatio, 1),
    ]);
    const primary = g.accounts[0] ?? owner;
    const who = owner === primary ? `Account ${owner}` : `Owner ${owner} (account ${primary})`;
    const verb = g.side === 'buy' ? 'bought' : 'sold';
    const reverseVerb = g.side === 'buy' ? 'sold' : 'bought';
    const direction = g.side === 'buy' ? 'up' : 'down';
    const explanation =
      `${who} ${verb} ${fmtNum(g.qty, 4)} on ${e.instrument} in ${plural(g.orders, 'aggressive order')} within ` +
      `${fmtDuration(g.lastTs - g.startTs)} (${fmtPct(g.volumeShare)} of the volume traded), moving the price ${direction} ` +
      `${fmtBps(moveBps)} from ${fmtNum(g.startPrice, 6)} to ${fmtNum(g.extremePrice, 6)}, then ${reverseVerb} ` +
      `${fmtNum(g.reversalQty, 4)} (${fmtPct(reversalRatio)} of it) at an average ${fmtNum(reversalPrice, 6)} ` +
      `within ${fmtDuration(gapUs)} after the last aggressive order.`;
    ctx.emit({
      typology: 'momentum_ignition',
      venue: e.venue,
      instrument: e.instrument,
      accounts: g.accounts,
      window: { start: g.startTs, end: e.ts },
      score,
      severity: severityOf(score),
      metrics: {
        aggressiveOrders: g.orders,
        aggressiveQty: g.qty,
        volumeShare: g.volumeShare,
        moveBps,
        startPrice: g.startPrice,
        extremePrice: g.extremePrice,
        reversalQty: g.reversalQty,
        reversalRatio,
        reversalPrice,
        reversalDelayMs: gapUs / 1000,
      },
      evidence: capEvidence([...g.refs, ...g.reversalRefs], cfg.maxEvidence),
      explanation,
    });
  }
}

/** `detectors.momentum-ignition` in tapewatch.yaml. */
export const momentumIgnitionDefinition = defineDetector({
  id: 'momentum-ignition',
  description: "one owner's burst of aggressive orders that moves the price, then trading the reversal",
  configSchema: MomentumIgnitionConfig,
  create: (config) => momentumIgnition(config),
});
