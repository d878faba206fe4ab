/**
 * Quote stuffing: bursts of order messages (new orders, cancels, replaces) from one owner
 * at a rate no trading intent needs, with almost no trades — traffic that slows other
 * participants' view of the book.
 *
 * Follows EU MAR Art. 12(2)(c)(i)–(ii) (orders that disrupt or delay the trading system or
 * make it harder for others to identify genuine orders, "including by entering orders
 * which result in the overloading or destabilisation of the order book") and the "quote
 * stuffing" practice of Commission Delegated Regulation (EU) 2016/522 Annex II; see
 * docs/DETECTORS.md for the exact rule and the reason for every default.
 *
 * @example
 * ```ts
 * import { createEngine, quoteStuffing } from 'tapewatch';
 * const engine = createEngine({ detectors: [quoteStuffing({ minMessages: 200 })] });
 * ```
 * @see {@link spoofing} for orders cancelled to mislead rather than to flood
 * @module
 */
import { z } from 'zod';
import type { EventRef, MarketEvent } from '../core/events';
import { msToUs } from '../core/time';
import type { Detector, DetectorContext } from '../engine/detector';
import { defineDetector } from '../engine/registry';
import {
  BookStates,
  capEvidence,
  evidenceRef,
  fmtDuration,
  fmtNum,
  parseDetectorConfig,
  ramp,
  scoreFromMargins,
  severityOf,
} from './shared';

/** Buckets of the sliding message count: the window moves in steps of a tenth of itself. */
const BUCKETS = 10;

/** Configuration of {@link quoteStuffing}; every field has a documented default. */
export const QuoteStuffingConfig = z.strictObject({
  /**
   * Window of the message-rate burst, ms. Default 100: a burst of hundreds of messages
   * within a tenth of a second is far beyond a market maker's requoting (a few dozen
   * messages per requote of every level) and short enough to catch bursts as they happen.
   */
  windowMs: z.number().positive().max(60_000).default(100),
  /** Fewest order messages (new, cancel, replace) of one owner on one book within `windowMs`. Default 100. */
  minMessages: z.number().int().min(2).max(10_000_000).default(100),
  /**
   * Time constant of the order-to-trade ratio, ms: messages and the owner's trades are
   * counted with exponential decay over about this long. Default 10 000.
   */
  ratioWindowMs: z.number().positive().max(3_600_000).default(10_000),
  /**
   * Least order-to-trade ratio (messages ÷ max(1, trades)) over `ratioWindowMs`. A
   * trader whose messages mostly end in trades is busy, not stuffing. Default 50.
   */
  minOrderToTrade: z.number().min(1).max(1_000_000).default(50),
  /**
   * After a signal, the owner and book stay quiet until no burst has been seen for this
   * long, ms: minutes of repeated bursts are one episode. Default 30 000.
   */
  cooldownMs: z.number().min(0).max(86_400_000).default(30_000),
  /** Messages kept as evidence (the latest ones of the burst). Default 20. */
  maxEvidence: z.number().int().min(2).max(1_000).default(20),
});

/** Input of {@link quoteStuffing}: any subset of the fields. */
export type QuoteStuffingConfigInput = z.input<typeof QuoteStuffingConfig>;

/** Detector version: bumps when the rule changes. */
export const QUOTE_STUFFING_VERSION = '1';

interface OwnerRate {
  /** Owner's last account seen (named in the signal). */
  account: string;
  lastTs: number;
  /** Message counts per bucket, a ring indexed by absolute bucket number mod BUCKETS. */
  counts: Int32Array;
  news: Int32Array;
  cancels: Int32Array;
  /** Absolute bucket number of the newest bucket. */
  headBucket: number;
  /** Exponentially decayed messages and trades over ratioWindowMs. */
  decayedMessages: number;
  decayedTrades: number;
  decayTs: number;
  /** Latest messages, a ring of `maxEvidence` events. */
  recent: (MarketEvent | undefined)[];
  recentHead: number;
  /** First message time of the burst in progress, or NaN. */
  burstStartTs: number;
  /** Last time the rate was at or above the threshold after a signal (cool-down anchor), or NaN. */
  lastBurstTs: number;
  isReported: boolean;
  peakMessages: number;
}

