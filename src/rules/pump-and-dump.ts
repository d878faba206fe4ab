/**
 * Pump-and-dump: a group buys a thin market up in rushes of aggressive orders, drawing
 * in other buyers, then sells into them as the price collapses.
 *
 * @module
 */
import { z } from 'zod';
import type { EventRef, MarketEvent, Trade } from '../core/events';
import type { Detector, DetectorContext } from '../engine/detector';
import { defineDetector } from '../engine/registry';
import { RollingSeconds, type RollingSecondsSnapshot, type WindowBaseline } from './rolling-seconds';
import {
  bookKey,
  capEvidence,
  EventWindow,
  fmtNum,
  fmtPct,
  plural,
  ramp,
  scoreFromMargins,
  severityOf,
} from './shared';

/**
 * Configuration of {@link pumpAndDump}. Every field has a default; the reasons are on the
 * fields and in docs/DETECTORS.md.
 */
export const PumpAndDumpConfig = z.strictObject({
  /**
   * Lengths of the windows compared with the baseline, seconds. 5, 15 and 25 s catch a
   * rush as it starts and a run-up that builds over half a minute.
   */
  windowsS: z.array(z.number().int().min(1).max(120)).min(1).max(8).default([5, 15, 25]),
  /** Length of the rolling baseline the windows are compared with, seconds (5 minutes). */
  baselineS: z.number().int().min(10).max(3600).default(300),
  /** History needed before the first signal, seconds: a z-score needs a baseline. */
  minBaselineS: z.number().int().min(5).max(3600).default(60),
  /**
   * Distinct aggressive buy orders within one millisecond that make a rush. Independent
   * buyers almost never hit an illiquid book in the same millisecond; a coordinated
   * group or one actor's script does.
   */
  minRushOrdersPerMs: z.number().int().min(2).max(10_000).default(3),
  /** Distinct aggressive buy orders within one second that make a rush as well. */
  minRushOrdersPerSecond: z.number().int().min(2).max(100_000).default(10),
  /** How far back a rush counts for the current run-up, seconds. */
  rushLookbackS: z.number().int().min(1).max(600).default(5),
  /** Smallest z-score of volume over any window against the baseline's windows of that length. */
  minVolumeZ: z.number().min(0).max(1000).default(3),
  /** Smallest z-score of the trade count, likewise. */
  minTradeCountZ: z.number().min(0).max(1000).default(3),
  /** Smallest z-score of the price return, likewise. */
  minPriceZ: z.number().min(0).max(1000).default(3),
  /**
   * Floor of the baseline's return standard deviation, basis points: a market that did not
   * move for five minutes must not make any tick an outlier.
   */
  minReturnStdBps: z.number().positive().max(10_000).default(5),
  /** Smallest run-up from the lowest price of the longest window, percent. */
  minRunUpPct: z.number().positive().max(10_000).default(2),
  /** Smallest share of buyer-initiated volume in the shortest window: a pump is one-sided. */
  minBuyShare: z.number().min(0).max(1).default(0.7),
  /**
   * Share of the run-up that must be given back to confirm the dump. Half: a rally that
   * holds is not a pump-and-dump.
   */
  reversalShare: z.number().positive().max(1).default(0.5),
  /** How long after the run-up a reversal still confirms it, seconds. */
  reversalWindowS: z.number().int().min(1).max(86_400).default(180),
  /** z-score at which the score's z margins top out. */
  highZ: z.number().positive().max(10_000).default(10),
  /** Run-up (percent) at which the score's price margin tops out. */
  highRunUpPct: z.number().positive().max(10_000).default(10),
  /** Most accounts named in a signal: the largest aggressive buyers of the run-up. */
  maxAccounts: z.number().int().min(1).max(1000).default(10),
  /**
   * Smallest share of the run-up's aggressive buy volume for an account to be named: the
   * ordinary buyers who happened to trade during it are not suspects.
   */
  minAccountShare: z.number().min(0).max(1).default(0.05),
  /** Aggressive buys kept per book for accounts and evidence; bounds memory. */
  maxBuysKept: z.number().int().min(10).max(1_000_000).default(10_000),
  /** Most evidence references per signal (the first ones and the last). */
  maxEvidence: z.number().int().min(2).max(10_000).default(50),
});

/** Validated configuration of {@link pumpAndDump}. */
export type PumpAndDumpConfig = z.output<typeof PumpAndDumpConfig>;
/** What {@link pumpAndDump} accepts: any subset of the fields, the rest default. */
export type PumpAndDumpConfigInput = z.input<typeof PumpAndDumpConfig>;

