import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SequenceLedger } from './sequence-ledger';

describe('sequence ledger', () => {
  it('keeps a gap open, expecting its first number, until every number in it arrives', () => {
    const l = new SequenceLedger();
    expect([1, 2, 6].map((s) => l.receive(s))).toEqual(['in_order', 'in_order', 'gap']);
    expect(l.nextExpected).toBe(3);
    expect(l.missing).toEqual([{ begin: 3, end: 5 }]);
    expect([4, 4, 6, 3].map((s) => l.receive(s))).toEqual(['gap_fill', 'duplicate', 'duplicate', 'gap_fill']);
    expect(l.nextExpected).toBe(5);
    l.gapFill(5, 6);
    expect(l.nextExpected).toBe(7);
    expect(l.missing).toEqual([]);
  });

  it('survives a round trip through its plain-data form, as the store writes it', () => {
    const l = new SequenceLedger();
    for (const s of [1, 5, 9, 3]) l.receive(s);
    const copy = new SequenceLedger(JSON.parse(JSON.stringify(l.toJSON())));
    expect(copy.missing).toEqual(l.missing);
    expect(copy.nextExpected).toBe(2);
    expect(copy.receive(3)).toBe('duplicate');
    expect(copy.receive(2)).toBe('gap_fill');
  });

  it('processes every number exactly once, whatever the arrival order and repetition (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 40 }), { maxLength: 120 }), (arrivals) => {
        const l = new SequenceLedger();
        const processed = new Set<number>();
        for (const seq of arrivals) {
          const verdict = l.receive(seq);
          if (verdict === 'duplicate') expect(processed.has(seq)).toBe(true);
          else {
            expect(processed.has(seq)).toBe(false);
            processed.add(seq);
          }
        }
        const highest = Math.max(0, ...arrivals);
        expect(l.highestSeen).toBe(highest);
        let firstMissing = 1;
        while (processed.has(firstMissing)) firstMissing++;
        expect(l.nextExpected).toBe(firstMissing);
        for (let s = 1; s <= highest; s++) expect(l.isProcessed(s)).toBe(processed.has(s));
      }),
    );
  });
});
