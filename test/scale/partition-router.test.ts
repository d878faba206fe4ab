import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MarketEvent } from '../../src/core/events';
import { partitionOf } from '../../src/core/ids';
import type { Signal } from '../../src/core/signal';
import { createEngine, type Engine } from '../../src/engine/engine';
import {
  applyPartitionOp,
  assertPartitionable,
  PartitioningError,
  PartitionRouter,
} from '../../src/scale/partition-router';
import { createDetectors, crossInstrument } from './detectors';
import { scaleStream } from './events';

const byId = (a: Signal, b: Signal) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

function single(events: readonly MarketEvent[], heartbeats: ReadonlyMap<number, number>, latenessUs: number) {
  const engine = createEngine({ detectors: createDetectors(), latenessUs });
  const signals: Signal[] = [];
  engine.onSignal((s) => signals.push(s));
  events.forEach((e, i) => {
    engine.process(e);
    const hb = heartbeats.get(i);
    if (hb !== undefined) engine.advanceTo(hb);
  });
  engine.flush();
  return { signals: signals.sort(byId), engines: [engine] };
}

function partitioned(
  n: number,
  events: readonly MarketEvent[],
  heartbeats: ReadonlyMap<number, number>,
  latenessUs: number,
) {
  const engines: Engine[] = [];
  const signals: Signal[] = [];
  for (let p = 0; p < n; p++) {
    const engine = createEngine({ detectors: createDetectors(), latenessUs });
    engine.onSignal((s) => signals.push(s));
    engines.push(engine);
  }
  const router = new PartitionRouter(n, (p, op) => applyPartitionOp(engines[p] as Engine, op), {
    latenessUs,
  });
  events.forEach((e, i) => {
    router.route(e);
    const hb = heartbeats.get(i);
    if (hb !== undefined) router.advanceTo(hb);
  });
  router.flush();
  return { signals: signals.sort(byId), engines };
}

function totals(engines: readonly Engine[]) {
  let events = 0;
  let late = 0;
  let tooLate = 0;
  for (const e of engines) {
    events += e.stats().events;
    late += e.stats().lateEvents;
    tooLate += e.stats().tooLateEvents;
  }
  return { events, late, tooLate };
}

describe('PartitionRouter', () => {
  it('n partition engines emit exactly the signals of one engine, with late events, heartbeats and a lateness bound', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000 }),
        fc.integer({ min: 1, max: 6 }),
        fc.array(fc.tuple(fc.nat(1_499), fc.integer({ min: 1, max: 3_000_000 })), { maxLength: 4 }),
        fc.constantFrom(0, 150_000),
        (seed, n, beats, latenessUs) => {
          const events = scaleStream(1_500, seed, 7, 0.03);
          const heartbeats = new Map<number, number>();
          for (const [i, gapUs] of beats) heartbeats.set(i, (events[i] as MarketEvent).ts + gapUs);
          const one = single(events, heartbeats, latenessUs);
          const many = partitioned(n, events, heartbeats, latenessUs);
          expect(one.signals.length).toBeGreaterThan(0);
          expect(many.signals).toEqual(one.signals);
          expect(totals(many.engines)).toEqual(totals(one.engines));
        },
      ),
      { numRuns: 25 },
    );
  });

  it('sends every event to the partition that owns its instrument', () => {
    const seen: [number, string][] = [];
    const router = new PartitionRouter(3, (p, op) => {
      if (op.kind === 'event') seen.push([p, op.event.instrument]);
    });
    for (const e of scaleStream(300, 3)) router.route(e);
    expect(seen.length).toBe(300);
    for (const [p, instrument] of seen) expect(p).toBe(partitionOf(instrument, 3));
    expect(new Set(seen.map(([p]) => p)).size).toBe(3);
  });

  it('only broadcasts the clock when a tick boundary is crossed', () => {
    const clocks: number[] = [];
    const router = new PartitionRouter(2, (_p, op) => {
      if (op.kind === 'clock') clocks.push(op.now);
    });
    const events = scaleStream(2_000, 5);
    for (const e of events) router.route(e);
    const spanUs = (events.at(-1) as MarketEvent).ts - (events[0] as MarketEvent).ts;
    // One tick per 100 ms of stream at most, sent to the one partition that did not get the event.
    expect(clocks.length).toBeLessThanOrEqual(Math.ceil(spanUs / 100_000) + 1);
    expect(clocks.length).toBeGreaterThan(0);
  });

  it('refuses detectors whose state spans instruments, unless there is one partition', () => {
    const detectors = [...createDetectors(), crossInstrument()];
    expect(() => assertPartitionable(detectors, 2)).toThrow(PartitioningError);
    expect(() => assertPartitionable(detectors, 2)).toThrow(/cross-instrument/);
    expect(() => assertPartitionable(detectors, 1)).not.toThrow();
    expect(() => assertPartitionable(createDetectors(), 4)).not.toThrow();
  });
});