/** An aggressive buy kept for accounts and evidence. */
interface AggressiveBuy {
  ts: number;
  tradeId: string;
  seq?: number;
  account?: string;
  price: number;
  qty: number;
}

/** A run-up that was reported and waits for its reversal. */
interface RunUp {
  startTs: number;
  reportedTs: number;
  basePrice: number;
  peakPrice: number;
  peakTs: number;
  accounts: string[];
  evidence: EventRef[];
}

/** Per (venue, instrument). */
class PumpBook {
  readonly seconds: RollingSeconds;
  readonly buys: EventWindow<AggressiveBuy>;
  lastTs = Number.NEGATIVE_INFINITY;
  /** Millisecond of the last aggressive buy, and the distinct orders seen in it. */
  rushMs = -1;
  readonly rushMsOrders: string[] = [];
  /** Second of the last aggressive buy, and the distinct orders seen in it. */
  rushSecond = -1;
  readonly rushSecondOrders: string[] = [];
  runUp: RunUp | undefined;
  /** No new run-up is reported before this event time. */
  quietUntil = Number.NEGATIVE_INFINITY;

  constructor(
    readonly venue: string,
    readonly instrument: string,
    historyS: number,
    buysSpanUs: number,
    maxBuys: number,
  ) {
    this.seconds = new RollingSeconds(historyS);
    this.buys = new EventWindow(buysSpanUs, maxBuys);
  }
}

/** Serializable state of the detector. */
interface PumpAndDumpSnapshot {
  books: {
    venue: string;
    instrument: string;
    seconds: RollingSecondsSnapshot;
    buys: AggressiveBuy[];
    lastTs: number;
    runUp: RunUp | null;
    quietUntil: number | null;
  }[];
}

const DETECTOR_ID = 'pump-and-dump';
const VERSION = '1';
const US_PER_S = 1_000_000;
const US_PER_MS = 1_000;
const BPS = 10_000;
/** Rush counts stop at this multiple of the larger rush threshold. */
const RUSH_COUNT_CAP_FACTOR = 4;

/**
 * Flags pump-and-dump schemes on thin markets: a run-up driven by rushes of aggressive buy
 * orders, then its reversal.
 *
 * Per (venue, instrument) the detector keeps per-second trade counts, volumes and closing
 * prices for a rolling baseline. On each buyer-initiated trade it compares the last 5, 15
 * and 25 s (`windowsS`) with the baseline's windows of the same length: z-scores of
 * volume, trade count and price return. A **run-up** is reported when, at once, a rush
 * of distinct aggressive buy orders hit the book within one millisecond or one second,
 * every z-score clears its threshold in some window, buyers initiated most of the volume,
 * and the price stands well above the window's low. The **dump** is reported, as a second
 * signal, when the price then gives back half the run-up (`reversalShare`) within
 * `reversalWindowS`. Accounts are the largest aggressive buyers of the run-up when the
 * feed names them.
 *
 * @see washTrading for volume printed without a change of owner.
 * @example
 * ```ts
 * import { createEngine, pumpAndDump } from 'tapewatch';
 * const engine = createEngine({ detectors: [pumpAndDump({ minRunUpPct: 5 })] });
 * ```
 */
export function pumpAndDump(config: PumpAndDumpConfigInput = {}): Detector {
  return new PumpAndDumpDetector(PumpAndDumpConfig.parse(config));
}

class PumpAndDumpDetector implements Detector {
  readonly id = DETECTOR_ID;
  readonly version = VERSION;
  private readonly longestS: number;
  private readonly shortestS: number;
  private books = new Map<string, PumpBook>();

  constructor(private readonly config: PumpAndDumpConfig) {
    let longest = 0;
    let shortest = Number.POSITIVE_INFINITY;
    for (const w of config.windowsS) {
      if (w > longest) longest = w;
      if (w < shortest) shortest = w;
    }
    this.longestS = Math.max(longest, config.rushLookbackS);
    this.shortestS = shortest;
  }

