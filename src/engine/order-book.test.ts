import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { ReferenceBook } from '../../test/reference-book';
import { aCancel, anOrder, aQuote, aReplace, aTrade, at, resetIds } from '../../test/stubs';
import { MutableBookUpdate, OrderBook } from './order-book';

function apply(
  book: OrderBook,
  e:
    | ReturnType<typeof anOrder>
    | ReturnType<typeof aCancel>
    | ReturnType<typeof aReplace>
    | ReturnType<typeof aTrade>,
) {
  const update = new MutableBookUpdate();
  if (e.kind === 'order_new') book.applyNew(e, update);
  else if (e.kind === 'order_cancel') book.applyCancel(e, update);
  else if (e.kind === 'order_replace') book.applyReplace(e, update);
  else book.applyTrade(e, update);
  return update;
}

describe('OrderBook', () => {
  beforeEach(resetIds);

  it('tracks resting orders by id and by account, with depth per level and the touch', () => {
    const book = new OrderBook('testex', 'BTC-USDT');
    apply(book, anOrder({ orderId: 'b1', side: 'buy', price: 99, qty: 2, account: 'mm' }));
    apply(book, anOrder({ orderId: 'b2', side: 'buy', price: 99, qty: 3, account: 'x' }));
    apply(book, anOrder({ orderId: 'b3', side: 'buy', price: 98, qty: 1, account: 'mm' }));
    apply(book, anOrder({ orderId: 'a1', side: 'sell', price: 101, qty: 4, account: 'mm' }));
    expect(book.bestBid()).toBe(99);
    expect(book.bestAsk()).toBe(101);
    expect(book.mid()).toBe(100);
    expect(book.spread()).toBe(2);
    expect(book.bids.qtyAt(99)).toBe(5);
    expect(book.bids.level(99)?.orders).toBe(2);
    expect(book.bids.top(2).map((l) => l.price)).toEqual([99, 98]);
    expect(book.bids.depth(2)).toBe(6);
    expect(
      book
        .ordersOf('mm')
        .map((o) => o.orderId)
        .sort(),
    ).toEqual(['a1', 'b1', 'b3']);
    expect(book.accountExposure('mm', 'buy')).toEqual({ qty: 3, orders: 2, levels: 2 });
    expect(book.size).toBe(4);
  });

  it('keeps the last state of a cancelled order in the update and removes it everywhere', () => {
    const book = new OrderBook('testex', 'BTC-USDT');
    apply(book, anOrder({ orderId: 's1', side: 'sell', price: 105, qty: 50, ts: at(0) }));
    const update = apply(book, aCancel({ orderId: 's1', ts: at(1.8) }));
    expect(update.order).toMatchObject({ orderId: 's1', qty: 50, placedTs: at(0), updatedTs: at(1.8) });
    expect(book.order('s1')).toBeUndefined();
    expect(book.asks.levelCount).toBe(0);
    expect(book.orderCountOf('acct-1')).toBe(0);
    expect(book.ordersOf('acct-1')).toEqual([]);
  });

  it('reports the age of resting orders in event time', () => {
    const book = new OrderBook('testex', 'BTC-USDT');
    apply(book, anOrder({ orderId: 'o', ts: at(2) }));
    expect(book.ageUs('o', at(3.5))).toBe(1_500_000);
    expect(book.ageUs('missing', at(3.5))).toBeNaN();
  });

  it('moves quantity between levels on replace and remembers the previous price and size', () => {
    const book = new OrderBook('testex', 'BTC-USDT');
    apply(book, anOrder({ orderId: 'o', side: 'buy', price: 99, qty: 2 }));
    const update = apply(book, aReplace({ orderId: 'o', price: 98, qty: 5 }));
    expect(update.previousPrice).toBe(99);
    expect(update.previousQty).toBe(2);
    expect(book.bids.qtyAt(99)).toBe(0);
    expect(book.bids.qtyAt(98)).toBe(5);
    expect(book.order('o')?.replaceCount).toBe(1);
    apply(book, aReplace({ orderId: 'o', price: 98, qty: 1 }));
    expect(book.bids.level(98)).toMatchObject({ qty: 1, orders: 1 });
  });

  it('fills resting orders named by trades and removes them when fully filled', () => {
    const book = new OrderBook('testex', 'BTC-USDT');
    apply(book, anOrder({ orderId: 'ask', side: 'sell', price: 101, qty: 3 }));
    let update = apply(book, aTrade({ sellOrderId: 'ask', buyOrderId: 'mkt', qty: 1, price: 101 }));
    expect(update.sellOrder).toMatchObject({ qty: 2, filledQty: 1 });
    expect(update.buyOrder).toBeUndefined();
    expect(book.asks.qtyAt(101)).toBe(2);
    update = apply(book, aTrade({ sellOrderId: 'ask', qty: 2, price: 101 }));
    expect(update.sellOrder).toMatchObject({ qty: 0, filledQty: 3 });
    expect(book.size).toBe(0);
    expect(book.asks.levelCount).toBe(0);
  });

  it('counts cancels of unknown orders and duplicate order ids without failing', () => {
    const book = new OrderBook('testex', 'BTC-USDT');
    const update = apply(book, aCancel({ orderId: 'ghost' }));
    expect(update.isUnknownOrder).toBe(true);
    apply(book, aReplace({ orderId: 'ghost2' }));
    apply(book, anOrder({ orderId: 'dup', price: 99 }));
    apply(book, anOrder({ orderId: 'dup', price: 98 }));
    expect(book.anomalies).toEqual({ unknownOrderRefs: 2, duplicateOrderIds: 1 });
    expect(book.bids.qtyAt(99)).toBe(0);
    expect(book.bids.qtyAt(98)).toBe(1);
  });

  it('does not rest market orders', () => {
    const book = new OrderBook('testex', 'BTC-USDT');
    apply(book, anOrder({ orderId: 'm', type: 'market', price: 0 }));
    expect(book.size).toBe(0);
  });

  it('falls back to the last quote for the mid when the book has no orders', () => {
    const book = new OrderBook('testex', 'BTC-USDT');
    book.applyQuote(aQuote({ bid: 99, ask: 101 }));
    expect(book.mid()).toBe(100);
    expect(book.bestBid()).toBeNaN();
  });

  it('absorbs fractional fills without leaving dust orders behind', () => {
    const book = new OrderBook('testex', 'BTC-USDT');
    apply(book, anOrder({ orderId: 'o', side: 'sell', price: 101, qty: 0.3 }));
    apply(book, aTrade({ sellOrderId: 'o', qty: 0.1 }));
    apply(book, aTrade({ sellOrderId: 'o', qty: 0.2 }));
    expect(book.size).toBe(0);
  });

  describe('property: mirrors a naive reference book on random venue activity', () => {
    type Op =
      | { op: 'new'; side: 'buy' | 'sell'; tick: number; qty: number; account: number; market: boolean }
      | { op: 'cancel'; pick: number; ghost: boolean }
      | { op: 'replace'; pick: number; tick: number; qty: number }
      | { op: 'publicTrade'; tick: number; qty: number };

    const opArb: fc.Arbitrary<Op> = fc.oneof(
      {
        weight: 5,
        arbitrary: fc.record({
          op: fc.constant('new' as const),
          side: fc.constantFrom('buy' as const, 'sell' as const),
          tick: fc.integer({ min: 90, max: 110 }),
          qty: fc.integer({ min: 1, max: 10 }),
          account: fc.integer({ min: 0, max: 3 }),
          market: fc.integer({ min: 0, max: 4 }).map((n) => n === 0),
        }),
      },
      {
        weight: 2,
        arbitrary: fc.record({ op: fc.constant('cancel' as const), pick: fc.nat(), ghost: fc.boolean() }),
      },
      {
        weight: 2,
        arbitrary: fc.record({
          op: fc.constant('replace' as const),
          pick: fc.nat(),
          tick: fc.integer({ min: 90, max: 110 }),
          qty: fc.integer({ min: 1, max: 10 }),
        }),
      },
      {
        weight: 1,
        arbitrary: fc.record({
          op: fc.constant('publicTrade' as const),
          tick: fc.integer({ min: 90, max: 110 }),
          qty: fc.integer({ min: 1, max: 10 }),
        }),
      },
    );

    it('keeps orders, levels, the touch and accounts consistent with the reference', () => {
      fc.assert(
        fc.property(fc.array(opArb, { minLength: 1, maxLength: 120 }), (ops) => {
          const ref = new ReferenceBook('testex', 'BTC-USDT');
          const book = new OrderBook('testex', 'BTC-USDT');
          let ts = 1_000_000;
          let id = 0;
          for (const op of ops) {
            ts += 1000;
            let events: ReturnType<ReferenceBook['submit']> = [];
            if (op.op === 'new') {
              events = ref.submit(
                ts,
                `o${++id}`,
                `acct${op.account}`,
                op.side,
                op.tick,
                op.qty,
                op.market ? 'market' : 'limit',
              );
            } else if (op.op === 'cancel') {
              const target = ref.orders[op.pick % Math.max(1, ref.orders.length)];
              events =
                op.ghost || target === undefined
                  ? ref.cancel(ts, `ghost${op.pick}`, 'acct0')
                  : ref.cancel(ts, target.orderId, target.account);
            } else if (op.op === 'replace') {
              const target = ref.orders[op.pick % Math.max(1, ref.orders.length)];
              if (target !== undefined) events = ref.replace(ts, target.orderId, op.tick, op.qty);
            } else {
              // A trade from a public feed names no orders: the mirror must not change.
              events = [aTrade({ ts, price: op.tick, qty: op.qty })];
            }
            for (const e of events) apply(book, e as Parameters<typeof apply>[1]);

            // Same resting orders with the same open quantities.
            expect(book.size).toBe(ref.orders.length);
            for (const o of ref.orders) {
              const mine = book.order(o.orderId);
              expect(mine).toBeDefined();
              expect(mine?.qty).toBe(o.qty);
              expect(mine?.price).toBe(o.price);
              expect(mine?.side).toBe(o.side);
            }
            // Same touch and depth; never crossed after matching; no negative quantity.
            expect(book.bestBid()).toEqual(ref.bestBid());
            expect(book.bestAsk()).toEqual(ref.bestAsk());
            expect(book.bestBid() < book.bestAsk() || Number.isNaN(book.spread())).toBe(true);
            for (const side of [book.bids, book.asks]) {
              for (const level of side.top(1000)) {
                expect(level.qty).toBeGreaterThan(0);
                expect(level.qty).toBe(ref.depthAt(side.isBid ? 'buy' : 'sell', level.price));
              }
            }
            // Orders by account are exactly orders by id, partitioned.
            let byAccount = 0;
            for (const account of book.accounts()) {
              const orders = book.ordersOf(account);
              expect(orders.length).toBe(book.orderCountOf(account));
              for (const o of orders) {
                expect(o.account).toBe(account);
                expect(book.order(o.orderId)).toEqual(o);
                byAccount++;
              }
            }
            expect(byAccount).toBe(book.size);
            expect(book.orders().length).toBe(book.size);
          }
        }),
        { seed: 20261125, numRuns: 300 },
      );
    });
  });
});
