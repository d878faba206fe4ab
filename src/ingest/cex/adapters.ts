/**
 * Public websocket message formats of Binance, Coinbase and Kraken → tapewatch events.
 *
 * | venue | trades | book diffs | gap detection |
 * |---|---|---|---|
 * | Binance (`<sym>@trade`, `<sym>@depth@100ms`) | `trade`: `m` = buyer is maker, so the seller aggressed | `depthUpdate` applied over a REST snapshot (`/api/v3/depth`) | trade id `t` consecutive per symbol; depth `U` = previous `u` + 1, else the book is rebuilt from a new snapshot |
 * | Coinbase Exchange (`matches`, `level2_batch`) | `match`: `side` is the maker's, so the aggressor is the other side | `snapshot` + `l2update` | `trade_id` consecutive per product; level2 carries no sequence, a reconnect brings a fresh snapshot |
 * | Kraken v2 (`trade`, `book`) | `side` is the taker's | `snapshot` + `update` | `trade_id` consecutive per symbol; the book's CRC32 checksum is not verified |
 *
 * Book diffs become `quote` events whenever the top of book changes.
 *
 * @module
 */
import { InvalidEventError } from '../../core/errors';
import { BookMirror } from './book-mirror';

/** Supported venues. */
export type CexVenue = 'binance' | 'coinbase' | 'kraken';
/** Channels an adapter subscribes to. */
export type CexChannel = 'trades' | 'book';

/** A break in a venue's sequence. */
export interface FeedGap {
  stream: string;
  expected: number;
  received: number;
}

/** What one message produced. */
export interface AdapterOutput {
  /** Raw events in the event model's shape, validated by the feed. */
  raws: Record<string, unknown>[];
  gaps: FeedGap[];
  errors: InvalidEventError[];
  /** Symbols whose book needs a REST snapshot (Binance). */
  snapshotsNeeded: string[];
}

/** A depth snapshot as Binance's REST API returns it. */
export interface BinanceDepthSnapshot {
  lastUpdateId: number;
  bids: [string, string][];
  asks: [string, string][];
}

/** A venue's message format. */
export interface CexAdapter {
  readonly venue: CexVenue;
  /** Messages to send once connected. */
  subscribeMessages(symbols: readonly string[], channels: readonly CexChannel[]): unknown[];
  /** Handles one decoded JSON message. */
  handle(message: unknown, out: AdapterOutput): void;
  /** Applies a REST snapshot (Binance only); more output may follow from buffered diffs. */
  applySnapshot?(symbol: string, snapshot: BinanceDepthSnapshot, out: AdapterOutput): void;
  /** Forgets book state after a reconnect (sequence baselines for trades are kept, to see what was missed). */
  onReconnect(): void;
}

/** A new, empty output. */
export function newOutput(): AdapterOutput {
  return { raws: [], gaps: [], errors: [], snapshotsNeeded: [] };
}

/** RFC 3339 / ISO 8601 with up to 9 fraction digits → epoch microseconds; NaN when malformed. */
export function isoToMicros(text: unknown): number {
  if (typeof text !== 'string') return Number.NaN;
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(text);
  if (m === null) return Number.NaN;
  const ms = Date.parse(`${m[1]}${m[3]}`);
  if (!Number.isFinite(ms)) return Number.NaN;
  return ms * 1000 + Number(`${m[2] ?? ''}000000`.slice(0, 6));
}

function num(v: unknown): unknown {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v);
    return Number.isFinite(n) ? n : v;
  }
  return v;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Checks a per-stream counter that must go up by one. */
class SequenceCheck {
  private readonly last = new Map<string, number>();

  /** Returns the gap, if any, and records `value`. */
  next(stream: string, value: number): FeedGap | undefined {
    const last = this.last.get(stream);
    this.last.set(stream, value);
    if (last === undefined || value === last + 1) return undefined;
    if (value <= last) return undefined; // a replay or a restart of the counter: not a loss
    return { stream, expected: last + 1, received: value };
  }

  forget(stream: string): void {
    this.last.delete(stream);
  }
}

/** Binance spot public streams. */
export class BinanceAdapter implements CexAdapter {
  readonly venue = 'binance';
  private readonly trades = new SequenceCheck();
  private readonly books = new Map<
    string,
    {
      book: BookMirror;
      synced: boolean;
      lastU: number;
      buffer: Record<string, unknown>[];
      requested: boolean;
    }
  >();

  constructor(private readonly venueName = 'binance') {}

  subscribeMessages(symbols: readonly string[], channels: readonly CexChannel[]): unknown[] {
    const params: string[] = [];
    for (const s of symbols) {
      const lower = s.toLowerCase();
      if (channels.includes('trades')) params.push(`${lower}@trade`);
      if (channels.includes('book')) params.push(`${lower}@depth@100ms`);
    }
    return [{ method: 'SUBSCRIBE', params, id: 1 }];
  }

  handle(message: unknown, out: AdapterOutput): void {
    // Combined streams wrap each payload: {"stream": "...", "data": {...}}.
    const data = isObject(message) && isObject(message.data) ? message.data : message;
    if (!isObject(data)) return;
    if (data.e === 'trade') this.trade(data, out);
    else if (data.e === 'depthUpdate') this.depth(data, out);
  }

