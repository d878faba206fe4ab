/**
 * A public websocket feed of one venue: connects, subscribes, turns messages into events
 * through the venue's adapter, reconnects with backoff when the connection drops, and
 * counts sequence gaps (a gap in a Binance depth stream rebuilds the book from a fresh
 * REST snapshot).
 *
 * @module
 */
import WebSocket from 'ws';
import { z } from 'zod';
import type { InvalidEventError } from '../../core/errors';
import type { MarketEvent } from '../../core/events';
import { IngestStats } from '../../core/ingest-stats';
import { tryParseEvent, validateEvent } from '../../core/validate';
import {
  type AdapterOutput,
  adapterFor,
  type BinanceDepthSnapshot,
  type CexAdapter,
  type FeedGap,
  newOutput,
  unparsableMessage,
} from './adapters';

/** One feed in `ingest.cex`. */
export const CexFeedConfigSchema = z.strictObject({
  venue: z.enum(['binance', 'coinbase', 'kraken']),
  /** `venue` of the events (default the venue's name). */
  name: z.string().min(1).optional(),
  /** Websocket URL; default the venue's public endpoint. */
  url: z.url().optional(),
  /** REST base URL for Binance depth snapshots. */
  restUrl: z.url().optional(),
  /** Symbols as the venue spells them (`BTCUSDT`, `BTC-USD`, `BTC/USD`). */
  symbols: z.array(z.string().min(1)).min(1),
  channels: z
    .array(z.enum(['trades', 'book']))
    .min(1)
    .default(['trades', 'book']),
  /** First reconnect delay, ms; doubles up to `maxReconnectDelayMs`. */
  reconnectDelayMs: z.number().int().min(10).max(60_000).default(500),
  maxReconnectDelayMs: z.number().int().min(10).max(600_000).default(30_000),
});

/** A validated feed configuration. */
export type CexFeedConfig = z.output<typeof CexFeedConfigSchema>;

const DEFAULT_URLS = {
  binance: 'wss://stream.binance.com:9443/ws',
  coinbase: 'wss://ws-feed.exchange.coinbase.com',
  kraken: 'wss://ws.kraken.com/v2',
} as const;
const DEFAULT_REST = 'https://api.binance.com';

/** Counters of a feed. */
export interface CexFeedCounters {
  messages: number;
  events: number;
  rejected: number;
  gaps: number;
  connects: number;
  snapshots: number;
}

/** Options of {@link CexFeed}. */
export interface CexFeedOptions {
  config: z.input<typeof CexFeedConfigSchema> | CexFeedConfig;
  sink(events: MarketEvent[]): void;
  stats?: IngestStats;
  onGap?(gap: FeedGap): void;
  onError?(error: Error): void;
}

/**
 * One venue's public feed.
 *
 * @example
 * ```ts
 * const feed = new CexFeed({
 *   config: { venue: 'kraken', symbols: ['BTC/USD'] },
 *   sink: (events) => { for (const e of events) engine.process(e); },
 * });
 * feed.start();
 * ```
 */
export class CexFeed {
  readonly config: CexFeedConfig;
  readonly counters: CexFeedCounters = {
    messages: 0,
    events: 0,
    rejected: 0,
    gaps: 0,
    connects: 0,
    snapshots: 0,
  };
  readonly stats: IngestStats;
  private readonly adapter: CexAdapter;
  private readonly source: string;
  private socket: WebSocket | undefined;
  private stopped = true;
  private delayMs: number;
  private timer: NodeJS.Timeout | undefined;
  private readonly openWaiters: (() => void)[] = [];

  constructor(private readonly options: CexFeedOptions) {
    this.config = CexFeedConfigSchema.parse(options.config);
    this.adapter = adapterFor(this.config.venue, this.config.name ?? this.config.venue);
    this.stats = options.stats ?? new IngestStats();
    this.source = `cex:${this.config.name ?? this.config.venue}`;
    this.delayMs = this.config.reconnectDelayMs;
  }

