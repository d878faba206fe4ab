/**
 * Wash trading: trades that change no beneficial ownership. One owner on both sides
 * (self-trades across its accounts), two owners passing the same quantity back and forth
 * (pre-arranged round trips), a ring of three or more owners passing it round (cycles),
 * and one owner's wallets buying from and selling to a DEX pool back and forth.
 *
 * @module
 */
import { z } from 'zod';
import type { EventRef, MarketEvent, Trade } from '../core/events';
import type { Detector, DetectorContext } from '../engine/detector';
import { defineDetector } from '../engine/registry';
import {
  bookKey,
  capEvidence,
  fmtDuration,
  fmtNum,
  fmtPct,
  plural,
  ramp,
  scoreFromMargins,
  severityOf,
} from './shared';
import { stronglyConnectedComponents } from './strongly-connected';
import {
  accountsOf,
  countMatchedLegs,
  isNearQty,
  mergeByTime,
  recordRef,
  sumQty,
  type TradeRecord,
  WashBook,
} from './wash-book';

/**
 * Configuration of {@link washTrading}. Every field has a default; the reasons are on the
 * fields and in docs/DETECTORS.md.
 */
export const WashTradingConfig = z.strictObject({
  /**
   * Look-back of every pattern, ms. Pre-arranged trades are crossed within seconds of each
   * other; a minute holds several laps of a round trip or ring without keeping a day.
   */
  windowMs: z.number().positive().max(3_600_000).default(60_000),
  /**
   * Self-trades of one owner within the window that make a signal. One is often an
   * accident (two sub-accounts' orders crossing on a venue without self-trade prevention);
   * a second within a minute is a pattern.
   */
  minSelfTrades: z.number().int().min(1).max(10_000).default(2),
  /**
   * Matched back-and-forth pairs (A buys from B, then B buys the same size back from A)
   * between two owners within the window that make a signal. One is enough once the pair
   * also passes the concentration and matched-share tests: honest traders who reverse a
   * position with the same counterparty trade with many others too.
   */
  minRoundTrips: z.number().int().min(1).max(10_000).default(1),
  /** Largest relative size difference of two legs that count as one round trip (10%). */
  roundTripQtyTolerance: z.number().min(0).max(1).default(0.1),
  /** Largest relative price difference of two legs that count as one round trip (0.5%). */
  roundTripPriceTolerance: z.number().min(0).max(1).default(0.005),
  /**
   * Largest |bought − sold| / (bought + sold) of every owner involved: wash trades leave
   * positions exactly flat, lap after lap. 0.05 allows lot rounding; a dealer ring of two
   * market makers and a momentum trader on an illiquid token ended 10–17% off flat on the
   * simulator.
   */
  maxNetRatio: z.number().min(0).max(1).default(0.05),
  /**
   * Smallest share of each owner's own volume in the window that the pattern accounts for.
   * Colluders trade with each other; a market maker who reverses positions with one
   * client among many counterparties does not reach it, even when that client is a large
   * momentum trader (up to about 75% of a dealer's volume in a busy minute on the simulator).
   */
  minConcentration: z.number().min(0).max(1).default(0.8),
  /**
   * Smallest share of the pair's (or ring's) trades that are legs of a matched round trip
   * (or passed on at the same size round the ring). Pre-arranged trades come in matching
   * pairs; an active trader's flow with a dealer is a mix of sizes of which a few match
   * by chance.
   */
  minMatchedShare: z.number().min(0).max(1).default(0.6),
  /**
   * Smallest share of the book's volume in the window that a pattern makes up. Wash
   * trading exists to print volume; an accidental self-cross between two sub-accounts in a
   * liquid book is a sliver of it.
   */
  minVolumeShare: z.number().min(0).max(1).default(0.02),
  /** Fewest owners in a ring (a ring of two is a round trip). */
  minCycleOwners: z.number().int().min(3).max(100).default(3),
  /**
   * Most owners in a ring. The ordinary market is one large web in which everyone trades
   * with everyone; rings are small.
   */
  maxCycleOwners: z.number().int().min(3).max(1000).default(8),
  /** Fewest trades within a ring: one lap of a three-owner ring. */
  minCycleTrades: z.number().int().min(3).max(100_000).default(3),
  /** How often rings are searched for, ms of event time; bounds the detection delay. */
  cycleCheckIntervalMs: z.number().positive().max(600_000).default(250),
  /**
   * DEX round trips within one block that make a signal: a swap of one owner immediately
   * reversed, at matching size, by a swap of the same owner (any of its wallets) with no
   * other owner's swap between. One: nobody buys and sells the same amount back to back
   * in one block except to print volume (a sandwich has its victim between the legs).
   */
  minDexRoundTrips: z.number().int().min(1).max(10_000).default(1),
  /**
   * DEX round trips across blocks that make a signal: buy and sell pairs of one owner at
   * matching size in different blocks. Three, because an arbitrageur swaps both ways every
   * few blocks and now and then twice at similar sizes.
   */
  minDexRoundTripsAcrossBlocks: z.number().int().min(1).max(10_000).default(3),
  /**
   * Largest relative size difference of two DEX legs. Swaps state exact amounts, so wash
   * legs match almost exactly; 2% allows fee-on-transfer tokens.
   */
  dexQtyTolerance: z.number().min(0).max(1).default(0.02),
  /**
   * Largest relative price difference of two DEX legs. A swap's price includes the pool fee
   * and its own price impact, so a buy and a sell of the same amount differ by twice the
   * fee and more; 2% covers a 1% fee tier.
   */
  dexPriceTolerance: z.number().min(0).max(1).default(0.02),
  /** Share of the book's volume in the window from which severity reaches its top (25%). */
  highVolumeShare: z.number().positive().max(1).default(0.25),
  /** Trades kept per book, whatever the window: bounds memory on a burst. */
  maxTradesPerBook: z.number().int().min(10).max(10_000_000).default(200_000),
  /** Most evidence references in one signal (the first ones and the last). */
  maxEvidence: z.number().int().min(2).max(10_000).default(50),
});