  private trade(t: Record<string, unknown>, out: AdapterOutput): void {
    const symbol = String(t.s);
    const id = Number(t.t);
    if (Number.isSafeInteger(id)) {
      const gap = this.trades.next(`${symbol}@trade`, id);
      if (gap !== undefined) out.gaps.push(gap);
    }
    out.raws.push({
      kind: 'trade',
      ts: typeof t.T === 'number' ? t.T * 1000 : t.T,
      venue: this.venueName,
      instrument: t.s,
      tradeId: t.t === undefined ? undefined : String(t.t),
      price: num(t.p),
      qty: num(t.q),
      // m: the buyer was the maker, so the sell order took liquidity.
      aggressor: t.m === true ? 'sell' : t.m === false ? 'buy' : t.m,
    });
  }

  private state(symbol: string) {
    let s = this.books.get(symbol);
    if (s === undefined) {
      s = { book: new BookMirror(), synced: false, lastU: 0, buffer: [], requested: false };
      this.books.set(symbol, s);
    }
    return s;
  }

  private depth(d: Record<string, unknown>, out: AdapterOutput): void {
    const symbol = String(d.s);
    const s = this.state(symbol);
    if (!s.synced) {
      s.buffer.push(d);
      if (!s.requested) {
        s.requested = true;
        out.snapshotsNeeded.push(symbol);
      }
      return;
    }
    const first = Number(d.U);
    if (first !== s.lastU + 1) {
      out.gaps.push({ stream: `${symbol}@depth`, expected: s.lastU + 1, received: first });
      this.resync(symbol, d, out);
      return;
    }
    this.applyDiff(symbol, d, out);
  }

  private resync(symbol: string, pending: Record<string, unknown> | undefined, out: AdapterOutput): void {
    const s = this.state(symbol);
    s.book.clear();
    s.synced = false;
    s.buffer = pending === undefined ? [] : [pending];
    s.requested = true;
    out.snapshotsNeeded.push(symbol);
  }

  private applyDiff(symbol: string, d: Record<string, unknown>, out: AdapterOutput): void {
    const s = this.state(symbol);
    for (const [p, q] of (d.b as [string, string][] | undefined) ?? [])
      s.book.apply('bid', Number(p), Number(q));
    for (const [p, q] of (d.a as [string, string][] | undefined) ?? [])
      s.book.apply('ask', Number(p), Number(q));
    s.lastU = Number(d.u);
    const top = s.book.takeTopChange();
    if (top !== undefined) {
      out.raws.push({
        kind: 'quote',
        ts: typeof d.E === 'number' ? d.E * 1000 : d.E,
        venue: this.venueName,
        instrument: symbol,
        seq: s.lastU,
        ...top,
      });
    }
  }

  /**
   * Binance's documented order: drop buffered diffs with `u` ≤ lastUpdateId; the first one
   * kept must span lastUpdateId + 1; then apply in order.
   */
  applySnapshot(symbol: string, snapshot: BinanceDepthSnapshot, out: AdapterOutput): void {
    const s = this.state(symbol);
    s.book.clear();
    for (const [p, q] of snapshot.bids) s.book.apply('bid', Number(p), Number(q));
    for (const [p, q] of snapshot.asks) s.book.apply('ask', Number(p), Number(q));
    s.lastU = snapshot.lastUpdateId;
    s.synced = true;
    s.requested = false;
    const buffered = s.buffer;
    s.buffer = [];
    let first = true;
    for (const d of buffered) {
      if (Number(d.u) <= snapshot.lastUpdateId) continue;
      if (first && !(Number(d.U) <= snapshot.lastUpdateId + 1)) {
        // The snapshot is older than the diffs we hold: fetch another.
        out.gaps.push({
          stream: `${symbol}@depth`,
          expected: snapshot.lastUpdateId + 1,
          received: Number(d.U),
        });
        this.resync(symbol, undefined, out);
        s.buffer = buffered.filter((b) => Number(b.u) > snapshot.lastUpdateId);
        return;
      }
      first = false;
      this.applyDiff(symbol, d, out);
    }
  }

  onReconnect(): void {
    for (const s of this.books.values()) {
      s.book.clear();
      s.synced = false;
      s.buffer = [];
      s.requested = false;
    }
  }
}

/** Coinbase Exchange public websocket feed. */
export class CoinbaseAdapter implements CexAdapter {
  readonly venue = 'coinbase';
  private readonly trades = new SequenceCheck();
  private readonly books = new Map<string, BookMirror>();

  constructor(private readonly venueName = 'coinbase') {}

  subscribeMessages(symbols: readonly string[], channels: readonly CexChannel[]): unknown[] {
    const names: string[] = [];
    if (channels.includes('trades')) names.push('matches');
    if (channels.includes('book')) names.push('level2_batch');
    return [{ type: 'subscribe', product_ids: [...symbols], channels: names }];
  }

  private book(product: string): BookMirror {
    let b = this.books.get(product);
    if (b === undefined) {
      b = new BookMirror();
      this.books.set(product, b);
    }
    return b;
  }