  /** Connects and keeps reconnecting until {@link stop}. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.connect();
  }

  /** Resolves at the next successful connection (for tests and start-up). */
  async connected(): Promise<void> {
    if (this.socket?.readyState === WebSocket.OPEN) return;
    await new Promise<void>((resolve) => this.openWaiters.push(resolve));
  }

  /** Closes the connection and stops reconnecting. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    const socket = this.socket;
    if (socket === undefined || socket.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      socket.once('close', () => resolve());
      socket.close();
    });
  }

  private connect(): void {
    const url = this.config.url ?? DEFAULT_URLS[this.config.venue];
    const socket = new WebSocket(url);
    this.socket = socket;
    socket.on('open', () => {
      this.counters.connects++;
      this.delayMs = this.config.reconnectDelayMs;
      if (this.counters.connects > 1) this.adapter.onReconnect();
      for (const m of this.adapter.subscribeMessages(this.config.symbols, this.config.channels)) {
        socket.send(JSON.stringify(m));
      }
      for (const w of this.openWaiters.splice(0)) w();
    });
    socket.on('message', (data: WebSocket.RawData) => this.onMessage(data.toString()));
    socket.on('error', (error: Error) => this.options.onError?.(error));
    socket.on('close', () => {
      if (this.stopped) return;
      // Reconnect with exponential backoff; sequence baselines are kept, so what was missed
      // while disconnected shows as a gap on the first message after the reconnect.
      this.timer = setTimeout(() => this.connect(), this.delayMs);
      this.delayMs = Math.min(this.delayMs * 2, this.config.maxReconnectDelayMs);
    });
  }

  /** Handles one message's text (public for replaying recorded messages). */
  onMessage(text: string): void {
    this.counters.messages++;
    const out = newOutput();
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch (error) {
      this.reject([unparsableMessage(text, this.source, (error as Error).message)]);
      return;
    }
    this.adapter.handle(message, out);
    this.deliver(out);
  }

  private deliver(out: AdapterOutput): void {
    for (const gap of out.gaps) {
      this.counters.gaps++;
      this.options.onGap?.(gap);
    }
    if (out.errors.length > 0) this.reject(out.errors);
    const events: MarketEvent[] = [];
    for (const raw of out.raws) {
      const fast = tryParseEvent(raw);
      if (fast !== undefined) {
        events.push(fast);
        continue;
      }
      const r = validateEvent(raw, this.source);
      if (r.ok) events.push(r.event);
      else this.reject(r.errors);
    }
    if (events.length > 0) {
      this.counters.events += events.length;
      this.stats.accept(this.source, events.length);
      this.options.sink(events);
    }
    for (const symbol of out.snapshotsNeeded) void this.fetchSnapshot(symbol);
  }

  private reject(errors: InvalidEventError[]): void {
    this.counters.rejected++;
    this.stats.reject(this.source, errors);
  }

  private async fetchSnapshot(symbol: string): Promise<void> {
    const apply = this.adapter.applySnapshot?.bind(this.adapter);
    if (apply === undefined) return;
    const base = this.config.restUrl ?? DEFAULT_REST;
    try {
      const response = await fetch(`${base}/api/v3/depth?symbol=${encodeURIComponent(symbol)}&limit=1000`, {
        signal: AbortSignal.timeout(30_000),
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const snapshot = (await response.json()) as BinanceDepthSnapshot;
      this.counters.snapshots++;
      const out = newOutput();
      apply(symbol, snapshot, out);
      this.deliver(out);
    } catch (error) {
      this.options.onError?.(new Error(`depth snapshot of ${symbol} failed: ${(error as Error).message}`));
      // The book stays unsynced (its diffs buffered) until a snapshot arrives: try again.
      if (!this.stopped) this.timer = setTimeout(() => void this.fetchSnapshot(symbol), this.delayMs);
    }
  }
}