  onEvent(e: MarketEvent, ctx: DetectorContext): void {
    // DEX swaps carry their block's timestamp, so every swap of a block is "in the same
    // millisecond": rushes are not defined there (DEX pools are dex-sandwich's and
    // wash-trading's).
    if (e.kind !== 'trade' || e.block !== undefined) return;
    const book = this.bookOf(e.venue, e.instrument);
    const second = Math.floor(e.ts / US_PER_S);
    if (second < book.seconds.head) return; // a late trade: its second is closed
    book.seconds.advanceTo(second);
    book.lastTs = e.ts;
    const isBuy = e.aggressor === 'buy';
    book.seconds.addTrade(e.qty, e.price, isBuy);
    if (book.runUp !== undefined) this.followRunUp(book, e, ctx);
    if (!isBuy) return;
    this.noteAggressiveBuy(book, e, second);
    if (book.runUp === undefined && e.ts >= book.quietUntil) this.checkRunUp(book, e, ctx);
  }

  onTime(now: number): void {
    const idleUs = (this.config.baselineS + this.longestS) * US_PER_S;
    for (const [key, book] of this.books) {
      if (book.lastTs + idleUs < now && book.runUp === undefined) this.books.delete(key);
    }
  }

  snapshot(): PumpAndDumpSnapshot {
    const books: PumpAndDumpSnapshot['books'] = [];
    for (const b of this.books.values()) {
      books.push({
        venue: b.venue,
        instrument: b.instrument,
        seconds: b.seconds.snapshot(),
        buys: structuredClone(b.buys.toArray()),
        lastTs: b.lastTs,
        runUp: b.runUp === undefined ? null : structuredClone(b.runUp),
        quietUntil: Number.isFinite(b.quietUntil) ? b.quietUntil : null,
      });
    }
    return { books };
  }

  restore(state: unknown): void {
    const snapshot = state as PumpAndDumpSnapshot;
    this.books.clear();
    for (const saved of snapshot.books) {
      const book = this.bookOf(saved.venue, saved.instrument);
      book.seconds.restore(saved.seconds);
      book.buys.fill(structuredClone(saved.buys));
      book.lastTs = saved.lastTs;
      book.runUp = saved.runUp === null ? undefined : structuredClone(saved.runUp);
      book.quietUntil = saved.quietUntil ?? Number.NEGATIVE_INFINITY;
    }
  }

  reset(): void {
    this.books.clear();
  }

  private bookOf(venue: string, instrument: string): PumpBook {
    const key = bookKey(venue, instrument);
    let book = this.books.get(key);
    if (book === undefined) {
      const cfg = this.config;
      book = new PumpBook(
        venue,
        instrument,
        cfg.baselineS + this.longestS + 1,
        this.longestS * US_PER_S,
        cfg.maxBuysKept,
      );
      this.books.set(key, book);
    }
    return book;
  }

  /** Counts distinct aggressive buy orders in this millisecond and second (the rush). */
  private noteAggressiveBuy(book: PumpBook, e: Trade, second: number): void {
    // One order sweeping several levels prints several trades: count orders, not trades.
    const order = e.buyOrderId ?? e.buyAccount ?? e.tradeId;
    const ms = Math.floor(e.ts / US_PER_MS);
    if (ms !== book.rushMs) {
      book.rushMs = ms;
      book.rushMsOrders.length = 0;
    }
    if (second !== book.rushSecond) {
      book.rushSecond = second;
      book.rushSecondOrders.length = 0;
    }
    // Counting stops well past the thresholds: enough to report, and a burst of thousands
    // of orders in one second cannot make each trade scan thousands of IDs.
    const countCap =
      RUSH_COUNT_CAP_FACTOR * Math.max(this.config.minRushOrdersPerSecond, this.config.minRushOrdersPerMs);
    if (book.rushMsOrders.length < countCap && !book.rushMsOrders.includes(order)) {
      book.rushMsOrders.push(order);
    }
    if (book.rushSecondOrders.length < countCap && !book.rushSecondOrders.includes(order)) {
      book.rushSecondOrders.push(order);
    }
    book.seconds.noteRush(book.rushMsOrders.length, book.rushSecondOrders.length);
    const buy: AggressiveBuy = { ts: e.ts, tradeId: e.tradeId, price: e.price, qty: e.qty };
    if (e.seq !== undefined) buy.seq = e.seq;
    if (e.buyAccount !== undefined) buy.account = e.buyAccount;
    book.buys.push(buy);
    book.buys.evictOlderThanSpan(e.ts);
  }