interface SavedRate {
  venue: string;
  instrument: string;
  owner: string;
  account: string;
  lastTs: number;
  counts: number[];
  news: number[];
  cancels: number[];
  headBucket: number;
  decayedMessages: number;
  decayedTrades: number;
  decayTs: number;
  recent: MarketEvent[];
  burstStartTs: number | null;
  lastBurstTs: number | null;
  isReported: boolean;
  peakMessages: number;
}

/**
 * The quote-stuffing detector.
 *
 * @param config - overrides of {@link QuoteStuffingConfig}'s defaults
 * @throws {@link ConfigError} naming `detectors.quote-stuffing.<field>` of every invalid field
 */
export function quoteStuffing(config: QuoteStuffingConfigInput = {}): Detector {
  return new QuoteStuffingDetector(parseDetectorConfig('quote-stuffing', QuoteStuffingConfig, config));
}

class QuoteStuffingDetector implements Detector {
  readonly id = 'quote-stuffing';
  readonly version = QUOTE_STUFFING_VERSION;
  private books = new BookStates<Map<string, OwnerRate>>(() => new Map());
  private readonly windowUs: number;
  private readonly bucketUs: number;
  private readonly ratioUs: number;
  private readonly cooldownUs: number;

  constructor(private readonly cfg: z.output<typeof QuoteStuffingConfig>) {
    this.windowUs = msToUs(cfg.windowMs);
    this.bucketUs = Math.max(1, Math.floor(this.windowUs / BUCKETS));
    this.ratioUs = msToUs(cfg.ratioWindowMs);
    this.cooldownUs = msToUs(cfg.cooldownMs);
  }

  onEvent(e: MarketEvent, ctx: DetectorContext): void {
    switch (e.kind) {
      case 'order_new':
      case 'order_cancel':
      case 'order_replace':
        this.onMessage(e, e.account, ctx);
        return;
      case 'trade': {
        const owners = this.books.peek(e.venue, e.instrument);
        if (owners === undefined || owners.size === 0) return;
        if (e.buyAccount !== undefined) this.onTrade(owners, ctx.ownerOf(e.buyAccount), e.ts);
        if (e.sellAccount !== undefined) this.onTrade(owners, ctx.ownerOf(e.sellAccount), e.ts);
        return;
      }
      case 'quote':
        return;
    }
  }

  onTime(now: number): void {
    // Owners quiet for longer than every window and the cool-down are forgotten.
    const cutoff = now - Math.max(this.windowUs, this.ratioUs * 5, this.cooldownUs);
    for (const [venue, instrument, owners] of this.books.entries()) {
      for (const [owner, rate] of owners) if (rate.lastTs < cutoff) owners.delete(owner);
      if (owners.size === 0) this.books.delete(venue, instrument);
    }
  }

  reset(): void {
    this.books = new BookStates(() => new Map());
  }

  snapshot(): { owners: SavedRate[] } {
    const out: SavedRate[] = [];
    for (const [venue, instrument, owners] of this.books.entries()) {
      for (const [owner, r] of owners) {
        const recent: MarketEvent[] = [];
        for (let i = 0; i < r.recent.length; i++) {
          const e = r.recent[(r.recentHead + i) % r.recent.length];
          if (e !== undefined) recent.push(e);
        }
        out.push({
          venue,
          instrument,
          owner,
          account: r.account,
          lastTs: r.lastTs,
          counts: [...r.counts],
          news: [...r.news],
          cancels: [...r.cancels],
          headBucket: r.headBucket,
          decayedMessages: r.decayedMessages,
          decayedTrades: r.decayedTrades,
          decayTs: r.decayTs,
          recent,
          burstStartTs: Number.isNaN(r.burstStartTs) ? null : r.burstStartTs,
          lastBurstTs: Number.isNaN(r.lastBurstTs) ? null : r.lastBurstTs,
          isReported: r.isReported,
          peakMessages: r.peakMessages,
        });
      }
    }
    return structuredClone({ owners: out });
  }