/** Validated configuration of {@link washTrading}. */
export type WashTradingConfig = z.output<typeof WashTradingConfig>;
/** What {@link washTrading} accepts: any subset of the fields, the rest default. */
export type WashTradingConfigInput = z.input<typeof WashTradingConfig>;

/** Serializable state of the detector. */
interface WashTradingSnapshot {
  books: { venue: string; instrument: string; trades: TradeRecord[]; quietUntil: [string, number][] }[];
  nextCycleCheck: number | null;
}

/** What one pattern found, ready to become a signal. */
interface Finding {
  book: WashBook;
  pattern: 'self-trade' | 'round-trip' | 'cycle' | 'dex-round-trip';
  owners: string[];
  trades: TradeRecord[];
  /** The count the pattern's threshold applies to, and that threshold. */
  count: number;
  minCount: number;
  metrics: Record<string, number>;
  explanation: (volumeShareText: string, windowText: string) => string;
}

const DETECTOR_ID = 'wash-trading';
const VERSION = '3';

/**
 * Flags wash trading: trades that leave beneficial ownership unchanged.
 *
 * Four patterns, all within a sliding window of event time per (venue, instrument) and
 * all comparing beneficial owners (`owners:` in tapewatch.yaml), never raw accounts:
 * - **self-trades**: the same owner on both sides, across any of its accounts;
 * - **round trips**: owner A buys from B, then B buys back from A at nearly the same price
 *   and size, repeatedly, each owner ending nearly flat and trading mostly with the other;
 * - **cycles**: a strongly connected component of three or more owners in the graph
 *   "seller → buyer", every member nearly flat and trading mostly within the ring;
 * - **DEX round trips**: one owner's wallets buying from and selling to a pool back and
 *   forth at matching sizes, ending flat.
 *
 * Every signal reports the share of the book's volume in the window the pattern makes up.
 * Trades whose feed does not name both accounts are ignored: public prints cannot show
 * who traded with whom.
 *
 * @see dexSandwich for one owner's swaps around a victim's swap.
 * @example
 * ```ts
 * import { createEngine, washTrading } from 'tapewatch';
 * const engine = createEngine({
 *   detectors: [washTrading({ windowMs: 30_000 })],
 *   owners: { 'acct-7': 'owner-A', 'acct-8': 'owner-A' },
 * });
 * ```
 */