  private checkRunUp(book: PumpBook, e: Trade, ctx: DetectorContext): void {
    const cfg = this.config;
    const seconds = book.seconds;
    if (seconds.history < cfg.minBaselineS + this.longestS) return;
    const rush = seconds.maxRush(cfg.rushLookbackS);
    if (rush.perMs < cfg.minRushOrdersPerMs && rush.perSecond < cfg.minRushOrdersPerSecond) return;
    const low = seconds.minClose(this.longestS);
    const runUp = low > 0 ? e.price / low - 1 : 0;
    if (runUp * 100 < cfg.minRunUpPct) return;
    const shortVolume = seconds.windowSum('volume', this.shortestS);
    const buyShare = shortVolume > 0 ? seconds.windowSum('buyVolume', this.shortestS) / shortVolume : 0;
    if (buyShare < cfg.minBuyShare) return;
    let volumeZ = Number.NEGATIVE_INFINITY;
    let countZ = Number.NEGATIVE_INFINITY;
    let priceZ = Number.NEGATIVE_INFINITY;
    const minStd = cfg.minReturnStdBps / BPS;
    for (const w of cfg.windowsS) {
      const vol = seconds.baseline('volume', w, this.longestS, cfg.baselineS);
      const cnt = seconds.baseline('count', w, this.longestS, cfg.baselineS);
      const ret = seconds.returnBaseline(w, this.longestS, cfg.baselineS);
      if (vol.samples === 0 || ret.samples === 0) return;
      // Floors: a silent baseline must not make one trade an outlier. Counts are at least
      // Poisson-noisy (std ≥ 1); volume varies at least by half its mean.
      volumeZ = Math.max(volumeZ, zScore(seconds.windowSum('volume', w), vol, vol.mean / 2));
      countZ = Math.max(countZ, zScore(seconds.windowSum('count', w), cnt, 1));
      const from = seconds.closeAt(seconds.head - w);
      if (from > 0) priceZ = Math.max(priceZ, zScore(Math.log(e.price / from), ret, minStd));
    }
    if (volumeZ < cfg.minVolumeZ || countZ < cfg.minTradeCountZ || priceZ < cfg.minPriceZ) return;

    const accounts = topBuyers(book.buys, cfg.maxAccounts, cfg.minAccountShare);
    const evidence: EventRef[] = [];
    for (let i = 0; i < book.buys.size; i++) evidence.push(buyRef(book, book.buys.get(i)));
    const start = book.buys.first()?.ts ?? e.ts;
    const score = scoreFromMargins([
      ramp(
        Math.min(volumeZ, countZ, priceZ),
        Math.min(cfg.minVolumeZ, cfg.minTradeCountZ, cfg.minPriceZ),
        cfg.highZ,
      ),
      ramp(runUp * 100, cfg.minRunUpPct, cfg.highRunUpPct),
    ]);
    const cappedEvidence = capEvidence(evidence, cfg.maxEvidence);
    book.runUp = {
      startTs: start,
      reportedTs: e.ts,
      basePrice: low,
      peakPrice: e.price,
      peakTs: e.ts,
      accounts,
      evidence: cappedEvidence.slice(0, Math.max(1, cfg.maxEvidence >> 1)),
    };
    const who =
      accounts.length > 0
        ? ` led by ${plural(accounts.length, 'account')} (${accounts.slice(0, 3).join(', ')}${accounts.length > 3 ? ', …' : ''})`
        : '';
    ctx.emit({
      typology: 'pump_and_dump',
      venue: book.venue,
      instrument: book.instrument,
      accounts,
      window: { start, end: e.ts },
      score,
      severity: severityOf(score),
      metrics: {
        stage: 1,
        rushOrdersPerMs: rush.perMs,
        rushOrdersPerSecond: rush.perSecond,
        volumeZ,
        tradeCountZ: countZ,
        priceZ,
        runUpPct: runUp * 100,
        buyShare,
        basePrice: low,
        price: e.price,
      },
      evidence: cappedEvidence,
      explanation:
        `Run-up of ${fmtPct(runUp)} on ${book.instrument} from ${fmtNum(low)} to ${fmtNum(e.price)}${who}: ` +
        `${plural(rush.perMs, 'aggressive buy order')} within one millisecond and ${fmtNum(rush.perSecond, 0)} within one second, ` +
        `volume ${fmtNum(volumeZ, 1)}σ, trade count ${fmtNum(countZ, 1)}σ and price ${fmtNum(priceZ, 1)}σ above the ` +
        `${fmtNum(cfg.baselineS / 60, 1)}-minute baseline, ${fmtPct(buyShare)} of the volume buyer-initiated; ` +
        'a pump-and-dump if the price now collapses.',
    });
  }

