/**
 * Marking the close: aggressive trading by one owner in the last moments before a fixing
 * (a candle close, a settlement or index price) that moves the price the fixing will
 * record.
 *
 * Follows EU MAR Art. 12(2)(b) ("buying or selling of financial instruments at the
 * opening or closing of the market, which has or is likely to have the effect of
 * misleading investors acting on the basis of the prices displayed, including the opening
 * or closing prices") with MAR Annex I A(g) (orders or transactions at or around a
 * specific time when reference prices are calculated) and the "marking the close"
 * practice of Commission Delegated Regulation (EU) 2016/522 Annex II; U.S. regulators call
 * it "banging the close". See docs/DETECTORS.md for the exact rule and every default.
 *
 * @example
 * ```ts
 * import { createEngine, markingTheClose } from 'tapewatch';
 * // Hourly candles, watched over their last two minutes.
 * const engine = createEngine({ detectors: [markingTheClose({ closeIntervalS: 3600, windowS: 120 })] });
 * ```
 * @see {@link momentumIgnition} for aggressive bursts at any time of day
 * @module
 */
import { z } from 'zod';
import { ConfigError } from '../core/errors';
import type { EventRef, Side, Trade } from '../core/events';
import { formatTs } from '../core/time';
import type { Detector, DetectorContext } from '../engine/detector';
import { defineDetector } from '../engine/registry';
import {
  BookStates,
  bpsChange,
  capEvidence,
  evidenceRef,
  fmtBps,
  fmtDuration,
  fmtNum,
  fmtPct,
  parseDetectorConfig,
  plural,
  ramp,
  scoreFromMargins,
  severityOf,
} from './shared';

/** Configuration of {@link markingTheClose}; every field has a documented default. */
export const MarkingTheCloseConfig = z.strictObject({
  /**
   * Fixings fall on every multiple of this many seconds since the Unix epoch (UTC), plus
   * `closeOffsetS`. Default 300: five-minute candle closes, the shortest fixing crypto
   * venues and index providers commonly publish; use 3600 for hourly, 86400 for daily.
   */
  closeIntervalS: z.number().positive().max(31_536_000).default(300),
  /** Shift of the fixings from the epoch-aligned multiples, seconds. Default 0. */
  closeOffsetS: z.number().min(0).max(31_536_000).default(0),
  /**
   * The closing window: how many seconds before each fixing are watched. Default 60: the
   * last minute holds the trades that set a candle's close without moving the candle's
   * middle.
   */
  windowS: z.number().positive().max(86_400).default(60),
  /**
   * Fewest aggressive orders (distinct order IDs, else trades) of the owner in the window.
   * Default 3: with the concentration, share and move conditions, three orders are a
   * pattern, and the signal comes seconds into the marking instead of at the close.
   */
  minAggressiveOrders: z.number().int().min(1).max(100_000).default(3),
  /**
   * Least share of the volume traded since the owner's first aggressive trade in the
   * window that its aggressive trades in one direction make up: it moved the price, not
   * the crowd. Default 0.3: arbitrageurs trade against a marker's push, so a marker
   * rarely has the tape to itself.
   */
  minVolumeShare: z.number().min(0).max(1).default(0.3),
  /**
   * Least share of the owner's aggressive volume since the previous fixing that falls in
   * the closing window. A marker trades for the close and little otherwise; an active
   * trader who happens to trade near the close trades all through the period (its share
   * is near the window's share of the period). Default 0.8. Windows are judged only once
   * the detector has watched the book for at least one window's length before the window
   * opened, so the share has a history to compare with.
   */
  minCloseConcentration: z.number().min(0).max(1).default(0.8),
  /**
   * Least share of the owner's aggressive volume in the window that goes one way: a
   * marker pushes in one direction; a trader working both sides does not. Default 0.8.
   */
  minDirectionShare: z.number().min(0.5).max(1).default(0.8),
  /**
   * Least price move in the owner's direction from the last trade before its first
   * aggressive trade in the window to the last trade now, bps. Default 5.
   */
  minMoveBps: z.number().min(0).max(10_000).default(5),
  /** Most evidence references per signal. Default 30. */
  maxEvidence: z.number().int().min(2).max(1_000).default(30),
});

/** Input of {@link markingTheClose}: any subset of the fields. */
export type MarkingTheCloseConfigInput = z.input<typeof MarkingTheCloseConfig>;

/** Detector version: bumps when the rule changes. */
export const MARKING_THE_CLOSE_VERSION = '1';

interface OwnerWindow {
  buyQty: number;
  sellQty: number;
  buyOrders: number;
  sellOrders: number;
  lastBuyOrderId: string;
  lastSellOrderId: string;
  firstTs: number;
  /** Window volume and last price just before the owner's first aggressive trade in the window. */
  volumeBefore: number;
  priceBefore: number;
  accounts: string[];
  refs: EventRef[];
  isReported: boolean;
}