export function washTrading(config: WashTradingConfigInput = {}): Detector {
  return new WashTradingDetector(WashTradingConfig.parse(config));
}

class WashTradingDetector implements Detector {
  readonly id = DETECTOR_ID;
  readonly version = VERSION;
  private readonly windowUs: number;
  private readonly cycleCheckUs: number;
  private books = new Map<string, WashBook>();
  private nextCycleCheck = Number.NEGATIVE_INFINITY;

  constructor(private readonly config: WashTradingConfig) {
    this.windowUs = config.windowMs * 1000;
    this.cycleCheckUs = config.cycleCheckIntervalMs * 1000;
  }

  onEvent(e: MarketEvent, ctx: DetectorContext): void {
    if (e.kind !== 'trade') return;
    const buyAccount = e.buyAccount;
    const sellAccount = e.sellAccount;
    if (buyAccount === undefined || sellAccount === undefined) return;
    const book = this.bookOf(e.venue, e.instrument);
    book.evictBefore(e.ts - this.windowUs);
    const record = toRecord(e, buyAccount, sellAccount, ctx);
    if (record.isSwap) record.closesAdjacentPair = this.reversesPreviousSwap(book, record);
    book.add(record);
    if (record.isSwap) {
      this.checkDexRoundTrips(book, record.aggressor === 'buy' ? record.buyOwner : record.sellOwner, ctx);
    } else if (record.buyOwner === record.sellOwner) {
      this.checkSelfTrades(book, record.buyOwner, ctx);
    } else {
      this.checkRoundTrips(book, record.buyOwner, record.sellOwner, ctx);
    }
  }

  onTime(now: number, ctx: DetectorContext): void {
    // Rings are searched before eviction: when event time jumps (a quiet spell, the end of
    // a replay) the search sees the window as it was when the check fell due.
    if (now >= this.nextCycleCheck) {
      this.nextCycleCheck = now + this.cycleCheckUs;
      for (const book of this.books.values()) {
        if (!book.hasNewFlows) continue;
        book.hasNewFlows = false;
        this.checkCycles(book, ctx);
      }
    }
    const cutoff = now - this.windowUs;
    for (const [key, book] of this.books) {
      book.evictBefore(cutoff);
      if (book.trades.size === 0 && book.quietUntil.size === 0) this.books.delete(key);
    }
  }

  snapshot(): WashTradingSnapshot {
    const books: WashTradingSnapshot['books'] = [];
    for (const book of this.books.values()) {
      books.push({
        venue: book.venue,
        instrument: book.instrument,
        trades: structuredClone(book.trades.toArray()),
        quietUntil: [...book.quietUntil],
      });
    }
    return {
      books,
      nextCycleCheck: Number.isFinite(this.nextCycleCheck) ? this.nextCycleCheck : null,
    };
  }

  restore(state: unknown): void {
    const snapshot = state as WashTradingSnapshot;
    this.reset();
    for (const saved of snapshot.books) {
      const book = this.bookOf(saved.venue, saved.instrument);
      for (const t of saved.trades) book.add({ ...t });
      for (const [key, until] of saved.quietUntil) book.quietUntil.set(key, until);
    }
    this.nextCycleCheck = snapshot.nextCycleCheck ?? Number.NEGATIVE_INFINITY;
  }

  reset(): void {
    this.books.clear();
    this.nextCycleCheck = Number.NEGATIVE_INFINITY;
  }

  /** True when `swap` reverses the pool's previous swap, of the same owner, in the same block. */
  private reversesPreviousSwap(book: WashBook, swap: TradeRecord): boolean {
    const previous = book.trades.last();
    if (previous === undefined || !previous.isSwap || previous.block !== swap.block) return false;
    if (previous.closesAdjacentPair || previous.aggressor === swap.aggressor) return false;
    if (swapOwner(previous) !== swapOwner(swap)) return false;
    const cfg = this.config;
    return (
      isNearQty(previous.qty, swap.qty, cfg.dexQtyTolerance) &&
      Math.abs(previous.price - swap.price) <= cfg.dexPriceTolerance * Math.min(previous.price, swap.price)
    );
  }

