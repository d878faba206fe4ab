import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { anOrder, aTrade } from '../../test/stubs';
import type { MarketEvent } from '../core/events';
import { BatchRejectedError, IngestService } from './ingest-service';

function service() {
  const seen: MarketEvent[] = [];
  return { seen, ingest: new IngestService({ sink: (events) => seen.push(...events), maxBatchEvents: 10 }) };
}

describe('IngestService', () => {
  it('processes valid events and reports each invalid one with its index', () => {
    const { seen, ingest } = service();
    const r = ingest.ingest('a', 1, [anOrder(), { ...aTrade(), qty: -1 }, 'junk', aTrade()]);
    expect(r).toMatchObject({ accepted: 2, rejected: 2, duplicate: false });
    expect(r.errors.map((e) => [e.index, e.error.field])).toEqual([
      [1, 'qty'],
      [2, '(event)'],
    ]);
    expect(seen).toHaveLength(2);
    expect(ingest.stats.report().sources['a']).toMatchObject({ accepted: 2, rejected: 2 });
  });

  it('skips a batch whose sequence was already processed, per source', () => {
    const { seen, ingest } = service();
    ingest.ingest('a', 1, [anOrder()]);
    expect(ingest.ingest('a', 1, [anOrder()]).duplicate).toBe(true);
    expect(ingest.ingest('b', 1, [anOrder()]).duplicate).toBe(false);
    expect(ingest.ingest('a', 0, [anOrder()]).duplicate).toBe(false);
    expect(ingest.ingest('a', 0, [anOrder()]).duplicate).toBe(false);
    expect(seen).toHaveLength(4);
    expect(ingest.duplicateBatches()).toEqual({ a: 1 });
  });

  it('processes every sequence exactly once under any order of sends and resends', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 40 }), { maxLength: 200 }), (sends) => {
        const { seen, ingest } = service();
        for (const seq of sends) ingest.ingest('src', seq, [anOrder({ orderId: `o${seq}` })]);
        const ids = seen.map((e) => (e as { orderId: string }).orderId).sort();
        expect(ids).toEqual([...new Set(sends)].map((s) => `o${s}`).sort());
      }),
      { seed: 8, numRuns: 300 },
    );
  });

  it('rejects a batch without a source, with a bad sequence or too many events, naming why', () => {
    const { ingest } = service();
    expect(() => ingest.ingest('', 1, [])).toThrow(BatchRejectedError);
    expect(() => ingest.ingest('a', -1, [])).toThrow(/sequence/);
    expect(() => ingest.ingest('a', 1.5, [])).toThrow(/sequence/);
    expect(() => ingest.ingest('a', 2, new Array(11).fill(anOrder()))).toThrow(/more than 10 events/);
  });
});

describe('IngestService clock bound', () => {
  it('rejects events stamped far ahead of the wall clock, naming ts, and keeps the rest', () => {
    const seen: MarketEvent[] = [];
    const now = 1_700_000_000_000_000;
    const ingest = new IngestService({
      sink: (events) => seen.push(...events),
      clockUs: () => now,
      maxFutureSkewUs: 3_600_000_000,
    });
    const ok = { ...aTrade(), ts: now + 60_000_000 };
    const future = { ...aTrade(), ts: now + 10 * 3_600_000_000 };
    const r = ingest.ingest('feed', 1, [ok, future]);
    expect(r.accepted).toBe(1);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]?.index).toBe(1);
    expect(r.errors[0]?.error.field).toBe('ts');
    expect(r.errors[0]?.error.reason).toMatch(/10\.0 h ahead of the wall clock; at most 1\.0 h/);
    expect(seen.map((e) => e.ts)).toEqual([now + 60_000_000]);
    expect(ingest.stats.report().sources.feed?.rejected).toBe(1);
  });
});
