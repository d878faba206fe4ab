import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StringHashMap } from './string-hash-map';

describe('StringHashMap', () => {
  it('behaves like Map under any sequence of sets and deletes', () => {
    const op = fc.oneof(
      fc.record({ op: fc.constant('set' as const), key: fc.string({ maxLength: 6 }), value: fc.integer() }),
      fc.record({ op: fc.constant('delete' as const), key: fc.string({ maxLength: 6 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 400 }), (ops) => {
        const mine = new StringHashMap<number>();
        const ref = new Map<string, number>();
        for (const o of ops) {
          if (o.op === 'set') {
            mine.set(o.key, o.value);
            ref.set(o.key, o.value);
          } else {
            expect(mine.delete(o.key)).toBe(ref.delete(o.key));
          }
          expect(mine.size).toBe(ref.size);
        }
        for (const [k, v] of ref) {
          expect(mine.get(k)).toBe(v);
          expect(mine.has(k)).toBe(true);
        }
        const entries: [string, number][] = [];
        mine.forEach((v, k) => {
          entries.push([k, v]);
        });
        expect(new Map(entries)).toEqual(ref);
        expect(new Set(mine.keysIter())).toEqual(new Set(ref.keys()));
      }),
      { seed: 5, numRuns: 300 },
    );
  });

  it('keeps every key reachable through growth and heavy churn', () => {
    const map = new StringHashMap<number>();
    for (let i = 0; i < 50_000; i++) {
      map.set(`o${i}`, i);
      if (i >= 5_000) expect(map.delete(`o${i - 5_000}`)).toBe(true);
    }
    expect(map.size).toBe(5_000);
    for (let i = 45_000; i < 50_000; i++) expect(map.get(`o${i}`)).toBe(i);
    expect(map.get('o0')).toBeUndefined();
    map.clear();
    expect(map.size).toBe(0);
    expect([...map.values()]).toEqual([]);
  });
});
