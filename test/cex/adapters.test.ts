import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { MarketEvent } from '../../src/core/events';
import {
  type AdapterOutput,
  adapterFor,
  BinanceAdapter,
  isoToMicros,
  newOutput,
} from '../../src/ingest/cex/adapters';
import { CexFeed } from '../../src/ingest/cex/cex-feed';

const here = dirname(fileURLToPath(import.meta.url));
const messages = (venue: string) =>
  readFileSync(join(here, 'fixtures', `${venue}.jsonl`), 'utf8')
    .trim()
    .split('\n');

/** Runs recorded messages through a feed without a socket. */
function replay(venue: 'coinbase' | 'kraken', symbols: string[]) {
  const events: MarketEvent[] = [];
  const gaps: string[] = [];
  const feed = new CexFeed({
    config: { venue, symbols },
    sink: (e) => events.push(...e),
    onGap: (g) => gaps.push(`${g.stream} expected ${g.expected} got ${g.received}`),
  });
  for (const m of messages(venue)) feed.onMessage(m);
  return { events, gaps, feed };
}

const T0 = Date.UTC(2024, 2, 1, 12) * 1000;

describe('CEX public message formats', () => {
  it('Coinbase: matches (aggressor opposite the maker side), level2 top-of-book quotes, trade_id gaps', () => {
    const { events, gaps } = replay('coinbase', ['BTC-USD']);
    expect(events).toEqual([
      {
        kind: 'trade',
        ts: T0 + 100_000,
        venue: 'coinbase',
        instrument: 'BTC-USD',
        seq: 70000000001,
        tradeId: '600000001',
        price: 61500,
        qty: 0.01,
        aggressor: 'buy',
      },
      {
        kind: 'quote',
        ts: T0 + 200_000,
        venue: 'coinbase',
        instrument: 'BTC-USD',
        bid: 61500,
        bidQty: 0.4,
        ask: 61500.01,
        askQty: 0.7,
      },
      {
        kind: 'trade',
        ts: T0 + 250_123,
        venue: 'coinbase',
        instrument: 'BTC-USD',
        seq: 70000000007,
        tradeId: '600000002',
        price: 61500,
        qty: 0.25,
        aggressor: 'sell',
      },
      {
        kind: 'quote',
        ts: T0 + 300_000,
        venue: 'coinbase',
        instrument: 'BTC-USD',
        bid: 61499.99,
        bidQty: 1.5,
        ask: 61501,
        askQty: 3,
      },
      {
        kind: 'trade',
        ts: T0 + 400_000,
        venue: 'coinbase',
        instrument: 'BTC-USD',
        seq: 70000000011,
        tradeId: '600000004',
        price: 61501,
        qty: 0.05,
        aggressor: 'buy',
      },
    ]);
    expect(gaps).toEqual(['BTC-USD:matches expected 600000003 got 600000004']);
  });

  it('Kraken v2: taker-side trades, book snapshot and updates as quotes; heartbeats and acks ignored', () => {
    const { events, gaps } = replay('kraken', ['BTC/USD']);
    expect(
      events.map((e) =>
        e.kind === 'trade'
          ? `trade ${e.tradeId} ${e.aggressor} ${e.qty}@${e.price}`
          : `quote ${e.kind === 'quote' ? `${e.bid}/${e.ask}` : ''}`,
      ),
    ).toEqual([
      'quote 61499.9/61500.1',
      'trade 70000001 buy 0.2@61500.1',
      'trade 70000002 buy 0.3@61500.1',
      'quote 61499.9/61501',
      'trade 70000003 sell 1@61499.9',
    ]);
    expect(events[0]?.ts).toBe(T0 + 50_000);
    expect(gaps).toEqual([]);
  });

  it('Binance: trades with the maker flag, depth diffs over a snapshot, gaps in trade ids and update ids', () => {
    const adapter = new BinanceAdapter();
    const out: AdapterOutput = newOutput();
    const [t1, t2, d1, d2, t5] = messages('binance').map((m) => JSON.parse(m));
    for (const m of [t1, t2, d1]) adapter.handle(m, out);
    expect(out.snapshotsNeeded).toEqual(['BTCUSDT']);
    adapter.applySnapshot(
      'BTCUSDT',
      { lastUpdateId: 5002, bids: [['61499.00', '2']], asks: [['61501.00', '1']] },
      out,
    );
    adapter.handle(d2, out);
    adapter.handle(t5, out);
    expect(
      out.raws.map(
        (r) =>
          `${r.kind} ${r.kind === 'trade' ? `${r.tradeId} ${r.aggressor}` : `${r.bid}/${r.ask} seq ${r.seq}`}`,
      ),
    ).toEqual([
      'trade 3000000001 buy',
      'trade 3000000002 sell',
      'quote 61499.9/61500.1 seq 5003',
      'quote 61499.95/61501 seq 5006',
      'trade 3000000005 buy',
    ]);
    expect(out.gaps).toEqual([{ stream: 'BTCUSDT@trade', expected: 3000000003, received: 3000000005 }]);
    // An update that does not follow the last one is a gap: the book is dropped and resynced.
    const gapOut = newOutput();
    adapter.handle({ e: 'depthUpdate', E: 1, s: 'BTCUSDT', U: 5010, u: 5011, b: [], a: [] }, gapOut);
    expect(gapOut.gaps).toEqual([{ stream: 'BTCUSDT@depth', expected: 5007, received: 5010 }]);
    expect(gapOut.snapshotsNeeded).toEqual(['BTCUSDT']);
  });

  it('rejects unparsable messages and bad values with a counted error, and goes on', () => {
    const { feed } = replay('kraken', ['BTC/USD']);
    feed.onMessage(
      '{"channel":"trade","data":[{"symbol":"BTC/USD","side":"up","price":-1,"qty":1,"trade_id":70000004,"timestamp":"2024-03-01T12:00:01Z"}]}',
    );
    feed.onMessage('not json');
    expect(feed.counters.rejected).toBe(2);
    expect(feed.stats.report().sources['cex:kraken']?.rejectedByField).toEqual({
      '(message)': 1,
      price: 1,
      aggressor: 1,
    });
  });

  it('builds the subscribe messages each venue expects', () => {
    expect(adapterFor('binance').subscribeMessages(['BTCUSDT'], ['trades', 'book'])).toEqual([
      { method: 'SUBSCRIBE', params: ['btcusdt@trade', 'btcusdt@depth@100ms'], id: 1 },
    ]);
    expect(adapterFor('coinbase').subscribeMessages(['BTC-USD'], ['trades'])).toEqual([
      { type: 'subscribe', product_ids: ['BTC-USD'], channels: ['matches'] },
    ]);
    expect(adapterFor('kraken').subscribeMessages(['BTC/USD'], ['book'])).toEqual([
      { method: 'subscribe', params: { channel: 'book', symbol: ['BTC/USD'], depth: 10 } },
    ]);
    expect(isoToMicros('2024-03-01T12:00:00.1234567Z')).toBe(T0 + 123_456);
    expect(isoToMicros('yesterday')).toBeNaN();
  });
});