  private bookOf(venue: string, instrument: string): WashBook {
    const key = bookKey(venue, instrument);
    let book = this.books.get(key);
    if (book === undefined) {
      book = new WashBook(venue, instrument, this.windowUs, this.config.maxTradesPerBook);
      this.books.set(key, book);
    }
    return book;
  }

  private checkSelfTrades(book: WashBook, owner: string, ctx: DetectorContext): void {
    const trades = book.selfTrades.get(owner);
    if (trades === undefined || trades.length < this.config.minSelfTrades) return;
    const volume = sumQty(trades);
    const accounts = accountsOf(trades);
    this.report(
      {
        book,
        pattern: 'self-trade',
        owners: [owner],
        trades,
        count: trades.length,
        minCount: this.config.minSelfTrades,
        metrics: { selfTrades: trades.length, volume, accounts: accounts.length },
        explanation: (share, span) =>
          `Owner ${owner} traded with itself ${plural(trades.length, 'time')} within ${span} through ` +
          `${accounts.length === 1 ? 'account' : 'accounts'} ${joinNames(accounts)}: ` +
          `${fmtNum(volume)} ${book.instrument}, ${share}.`,
      },
      ctx,
    );
  }

  private checkRoundTrips(book: WashBook, buyer: string, seller: string, ctx: DetectorContext): void {
    const cfg = this.config;
    const backs = book.flows.get(seller)?.get(buyer);
    if (backs === undefined) return;
    const forths = book.flows.get(buyer)?.get(seller) as TradeRecord[];
    const bought = sumQty(forths);
    const sold = sumQty(backs);
    const gross = bought + sold;
    const netRatio = Math.abs(bought - sold) / gross;
    if (netRatio > cfg.maxNetRatio) return;
    const concentration = Math.min(
      gross / (book.ownerVolume.get(buyer) ?? gross),
      gross / (book.ownerVolume.get(seller) ?? gross),
    );
    if (concentration < cfg.minConcentration) return;
    const roundTrips = countMatchedLegs(
      forths,
      backs,
      cfg.roundTripQtyTolerance,
      cfg.roundTripPriceTolerance,
    );
    if (roundTrips < cfg.minRoundTrips) return;
    const owners = buyer < seller ? [buyer, seller] : [seller, buyer];
    const trades = mergeByTime(forths, backs);
    const matchedShare = (2 * roundTrips) / trades.length;
    if (matchedShare < cfg.minMatchedShare) return;
    this.report(
      {
        book,
        pattern: 'round-trip',
        owners,
        trades,
        count: roundTrips,
        minCount: cfg.minRoundTrips,
        metrics: { roundTrips, trades: trades.length, volume: gross, netRatio, concentration, matchedShare },
        explanation: (share, span) =>
          `Owners ${owners[0]} and ${owners[1]} traded ${fmtNum(gross)} ${book.instrument} back and forth in ` +
          `${plural(trades.length, 'trade')} within ${span}, ${plural(roundTrips, 'round trip')} at matching price ` +
          `and size, each ending within ${fmtPct(netRatio)} of flat and trading ${fmtPct(concentration)} or more ` +
          `of its volume with the other: ${share}.`,
      },
      ctx,
    );
  }

  private checkCycles(book: WashBook, ctx: DetectorContext): void {
    const cfg = this.config;
    const ids = new Map<string, number>();
    const names: string[] = [];
    const idOf = (owner: string): number => {
      let id = ids.get(owner);
      if (id === undefined) {
        id = names.length;
        ids.set(owner, id);
        names.push(owner);
      }
      return id;
    };
    // Edges run seller → buyer: the asset's path.
    const successors: number[][] = [];
    for (const [buyer, bySeller] of book.flows) {
      const b = idOf(buyer);
      for (const seller of bySeller.keys()) {
        const s = idOf(seller);
        const out = successors[s];
        if (out === undefined) successors[s] = [b];
        else out.push(b);
      }
    }
    for (const component of stronglyConnectedComponents(names.length, successors)) {
      if (component.length < cfg.minCycleOwners || component.length > cfg.maxCycleOwners) continue;
      const members = component.map((i) => names[i] as string).sort();
      this.checkRing(book, members, ctx);
    }
  }

