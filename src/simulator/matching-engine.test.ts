import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ReferenceBook } from '../../test/reference-book';
import type { MarketEvent, Side } from '../core/events';
import { MatchingBook } from './matching-engine';

type Op =
  | { type: 'limit'; side: Side; price: number; qty: number; account: number }
  | { type: 'market'; side: Side; qty: number; account: number }
  | { type: 'cancel'; pick: number }
  | { type: 'replace'; pick: number; price: number; qty: number };

const side = fc.constantFrom<Side>('buy', 'sell');
const price = fc.integer({ min: 95, max: 105 });
const qty = fc.integer({ min: 1, max: 20 });
const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({ type: fc.constant('limit' as const), side, price, qty, account: fc.nat(3) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ type: fc.constant('market' as const), side, qty, account: fc.nat(3) }),
  },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('cancel' as const), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('replace' as const), pick: fc.nat(), price, qty }) },
);

function pair() {
  const events: MarketEvent[] = [];
  const book = new MatchingBook({
    venue: 'ref',
    instrument: 'REF-USD',
    sink: (e) => events.push(e),
    tradeIdPrefix: 'rt',
  });
  return { book, events, ref: new ReferenceBook() };
}

describe('MatchingBook', () => {
  it('publishes exactly the events of the naive reference book for any sequence of orders', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), (ops) => {
        const { book, events, ref } = pair();
        const ids: string[] = [];
        let ts = 1_000;
        for (const o of ops) {
          ts += 10;
          events.length = 0;
          let expected: MarketEvent[];
          if (o.type === 'limit') {
            const id = `o${ids.length}`;
            ids.push(id);
            expected = ref.submit(ts, id, `a${o.account}`, o.side, o.price, o.qty, 'limit');
            book.limit(ts, id, `a${o.account}`, o.side, o.price, o.qty);
          } else if (o.type === 'market') {
            const id = `o${ids.length}`;
            ids.push(id);
            const reference = Number.isNaN(book.lastTradePrice) ? 0 : book.lastTradePrice;
            expected = ref.submit(ts, id, `a${o.account}`, o.side, reference, o.qty, 'market');
            book.market(ts, id, `a${o.account}`, o.side, o.qty);
          } else {
            if (ids.length === 0) continue;
            const id = ids[o.pick % ids.length] as string;
            const isLive = ref.orders.some((r) => r.orderId === id);
            if (o.type === 'cancel') {
              expected = isLive
                ? ref.cancel(ts, id, ref.orders.find((r) => r.orderId === id)?.account ?? '')
                : [];
              expect(book.cancel(ts, id)).toBe(isLive);
            } else {
              expected = ref.replace(ts, id, o.price, o.qty);
              expect(book.replace(ts, id, o.price, o.qty)).toBe(isLive);
            }
          }
          expect(events).toEqual(expected);
          expect(book.bestBid()).toEqual(ref.bestBid());
          expect(book.bestAsk()).toEqual(ref.bestAsk());
          for (let p = 95; p <= 105; p++) {
            expect(book.depthAt('buy', p)).toBe(ref.depthAt('buy', p));
            expect(book.depthAt('sell', p)).toBe(ref.depthAt('sell', p));
          }
          expect(book.size).toBe(ref.orders.length);
        }
        // The book never rests crossed.
        expect(
          book.bestBid() < book.bestAsk() || Number.isNaN(book.bestBid()) || Number.isNaN(book.bestAsk()),
        ).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('fills partially at the resting price, oldest order first, and rests the remainder', () => {
    const { book, events } = pair();
    book.limit(1, 'a', 'alice', 'sell', 101, 2);
    book.limit(2, 'b', 'bob', 'sell', 101, 3);
    book.limit(3, 'c', 'carol', 'sell', 100, 1);
    book.limit(4, 'd', 'dave', 'buy', 102, 4);
    const trades = events.filter((e) => e.kind === 'trade');
    expect(trades.map((t) => [t.price, t.qty, t.sellAccount])).toEqual([
      [100, 1, 'carol'],
      [101, 2, 'alice'],
      [101, 1, 'bob'],
    ]);
    expect(book.depthAt('sell', 101)).toBe(2);
    expect(book.bestBid()).toBeNaN();
  });

  it('lets an account trade with itself and shows it on the trade', () => {
    const { book, events } = pair();
    book.limit(1, 's', 'washer', 'sell', 100, 1);
    book.limit(2, 'b', 'washer', 'buy', 100, 1);
    const trade = events.find((e) => e.kind === 'trade');
    expect(trade).toMatchObject({
      buyAccount: 'washer',
      sellAccount: 'washer',
      buyOrderId: 'b',
      sellOrderId: 's',
      aggressor: 'buy',
    });
  });

  it('hands back the tag of the aggressor, or of the resting order when the aggressor has none', () => {
    const tags: number[] = [];
    const book = new MatchingBook({ venue: 'v', instrument: 'X', sink: (_e, tag) => tags.push(tag) });
    book.limit(1, 's', 'spoofer', 'sell', 100, 1, 7);
    book.market(2, 'm', 'noise', 'buy', 0.5);
    book.cancel(3, 's');
    expect(tags).toEqual([7, 0, 7, 7]);
  });

  it('publishes a quote only when the top of book changes', () => {
    const events: MarketEvent[] = [];
    const book = new MatchingBook({
      venue: 'v',
      instrument: 'X',
      sink: (e) => events.push(e),
      emitQuotes: true,
    });
    book.limit(1, 'b', 'x', 'buy', 99, 1);
    book.limit(2, 'a', 'y', 'sell', 101, 1);
    book.limit(3, 'far', 'y', 'sell', 110, 1);
    const quotes = events.filter((e) => e.kind === 'quote');
    expect(quotes).toEqual([
      { kind: 'quote', ts: 2, venue: 'v', instrument: 'X', bid: 99, bidQty: 1, ask: 101, askQty: 1 },
    ]);
  });

  it('keeps quantities free of float residue through many partial fills', () => {
    const { book } = pair();
    book.limit(1, 's', 'x', 'sell', 100, 0.3);
    for (let i = 0; i < 3; i++) book.market(2 + i, `m${i}`, 'y', 'buy', 0.1);
    expect(book.size).toBe(0);
    expect(book.bestAsk()).toBeNaN();
  });

  it('forgets everything on reset', () => {
    const { book } = pair();
    book.limit(1, 's', 'x', 'sell', 100, 1);
    book.market(2, 'm', 'y', 'buy', 0.5);
    book.reset();
    expect([book.size, book.tradeCount, book.bestAsk(), book.lastTradePrice]).toEqual([
      0,
      0,
      Number.NaN,
      Number.NaN,
    ]);
    expect(book.restingOrders()).toEqual([]);
  });
});
