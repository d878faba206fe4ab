import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BookSide } from './book-side';

describe('BookSide', () => {
  it('keeps levels sorted with the best last and reports the touch and depth', () => {
    const bids = new BookSide(true);
    bids.add(99, 1);
    bids.add(101, 2);
    bids.add(100, 3);
    bids.add(101, 1);
    expect(bids.best()).toBe(101);
    expect(bids.bestQty()).toBe(3);
    expect(bids.top(3)).toEqual([
      { price: 101, qty: 3, orders: 2 },
      { price: 100, qty: 3, orders: 1 },
      { price: 99, qty: 1, orders: 1 },
    ]);
    expect(bids.levelIndexOf(101)).toBe(0);
    expect(bids.levelIndexOf(99)).toBe(2);
    expect(bids.levelIndexOf(100.5)).toBe(1);
    expect(bids.depth(2)).toBe(6);
    const asks = new BookSide(false);
    asks.add(102, 1);
    asks.add(101.5, 1);
    expect(asks.best()).toBe(101.5);
    expect(asks.levelIndexOf(102)).toBe(1);
  });

  it('matches a naive map of levels under random adds, adjusts and removes', () => {
    const op = fc.record({
      kind: fc.constantFrom('add', 'remove', 'adjust'),
      price: fc.integer({ min: 1, max: 60 }),
      qty: fc.integer({ min: 1, max: 5 }),
      isBid: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const sides = { true: new BookSide(true), false: new BookSide(false) };
        const ref = { true: new Map<number, { qty: number; orders: number }>(), false: new Map() };
        for (const o of ops) {
          const side = sides[`${o.isBid}`];
          const levels = ref[`${o.isBid}`] as Map<number, { qty: number; orders: number }>;
          const level = levels.get(o.price);
          if (o.kind === 'add') {
            side.add(o.price, o.qty);
            levels.set(o.price, { qty: (level?.qty ?? 0) + o.qty, orders: (level?.orders ?? 0) + 1 });
          } else if (level !== undefined) {
            const qty = Math.min(o.qty, level.qty);
            if (o.kind === 'remove') {
              side.remove(o.price, qty);
              if (level.orders === 1) levels.delete(o.price);
              else levels.set(o.price, { qty: level.qty - qty, orders: level.orders - 1 });
            } else {
              side.adjust(o.price, -qty);
              levels.set(o.price, { qty: level.qty - qty, orders: level.orders });
            }
          }
        }
        for (const isBid of [true, false] as const) {
          const side = sides[`${isBid}`];
          const levels = ref[`${isBid}`] as Map<number, { qty: number; orders: number }>;
          const expected = [...levels.entries()]
            .sort((a, b) => (isBid ? b[0] - a[0] : a[0] - b[0]))
            .map(([price, l]) => ({ price, qty: l.qty, orders: l.orders }));
          expect(side.top(1000)).toEqual(expected);
          expect(side.levelCount).toBe(levels.size);
        }
      }),
      { seed: 17, numRuns: 300 },
    );
  });
});