interface BookState {
  /** The fixing the current window leads to, epoch µs. */
  close: number;
  /** Last trade price before the window opened (NaN when none). */
  openPrice: number;
  lastPrice: number;
  windowVolume: number;
  owners: Map<string, OwnerWindow>;
  /** Each owner's aggressive volume from the previous fixing to the window's opening. */
  beforeWindow: Map<string, number>;
  /** First trade the detector saw on this book, epoch µs. */
  firstTradeTs: number;
}

/**
 * The marking-the-close detector.
 *
 * @param config - overrides of {@link MarkingTheCloseConfig}'s defaults
 * @throws {@link ConfigError} naming `detectors.marking-the-close.<field>` of every invalid field
 */
export function markingTheClose(config: MarkingTheCloseConfigInput = {}): Detector {
  const cfg = parseDetectorConfig('marking-the-close', MarkingTheCloseConfig, config);
  // Checked here, not as a schema refinement: tapewatch.yaml's schema extends this one.
  if (cfg.windowS >= cfg.closeIntervalS) {
    throw new ConfigError([
      {
        path: 'detectors.marking-the-close.windowS',
        message: `windowS ${cfg.windowS} must be shorter than closeIntervalS ${cfg.closeIntervalS}`,
      },
    ]);
  }
  return new MarkingTheCloseDetector(cfg);
}

class MarkingTheCloseDetector implements Detector {
  readonly id = 'marking-the-close';
  readonly version = MARKING_THE_CLOSE_VERSION;
  private books = this.newBooks();
  private readonly intervalUs: number;
  private readonly offsetUs: number;
  private readonly windowUs: number;

  constructor(private readonly cfg: z.output<typeof MarkingTheCloseConfig>) {
    this.intervalUs = Math.round(cfg.closeIntervalS * 1_000_000);
    this.offsetUs = Math.round(cfg.closeOffsetS * 1_000_000) % this.intervalUs;
    this.windowUs = Math.round(cfg.windowS * 1_000_000);
  }

  private newBooks(): BookStates<BookState> {
    return new BookStates(() => ({
      close: Number.NEGATIVE_INFINITY,
      openPrice: Number.NaN,
      lastPrice: Number.NaN,
      windowVolume: 0,
      owners: new Map(),
      beforeWindow: new Map(),
      firstTradeTs: Number.NaN,
    }));
  }

  /** The first fixing strictly after `ts`. */
  nextClose(ts: number): number {
    const k = Math.floor((ts - this.offsetUs) / this.intervalUs) + 1;
    return k * this.intervalUs + this.offsetUs;
  }

  onEvent(e: Parameters<Detector['onEvent']>[0], ctx: DetectorContext): void {
    if (e.kind !== 'trade') return;
    const book = this.books.get(e.venue, e.instrument);
    if (book.firstTradeTs !== book.firstTradeTs) book.firstTradeTs = e.ts;
    if (e.ts >= book.close) {
      // A new fixing period: forget the last one.
      book.close = this.nextClose(e.ts);
      book.owners.clear();
      book.beforeWindow.clear();
      book.windowVolume = 0;
      book.openPrice = Number.NaN;
    }
    const account = e.aggressor === 'buy' ? e.buyAccount : e.sellAccount;
    const windowStart = book.close - this.windowUs;
    const priceBefore = book.lastPrice === book.lastPrice ? book.lastPrice : e.price;
    book.lastPrice = e.price;
    if (e.ts < windowStart) {
      if (account !== undefined) {
        const owner = ctx.ownerOf(account);
        book.beforeWindow.set(owner, (book.beforeWindow.get(owner) ?? 0) + e.qty);
      }
      return;
    }
    if (book.openPrice !== book.openPrice) book.openPrice = priceBefore;
    const volumeBefore = book.windowVolume;
    book.windowVolume += e.qty;
    if (account === undefined) return;
    const ownerName = ctx.ownerOf(account);
    let w = book.owners.get(ownerName);
    if (w === undefined) {
      w = {
        buyQty: 0,
        sellQty: 0,
        buyOrders: 0,
        sellOrders: 0,
        lastBuyOrderId: '',
        lastSellOrderId: '',
        firstTs: e.ts,
        volumeBefore,
        priceBefore,
        accounts: [],
        refs: [],
        isReported: false,
      };
      book.owners.set(ownerName, w);
    }
    if (!w.accounts.includes(account)) w.accounts.push(account);
    if (w.refs.length < this.cfg.maxEvidence) w.refs.push(evidenceRef(e, account, e.aggressor));
    if (e.aggressor === 'buy') {
      w.buyQty += e.qty;
      const id = e.buyOrderId ?? e.tradeId;
      if (id !== w.lastBuyOrderId) {
        w.buyOrders++;
        w.lastBuyOrderId = id;
      }
    } else {
      w.sellQty += e.qty;
      const id = e.sellOrderId ?? e.tradeId;
      if (id !== w.lastSellOrderId) {
        w.sellOrders++;
        w.lastSellOrderId = id;
      }
    }
    if (!w.isReported) this.check(book, ownerName, w, e, ctx);
  }

