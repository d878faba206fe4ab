import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type WebSocket, WebSocketServer } from 'ws';
import type { MarketEvent } from '../../src/core/events';
import { CexFeed } from '../../src/ingest/cex/cex-feed';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

/** A local websocket server standing in for a venue; the test scripts each connection. */
async function venueServer(onConnection: (socket: WebSocket, index: number, subscribe: unknown) => void) {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise((r) => wss.once('listening', r));
  let index = 0;
  wss.on('connection', (socket) => {
    const n = index++;
    socket.once('message', (data) => onConnection(socket, n, JSON.parse(data.toString())));
  });
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        for (const c of wss.clients) c.terminate();
        wss.close(() => resolve());
      }),
  );
  return `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`;
}

async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const krakenTrade = (id: number, side = 'buy') =>
  JSON.stringify({
    channel: 'trade',
    type: 'update',
    data: [
      {
        symbol: 'BTC/USD',
        side,
        price: 61500 + (id % 7),
        qty: 0.1,
        ord_type: 'limit',
        trade_id: id,
        timestamp: '2024-03-01T12:00:00.000000Z',
      },
    ],
  });

describe('CEX websocket feed', () => {
  it('subscribes, reconnects after the venue drops it, and reports the trades missed meanwhile as a gap', async () => {
    const subscriptions: unknown[] = [];
    const url = await venueServer((socket, n, subscribe) => {
      subscriptions.push(subscribe);
      if (n === 0) {
        socket.send(krakenTrade(1));
        socket.send(krakenTrade(2));
        setTimeout(() => socket.terminate(), 20); // the venue drops the connection
      } else {
        socket.send(krakenTrade(5, 'sell')); // 3 and 4 happened while disconnected
        socket.send(krakenTrade(6));
      }
    });
    const events: MarketEvent[] = [];
    const gaps: string[] = [];
    const feed = new CexFeed({
      config: { venue: 'kraken', url, symbols: ['BTC/USD'], channels: ['trades'], reconnectDelayMs: 20 },
      sink: (e) => events.push(...e),
      onGap: (g) => gaps.push(`${g.stream}: ${g.expected}–${g.received - 1} missing`),
    });
    closers.push(() => feed.stop());
    feed.start();
    await until(() => events.length === 4, 'four trades');
    expect(events.map((e) => (e.kind === 'trade' ? e.tradeId : ''))).toEqual(['1', '2', '5', '6']);
    expect(gaps).toEqual(['BTC/USD:trade: 3–4 missing']);
    expect(feed.counters.connects).toBe(2);
    expect(subscriptions).toEqual([
      { method: 'subscribe', params: { channel: 'trade', symbol: ['BTC/USD'], snapshot: false } },
      { method: 'subscribe', params: { channel: 'trade', symbol: ['BTC/USD'], snapshot: false } },
    ]);
  });

  it('Binance: buffers depth diffs until the REST snapshot arrives, then rebuilds the book after a gap', async () => {
    let snapshotId = 100;
    const snapshots: string[] = [];
    const rest: Server = createServer((req, res) => {
      snapshots.push(req.url ?? '');
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ lastUpdateId: snapshotId, bids: [['99.0', '5']], asks: [['101.0', '5']] }));
    });
    await new Promise<void>((r) => rest.listen(0, '127.0.0.1', r));
    closers.push(() => new Promise<void>((r) => rest.close(() => r())));
    const depth = (U: number, u: number, bid: string) =>
      JSON.stringify({
        stream: 'ethusdt@depth@100ms',
        data: { e: 'depthUpdate', E: 1709294400000 + u, s: 'ETHUSDT', U, u, b: [[bid, '1']], a: [] },
      });
    let venue: WebSocket | undefined;
    const url = await venueServer((socket) => {
      venue = socket;
      socket.send(depth(99, 100, '99.5')); // older than the snapshot: dropped
      socket.send(depth(101, 102, '99.6'));
    });
    const events: MarketEvent[] = [];
    const feed = new CexFeed({
      config: {
        venue: 'binance',
        url,
        restUrl: `http://127.0.0.1:${(rest.address() as AddressInfo).port}`,
        symbols: ['ETHUSDT'],
        channels: ['book'],
      },
      sink: (e) => events.push(...e),
    });
    closers.push(() => feed.stop());
    feed.start();
    await until(() => events.length === 1, 'the first quote');
    expect(events[0]).toMatchObject({ kind: 'quote', instrument: 'ETHUSDT', bid: 99.6, ask: 101, seq: 102 });
    expect(snapshots).toEqual(['/api/v3/depth?symbol=ETHUSDT&limit=1000']);
    // A diff that skips update ids: the book is dropped, a new snapshot fetched, diffs resume.
    snapshotId = 110;
    venue?.send(depth(108, 111, '99.7'));
    await until(() => events.length === 2, 'a quote after the resync');
    expect(feed.counters.gaps).toBe(1);
    expect(feed.counters.snapshots).toBe(2);
    expect(events[1]).toMatchObject({ kind: 'quote', bid: 99.7, seq: 111 });
  });
});