  /** Tracks a reported run-up: its peak, then the reversal that confirms a dump. */
  private followRunUp(book: PumpBook, e: Trade, ctx: DetectorContext): void {
    const cfg = this.config;
    const run = book.runUp as RunUp;
    if (e.ts - run.reportedTs > cfg.reversalWindowS * US_PER_S) {
      book.runUp = undefined;
      book.quietUntil = e.ts;
      return;
    }
    if (e.price > run.peakPrice) {
      run.peakPrice = e.price;
      run.peakTs = e.ts;
      return;
    }
    const rise = run.peakPrice - run.basePrice;
    if (!(rise > 0)) return;
    const givenBack = (run.peakPrice - e.price) / rise;
    if (givenBack < cfg.reversalShare) return;
    book.runUp = undefined;
    // The same scheme is not reported again while its dump plays out.
    book.quietUntil = e.ts + cfg.reversalWindowS * US_PER_S;
    const runUpPct = (run.peakPrice / run.basePrice - 1) * 100;
    const dropPct = (1 - e.price / run.peakPrice) * 100;
    const evidence = run.evidence.slice();
    evidence.push({
      kind: 'trade',
      ts: e.ts,
      venue: e.venue,
      instrument: e.instrument,
      id: e.tradeId,
      side: e.aggressor,
      price: e.price,
      qty: e.qty,
      ...(e.seq !== undefined ? { seq: e.seq } : {}),
      ...(e.sellAccount !== undefined ? { account: e.sellAccount } : {}),
    });
    const score = Math.max(
      0.85,
      scoreFromMargins([
        ramp(runUpPct, cfg.minRunUpPct, cfg.highRunUpPct),
        ramp(givenBack, cfg.reversalShare, 1),
      ]),
    );
    ctx.emit({
      typology: 'pump_and_dump',
      venue: book.venue,
      instrument: book.instrument,
      accounts: run.accounts,
      window: { start: run.peakTs, end: e.ts },
      score,
      severity: severityOf(score),
      metrics: {
        stage: 2,
        runUpPct,
        dropPct,
        givenBackShare: givenBack,
        basePrice: run.basePrice,
        peakPrice: run.peakPrice,
        price: e.price,
        secondsSincePeak: (e.ts - run.peakTs) / US_PER_S,
      },
      evidence,
      explanation:
        `Dump on ${book.instrument}: the price fell ${fmtPct(dropPct / 100)} from its peak of ${fmtNum(run.peakPrice)} to ` +
        `${fmtNum(e.price)} within ${fmtNum((e.ts - run.peakTs) / US_PER_S, 1)} s, giving back ${fmtPct(givenBack)} of the ` +
        `${fmtPct(runUpPct / 100)} run-up from ${fmtNum(run.basePrice)} reported earlier.`,
    });
  }
}

/** z-score of `x` against a baseline, with the standard deviation floored at `minStd`. */
function zScore(x: number, baseline: WindowBaseline, minStd: number): number {
  const std = Math.max(baseline.std, minStd, 1e-12);
  return (x - baseline.mean) / std;
}

/** Accounts that bought at least `minShare` of the volume, largest first. */
function topBuyers(buys: EventWindow<AggressiveBuy>, max: number, minShare: number): string[] {
  const byAccount = new Map<string, number>();
  let total = 0;
  for (let i = 0; i < buys.size; i++) {
    const b = buys.get(i);
    total += b.qty;
    if (b.account !== undefined) byAccount.set(b.account, (byAccount.get(b.account) ?? 0) + b.qty);
  }
  return [...byAccount.entries()]
    .filter(([, qty]) => qty >= minShare * total)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, max)
    .map(([account]) => account);
}

function buyRef(book: PumpBook, b: AggressiveBuy): EventRef {
  const ref: EventRef = {
    kind: 'trade',
    ts: b.ts,
    venue: book.venue,
    instrument: book.instrument,
    id: b.tradeId,
    side: 'buy',
    price: b.price,
    qty: b.qty,
  };
  if (b.seq !== undefined) ref.seq = b.seq;
  if (b.account !== undefined) ref.account = b.account;
  return ref;
}

/** Registry entry: `detectors.pump-and-dump` in tapewatch.yaml. */
export const pumpAndDumpDefinition = defineDetector({
  id: DETECTOR_ID,
  description:
    'Pump-and-dump: rushes of aggressive buys drive volume, trades and price far above baseline, then reverse',
  configSchema: PumpAndDumpConfig,
  create: (config) => new PumpAndDumpDetector(config),
});