  private checkRing(book: WashBook, members: string[], ctx: DetectorContext): void {
    const cfg = this.config;
    const lists: TradeRecord[][] = [];
    let maxNetRatio = 0;
    let minConcentration = 1;
    let volume = 0;
    for (const member of members) {
      let bought = 0;
      let sold = 0;
      for (const other of members) {
        const buys = book.flows.get(member)?.get(other);
        if (buys !== undefined) {
          bought += sumQty(buys);
          lists.push(buys);
        }
        const sells = book.flows.get(other)?.get(member);
        if (sells !== undefined) sold += sumQty(sells);
      }
      const gross = bought + sold;
      volume += bought;
      const netRatio = Math.abs(bought - sold) / gross;
      const concentration = gross / (book.ownerVolume.get(member) ?? gross);
      if (netRatio > maxNetRatio) maxNetRatio = netRatio;
      if (concentration < minConcentration) minConcentration = concentration;
    }
    if (maxNetRatio > cfg.maxNetRatio || minConcentration < cfg.minConcentration) return;
    let trades: TradeRecord[] = [];
    for (const list of lists) trades = mergeByTime(trades, list);
    if (trades.length < cfg.minCycleTrades) return;
    const matchedShare = passedOnShare(trades, cfg.roundTripQtyTolerance);
    if (matchedShare < cfg.minMatchedShare) return;
    this.report(
      {
        book,
        pattern: 'cycle',
        owners: members,
        trades,
        count: trades.length,
        minCount: cfg.minCycleTrades,
        metrics: {
          cycleOwners: members.length,
          trades: trades.length,
          volume,
          netRatio: maxNetRatio,
          concentration: minConcentration,
          matchedShare,
        },
        explanation: (share, span) =>
          `Owners ${joinNames(members)} passed ${fmtNum(volume)} ${book.instrument} round a ring of ` +
          `${members.length} in ${plural(trades.length, 'trade')} within ${span}, each ending within ` +
          `${fmtPct(maxNetRatio)} of flat and trading ${fmtPct(minConcentration)} or more of its volume ` +
          `inside the ring: ${share}.`,
      },
      ctx,
    );
  }

  private checkDexRoundTrips(book: WashBook, owner: string, ctx: DetectorContext): void {
    const cfg = this.config;
    const swaps = book.swaps.get(owner);
    if (swaps === undefined || swaps.length < 2) return;
    const buys: TradeRecord[] = [];
    const sells: TradeRecord[] = [];
    for (const s of swaps) (s.aggressor === 'buy' ? buys : sells).push(s);
    const bought = sumQty(buys);
    const sold = sumQty(sells);
    const gross = bought + sold;
    const netRatio = Math.abs(bought - sold) / gross;
    if (netRatio > cfg.maxNetRatio) return;
    let inBlock = 0;
    for (const swap of swaps) if (swap.closesAdjacentPair) inBlock++;
    const acrossBlocks = countMatchedLegs(buys, sells, cfg.dexQtyTolerance, cfg.dexPriceTolerance, true);
    if (inBlock < cfg.minDexRoundTrips && acrossBlocks < cfg.minDexRoundTripsAcrossBlocks) return;
    const roundTrips = inBlock + acrossBlocks;
    const wallets = accountsOf(swaps);
    this.report(
      {
        book,
        pattern: 'dex-round-trip',
        owners: [owner],
        trades: swaps,
        count: inBlock >= cfg.minDexRoundTrips ? inBlock : acrossBlocks,
        minCount: inBlock >= cfg.minDexRoundTrips ? cfg.minDexRoundTrips : cfg.minDexRoundTripsAcrossBlocks,
        metrics: {
          roundTrips,
          roundTripsInBlock: inBlock,
          swaps: swaps.length,
          volume: gross,
          netRatio,
          wallets: wallets.length,
        },
        explanation: (share, span) =>
          `Owner ${owner} bought and sold ${fmtNum(gross)} ${book.instrument} against pool ${book.venue} ` +
          `back and forth from ${wallets.length === 1 ? 'wallet' : 'wallets'} ${joinNames(wallets)}: ` +
          `${plural(roundTrips, 'round trip')} at matching price and size in ${plural(swaps.length, 'swap')} ` +
          `within ${span}, ending within ${fmtPct(netRatio)} of flat: ${share}.`,
      },
      ctx,
    );
  }