  restore(state: unknown): void {
    this.reset();
    const saved = structuredClone(state) as { owners?: SavedRate[] } | undefined;
    for (const s of saved?.owners ?? []) {
      const r = this.newRate(s.account, s.lastTs);
      r.counts.set(s.counts);
      r.news.set(s.news);
      r.cancels.set(s.cancels);
      r.headBucket = s.headBucket;
      r.decayedMessages = s.decayedMessages;
      r.decayedTrades = s.decayedTrades;
      r.decayTs = s.decayTs;
      for (const e of s.recent) this.remember(r, e);
      r.burstStartTs = s.burstStartTs ?? Number.NaN;
      r.lastBurstTs = s.lastBurstTs ?? Number.NaN;
      r.isReported = s.isReported;
      r.peakMessages = s.peakMessages;
      this.books.get(s.venue, s.instrument).set(s.owner, r);
    }
  }

  private newRate(account: string, ts: number): OwnerRate {
    return {
      account,
      lastTs: ts,
      counts: new Int32Array(BUCKETS),
      news: new Int32Array(BUCKETS),
      cancels: new Int32Array(BUCKETS),
      headBucket: Math.floor(ts / this.bucketUs),
      decayedMessages: 0,
      decayedTrades: 0,
      decayTs: ts,
      recent: new Array(this.cfg.maxEvidence),
      recentHead: 0,
      burstStartTs: Number.NaN,
      lastBurstTs: Number.NaN,
      isReported: false,
      peakMessages: 0,
    };
  }

  private remember(r: OwnerRate, e: MarketEvent): void {
    r.recent[r.recentHead] = e;
    r.recentHead = (r.recentHead + 1) % r.recent.length;
  }

  private decay(r: OwnerRate, ts: number): void {
    if (ts <= r.decayTs) return;
    const f = Math.exp((r.decayTs - ts) / this.ratioUs);
    r.decayedMessages *= f;
    r.decayedTrades *= f;
    r.decayTs = ts;
  }

  private onTrade(owners: Map<string, OwnerRate>, owner: string, ts: number): void {
    const r = owners.get(owner);
    if (r === undefined) return;
    this.decay(r, ts);
    r.decayedTrades += 1;
  }

  private onMessage(e: MarketEvent & { account: string }, account: string, ctx: DetectorContext): void {
    const owners = this.books.get(e.venue, e.instrument);
    const owner = ctx.ownerOf(account);
    let r = owners.get(owner);
    if (r === undefined) {
      r = this.newRate(account, e.ts);
      owners.set(owner, r);
    }
    r.account = account;
    if (e.ts > r.lastTs) r.lastTs = e.ts;
    // Move the ring to this message's bucket, clearing the buckets skipped over.
    const bucket = Math.floor(e.ts / this.bucketUs);
    if (bucket > r.headBucket) {
      const steps = Math.min(BUCKETS, bucket - r.headBucket);
      for (let k = 1; k <= steps; k++) {
        const i = (r.headBucket + k) % BUCKETS;
        r.counts[i] = 0;
        r.news[i] = 0;
        r.cancels[i] = 0;
      }
      r.headBucket = bucket;
    }
    if (bucket > r.headBucket - BUCKETS) {
      const i = bucket % BUCKETS;
      r.counts[i] = (r.counts[i] as number) + 1;
      if (e.kind === 'order_new') r.news[i] = (r.news[i] as number) + 1;
      else if (e.kind === 'order_cancel') r.cancels[i] = (r.cancels[i] as number) + 1;
    }
    this.decay(r, e.ts);
    r.decayedMessages += 1;
    this.remember(r, e);

    let messages = 0;
    for (let i = 0; i < BUCKETS; i++) messages += r.counts[i] as number;
    const cfg = this.cfg;
    if (messages < cfg.minMessages) {
      if (!Number.isNaN(r.burstStartTs) && messages < cfg.minMessages / 2) r.burstStartTs = Number.NaN;
      return;
    }
    if (Number.isNaN(r.burstStartTs)) r.burstStartTs = this.oldestRecentTs(r);
    if (messages > r.peakMessages) r.peakMessages = messages;
    const orderToTrade = r.decayedMessages / Math.max(1, r.decayedTrades);
    if (orderToTrade < cfg.minOrderToTrade) return;
    const isCooling = !Number.isNaN(r.lastBurstTs) && e.ts - r.lastBurstTs < this.cooldownUs;
    r.lastBurstTs = e.ts;
    if (isCooling && r.isReported) return;
    r.isReported = true;
    this.report(e, owner, r, messages, orderToTrade, ctx);
  }