  private check(book: BookState, owner: string, w: OwnerWindow, e: Trade, ctx: DetectorContext): void {
    const cfg = this.cfg;
    const side: Side = w.buyQty >= w.sellQty ? 'buy' : 'sell';
    const qty = side === 'buy' ? w.buyQty : w.sellQty;
    const orders = side === 'buy' ? w.buyOrders : w.sellOrders;
    if (orders < cfg.minAggressiveOrders) return;
    const directionShare = qty / (w.buyQty + w.sellQty);
    if (directionShare < cfg.minDirectionShare) return;
    const volumeShare = qty / (book.windowVolume - w.volumeBefore);
    if (volumeShare < cfg.minVolumeShare) return;
    const moveBps = (side === 'buy' ? 1 : -1) * bpsChange(w.priceBefore, book.lastPrice);
    if (moveBps < cfg.minMoveBps) return;
    // Judge only with a history before the window to compare the owner's activity with.
    if (book.firstTradeTs > book.close - 2 * this.windowUs) return;
    const inWindow = w.buyQty + w.sellQty;
    const concentration = inWindow / (inWindow + (book.beforeWindow.get(owner) ?? 0));
    if (concentration < cfg.minCloseConcentration) return;
    w.isReported = true;
    const score = scoreFromMargins([
      ramp(volumeShare, cfg.minVolumeShare, 1),
      ramp(moveBps, cfg.minMoveBps, cfg.minMoveBps * 4),
      ramp(orders, cfg.minAggressiveOrders, cfg.minAggressiveOrders * 3),
      ramp(directionShare, cfg.minDirectionShare, 1),
      ramp(concentration, cfg.minCloseConcentration, 1),
    ]);
    const primary = w.accounts[0] ?? owner;
    const who = owner === primary ? `Account ${owner}` : `Owner ${owner} (account ${primary})`;
    const untilClose = book.close - e.ts;
    const explanation =
      `${who} ${side === 'buy' ? 'bought' : 'sold'} ${fmtNum(qty, 4)} on ${e.instrument} in ` +
      `${plural(orders, 'aggressive order')} in the ${fmtDuration(this.windowUs)} before the ` +
      `${formatTs(book.close).slice(0, 19)}Z fixing (${fmtPct(volumeShare)} of the volume traded meanwhile, ` +
      `${fmtPct(concentration)} of its own aggressive volume since the previous fixing), ` +
      `moving the price ${side === 'buy' ? 'up' : 'down'} ${fmtBps(moveBps)} from ${fmtNum(w.priceBefore, 6)} ` +
      `to ${fmtNum(book.lastPrice, 6)} with ${fmtDuration(untilClose)} left to the close.`;
    ctx.emit({
      typology: 'marking_the_close',
      venue: e.venue,
      instrument: e.instrument,
      accounts: w.accounts,
      window: { start: w.firstTs, end: e.ts },
      score,
      severity: severityOf(score),
      metrics: {
        aggressiveOrders: orders,
        aggressiveQty: qty,
        volumeShare,
        directionShare,
        moveBps,
        closeConcentration: concentration,
        priceBefore: w.priceBefore,
        lastPrice: book.lastPrice,
        closeTs: book.close,
        secondsToClose: untilClose / 1_000_000,
      },
      evidence: capEvidence(w.refs, cfg.maxEvidence),
      explanation,
    });
  }

  reset(): void {
    this.books = this.newBooks();
  }

  snapshot(): unknown {
    const books: unknown[] = [];
    for (const [venue, instrument, b] of this.books.entries()) {
      books.push({
        venue,
        instrument,
        close: Number.isFinite(b.close) ? b.close : null,
        openPrice: Number.isNaN(b.openPrice) ? null : b.openPrice,
        lastPrice: Number.isNaN(b.lastPrice) ? null : b.lastPrice,
        windowVolume: b.windowVolume,
        owners: [...b.owners],
        beforeWindow: [...b.beforeWindow],
        firstTradeTs: Number.isNaN(b.firstTradeTs) ? null : b.firstTradeTs,
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
            close: number | null;
            openPrice: number | null;
            lastPrice: number | null;
            windowVolume: number;
            owners: [string, OwnerWindow][];
            beforeWindow: [string, number][];
            firstTradeTs: number | null;
          }[];
        }
      | undefined;
    for (const b of saved?.books ?? []) {
      const book = this.books.get(b.venue, b.instrument);
      book.close = b.close ?? Number.NEGATIVE_INFINITY;
      book.openPrice = b.openPrice ?? Number.NaN;
      book.lastPrice = b.lastPrice ?? Number.NaN;
      book.windowVolume = b.windowVolume;
      for (const [owner, w] of b.owners) book.owners.set(owner, w);
      for (const [owner, qty] of b.beforeWindow) book.beforeWindow.set(owner, qty);
      book.firstTradeTs = b.firstTradeTs ?? Number.NaN;
    }
  }
}

/** `detectors.marking-the-close` in tapewatch.yaml. */
export const markingTheCloseDefinition = defineDetector({
  id: 'marking-the-close',
  description: "one owner's aggressive trades moving the price in the last moments before a fixing",
  configSchema: MarkingTheCloseConfig,
  create: (config) => markingTheClose(config),
});