  /** Emits a finding unless the same pattern of the same owners was reported in this episode. */
  private report(f: Finding, ctx: DetectorContext): void {
    const book = f.book;
    const volume = f.metrics.volume as number;
    const volumeShare = book.windowVolume > 0 ? Math.min(1, volume / book.windowVolume) : 0;
    if (volumeShare < this.config.minVolumeShare) return;
    const key = `${f.pattern}\u0000${f.owners.join('\u0000')}`;
    const first = f.trades[0] as TradeRecord;
    const last = f.trades[f.trades.length - 1] as TradeRecord;
    // An episode lasts while its trades keep coming within a window of each other.
    const quietUntil = book.quietUntil.get(key);
    const isSameEpisode = quietUntil !== undefined && first.ts <= quietUntil;
    book.quietUntil.set(key, Math.max(quietUntil ?? 0, last.ts + this.windowUs));
    if (isSameEpisode) return;
    const score = scoreFromMargins([
      ramp(f.count, f.minCount, 2 * f.minCount),
      ramp(volumeShare, 0, this.config.highVolumeShare),
    ]);
    const evidence: EventRef[] = [];
    for (const t of f.trades) evidence.push(recordRef(book, t));
    const shareText = `${fmtPct(volumeShare)} of the book's volume in the last ${fmtDuration(this.windowUs)}`;
    ctx.emit({
      typology: 'wash_trading',
      venue: book.venue,
      instrument: book.instrument,
      accounts: accountsOf(f.trades),
      window: { start: first.ts, end: last.ts },
      score,
      severity: severityOf(score),
      metrics: { ...f.metrics, volumeShare },
      evidence: capEvidence(evidence, this.config.maxEvidence),
      explanation: `Wash trading (${f.pattern}): ${f.explanation(shareText, fmtDuration(last.ts - first.ts))}`,
    });
  }
}

function toRecord(e: Trade, buyAccount: string, sellAccount: string, ctx: DetectorContext): TradeRecord {
  const record: TradeRecord = {
    ts: e.ts,
    tradeId: e.tradeId,
    price: e.price,
    qty: e.qty,
    aggressor: e.aggressor,
    buyAccount,
    sellAccount,
    buyOwner: ctx.ownerOf(buyAccount),
    sellOwner: ctx.ownerOf(sellAccount),
    isSwap: e.block !== undefined,
    block: e.block ?? -1,
    closesAdjacentPair: false,
  };
  if (e.seq !== undefined) record.seq = e.seq;
  return record;
}

/** The owner of a swap's wallet (the aggressor's side; the pool is the other). */
function swapOwner(t: TradeRecord): string {
  return t.aggressor === 'buy' ? t.buyOwner : t.sellOwner;
}

/**
 * Share of a ring's trades passed on at the same size: a trade seller → buyer counts when
 * the buyer sells on, or the seller had bought, a matching quantity inside the ring.
 */
function passedOnShare(trades: readonly TradeRecord[], qtyTolerance: number): number {
  let passed = 0;
  for (let i = 0; i < trades.length; i++) {
    const t = trades[i] as TradeRecord;
    for (let j = 0; j < trades.length; j++) {
      if (j === i) continue;
      const u = trades[j] as TradeRecord;
      if (!isNearQty(t.qty, u.qty, qtyTolerance)) continue;
      const isPassedOn = j > i && u.sellOwner === t.buyOwner;
      const isPassedIn = j < i && u.buyOwner === t.sellOwner;
      if (isPassedOn || isPassedIn) {
        passed++;
        break;
      }
    }
  }
  return trades.length > 0 ? passed / trades.length : 0;
}

function joinNames(names: readonly string[]): string {
  if (names.length <= 1) return names[0] ?? '';
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/** Registry entry: `detectors.wash-trading` in tapewatch.yaml. */
export const washTradingDefinition = defineDetector({
  id: DETECTOR_ID,
  description:
    'Wash trading: self-trades, round trips and rings of owners that end flat, and DEX round trips by one owner',
  configSchema: WashTradingConfig,
  create: (config) => new WashTradingDetector(config),
});