  handle(m: unknown, out: AdapterOutput): void {
    if (!isObject(m)) return;
    const product = String(m.product_id);
    switch (m.type) {
      case 'match':
      case 'last_match': {
        const id = Number(m.trade_id);
        if (Number.isSafeInteger(id)) {
          const gap = this.trades.next(`${product}:matches`, id);
          if (gap !== undefined) out.gaps.push(gap);
        }
        // `side` is the maker order's side; the taker was on the other side.
        const aggressor = m.side === 'buy' ? 'sell' : m.side === 'sell' ? 'buy' : m.side;
        out.raws.push({
          kind: 'trade',
          ts: isoToMicros(m.time),
          venue: this.venueName,
          instrument: m.product_id,
          tradeId: m.trade_id === undefined ? undefined : String(m.trade_id),
          price: num(m.price),
          qty: num(m.size),
          aggressor,
          ...(typeof m.sequence === 'number' ? { seq: m.sequence } : {}),
        });
        return;
      }
      case 'snapshot': {
        const b = this.book(product);
        b.clear();
        for (const [p, q] of (m.bids as [string, string][] | undefined) ?? [])
          b.apply('bid', Number(p), Number(q));
        for (const [p, q] of (m.asks as [string, string][] | undefined) ?? [])
          b.apply('ask', Number(p), Number(q));
        return;
      }
      case 'l2update': {
        const b = this.book(product);
        for (const [side, p, q] of (m.changes as [string, string, string][] | undefined) ?? []) {
          b.apply(side === 'buy' ? 'bid' : 'ask', Number(p), Number(q));
        }
        const top = b.takeTopChange();
        if (top !== undefined) {
          out.raws.push({
            kind: 'quote',
            ts: isoToMicros(m.time),
            venue: this.venueName,
            instrument: product,
            ...top,
          });
        }
        return;
      }
      default:
        return;
    }
  }

  onReconnect(): void {
    for (const b of this.books.values()) b.clear();
  }
}

/** Kraken spot websocket v2. */
export class KrakenAdapter implements CexAdapter {
  readonly venue = 'kraken';
  private readonly trades = new SequenceCheck();
  private readonly books = new Map<string, BookMirror>();

  constructor(private readonly venueName = 'kraken') {}

  subscribeMessages(symbols: readonly string[], channels: readonly CexChannel[]): unknown[] {
    const out: unknown[] = [];
    if (channels.includes('trades'))
      out.push({ method: 'subscribe', params: { channel: 'trade', symbol: [...symbols], snapshot: false } });
    if (channels.includes('book'))
      out.push({ method: 'subscribe', params: { channel: 'book', symbol: [...symbols], depth: 10 } });
    return out;
  }

  handle(m: unknown, out: AdapterOutput): void {
    if (!isObject(m) || !Array.isArray(m.data)) return;
    if (m.channel === 'trade') {
      for (const t of m.data) {
        if (!isObject(t)) continue;
        const id = Number(t.trade_id);
        if (Number.isSafeInteger(id)) {
          const gap = this.trades.next(`${String(t.symbol)}:trade`, id);
          if (gap !== undefined) out.gaps.push(gap);
        }
        out.raws.push({
          kind: 'trade',
          ts: isoToMicros(t.timestamp),
          venue: this.venueName,
          instrument: t.symbol,
          tradeId: t.trade_id === undefined ? undefined : String(t.trade_id),
          price: num(t.price),
          qty: num(t.qty),
          // Kraken reports the taker's side.
          aggressor: t.side,
        });
      }
    } else if (m.channel === 'book') {
      for (const u of m.data) {
        if (!isObject(u)) continue;
        const symbol = String(u.symbol);
        let b = this.books.get(symbol);
        if (b === undefined) {
          b = new BookMirror();
          this.books.set(symbol, b);
        }
        if (m.type === 'snapshot') b.clear();
        for (const l of (u.bids as { price: number; qty: number }[] | undefined) ?? [])
          b.apply('bid', l.price, l.qty);
        for (const l of (u.asks as { price: number; qty: number }[] | undefined) ?? [])
          b.apply('ask', l.price, l.qty);
        const top = b.takeTopChange();
        if (top !== undefined && u.timestamp !== undefined) {
          out.raws.push({
            kind: 'quote',
            ts: isoToMicros(u.timestamp),
            venue: this.venueName,
            instrument: symbol,
            ...top,
          });
        }
      }
    }
  }

  onReconnect(): void {
    for (const b of this.books.values()) b.clear();
  }
}

/** The adapter of `venue`, naming events' `venue` as `venueName`. */
export function adapterFor(venue: CexVenue, venueName: string = venue): CexAdapter {
  switch (venue) {
    case 'binance':
      return new BinanceAdapter(venueName);
    case 'coinbase':
      return new CoinbaseAdapter(venueName);
    case 'kraken':
      return new KrakenAdapter(venueName);
  }
}

/** The error of a message that is not JSON. */
export function unparsableMessage(text: string, where: string, reason: string): InvalidEventError {
  return new InvalidEventError('(message)', text, `not valid JSON (${reason})`, where);
}
