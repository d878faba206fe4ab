import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { syntheticEvents } from '../../../bench/synthetic';
import { type PartitionOp, PartitionRouter } from '../../scale/partition-router';
import { BatchDecodeError, decodeBatch, encodeBatch } from './codec';

function routedOps(seed: number, partitions: number, lateEvery: number): PartitionOp[][] {
  const events = syntheticEvents({ events: 400, instruments: 5, accounts: 9, seed, meanGapUs: 30_000 });
  const out: PartitionOp[][] = Array.from({ length: partitions }, () => []);
  const router = new PartitionRouter(partitions, (p, op) => out[p]?.push(op));
  events.forEach((e, i) => {
    router.route(i % lateEvery === 0 ? { ...e, ts: e.ts - 200_000 } : e);
  });
  router.advanceTo((events.at(-1)?.ts ?? 0) + 5_000_000);
  router.flush();
  return out;
}

describe('partition batch codec', () => {
  it('round-trips every routed operation: events, late events, clock ticks and advances', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 2, max: 20 }),
        (seed, n, lateEvery) => {
          const all = routedOps(seed, n, lateEvery);
          all.forEach((ops, p) => {
            const decoded = decodeBatch(encodeBatch(p, 7, ops));
            expect(decoded).toEqual({ partition: p, batch: 7, ops, invalid: [] });
          });
          expect(all.flat().some((op) => op.kind === 'event' && op.now > op.event.ts)).toBe(true);
        },
      ),
      { numRuns: 30 },
    );
  });

  it('rejects bodies that are not batches with the field and reason', () => {
    const bytes = (s: string) => new TextEncoder().encode(s);
    expect(() => decodeBatch(bytes('hello'))).toThrow(BatchDecodeError);
    expect(() => decodeBatch(bytes('hello'))).toThrow(/not JSON/);
    expect(() => decodeBatch(new Uint8Array([0xff, 0xfe, 0x00]))).toThrow(/not UTF-8/);
    expect(() => decodeBatch(bytes('{"v":2,"p":0,"b":1,"ops":[]}'))).toThrow(/v: expected format version 1/);
    expect(() => decodeBatch(bytes('{"v":1,"p":-1,"b":1,"ops":[]}'))).toThrow(
      /p: expected a partition number/,
    );
    expect(() => decodeBatch(bytes('{"v":1,"p":0,"b":1,"ops":{}}'))).toThrow(/ops: expected an array/);
    expect(() => decodeBatch(bytes('{"v":1,"p":0,"b":1,"ops":[[1,2,3]]}'))).toThrow(
      /expected \[event, now\]/,
    );
  });

  it('skips an invalid event, naming its field, and keeps the clock it carried', () => {
    const good = { kind: 'quote', ts: 10, venue: 'v', instrument: 'X', bid: 1, bidQty: 1, ask: 2, askQty: 1 };
    const bad = { ...good, ts: 20, ask: 'high' };
    const decoded = decodeBatch(
      new TextEncoder().encode(JSON.stringify({ v: 1, p: 0, b: 3, ops: [good, bad, 30] })),
    );
    expect(decoded.ops).toEqual([
      { kind: 'event', event: good, now: 10 },
      { kind: 'clock', now: 20 },
      { kind: 'clock', now: 30 },
    ]);
    expect(decoded.invalid).toHaveLength(1);
    expect(decoded.invalid[0]).toMatchObject({ field: 'ask' });
  });
});