  /** Start of the oldest bucket of the window that holds a message. */
  private oldestRecentTs(r: OwnerRate): number {
    for (let k = BUCKETS - 1; k >= 0; k--) {
      const bucket = r.headBucket - k;
      if ((r.counts[bucket % BUCKETS] as number) > 0) return bucket * this.bucketUs;
    }
    return r.lastTs;
  }

  private report(
    e: MarketEvent,
    owner: string,
    r: OwnerRate,
    messages: number,
    orderToTrade: number,
    ctx: DetectorContext,
  ): void {
    const cfg = this.cfg;
    let news = 0;
    let cancels = 0;
    for (let i = 0; i < BUCKETS; i++) {
      news += r.news[i] as number;
      cancels += r.cancels[i] as number;
    }
    const refs: EventRef[] = [];
    for (let i = 0; i < r.recent.length; i++) {
      const m = r.recent[(r.recentHead + i) % r.recent.length];
      if (m !== undefined) refs.push(evidenceRef(m));
    }
    const spanUs = Math.max(this.windowUs, 1);
    const ratePerSecond = messages / (spanUs / 1_000_000);
    const score = scoreFromMargins([
      ramp(messages, cfg.minMessages, cfg.minMessages * 5),
      ramp(Math.log10(orderToTrade), Math.log10(cfg.minOrderToTrade), Math.log10(cfg.minOrderToTrade) + 2),
    ]);
    const who = owner === r.account ? `Account ${owner}` : `Owner ${owner} (account ${r.account})`;
    const replaces = messages - news - cancels;
    const explanation =
      `${who} sent ${fmtNum(messages, 0)} order messages on ${e.instrument} within ${fmtDuration(this.windowUs)} ` +
      `(${fmtNum(news, 0)} new, ${fmtNum(cancels, 0)} cancels, ${fmtNum(replaces, 0)} replaces; ${fmtNum(ratePerSecond, 0)}/s, ` +
      `threshold ${fmtNum(cfg.minMessages, 0)}) with an order-to-trade ratio of ${fmtNum(orderToTrade, 0)} over ` +
      `the last ${fmtDuration(this.ratioUs)} (threshold ${fmtNum(cfg.minOrderToTrade, 0)}).`;
    ctx.emit({
      typology: 'quote_stuffing',
      venue: e.venue,
      instrument: e.instrument,
      accounts: [r.account],
      window: { start: r.burstStartTs, end: e.ts },
      score,
      severity: severityOf(score),
      metrics: {
        messages,
        newOrders: news,
        cancels,
        replaces,
        messagesPerSecond: ratePerSecond,
        orderToTradeRatio: orderToTrade,
        windowMs: cfg.windowMs,
      },
      evidence: capEvidence(refs, cfg.maxEvidence),
      explanation,
    });
  }
}

/** `detectors.quote-stuffing` in tapewatch.yaml. */
export const quoteStuffingDefinition = defineDetector({
  id: 'quote-stuffing',
  description: "bursts of one owner's order messages with almost no trades",
  configSchema: QuoteStuffingConfig,
  create: (config) => quoteStuffing(config),
});
