import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { syntheticEvents } from '../../bench/synthetic';
import { eventRef } from '../core/events';
import type { Signal } from '../core/signal';
import type { Detector } from './detector';
import { createEngine, type EngineSnapshot } from './engine';

/** Counts cancels per account in 1-second windows and flags accounts with 3+; snapshot-able. */
function cancelBurst(): Detector {
  let windows: Record<string, { start: number; n: number }> = {};
  return {
    id: 'cancel-burst',
    version: '2',
    onEvent(e, ctx) {
      if (e.kind !== 'order_cancel') return;
      const w = windows[e.account];
      if (w === undefined || e.ts >= w.start + 1_000_000) windows[e.account] = { start: e.ts, n: 1 };
      else if (++w.n === 3) {
        ctx.emit({
          typology: 'quote_stuffing',
          venue: e.venue,
          instrument: e.instrument,
          accounts: [e.account],
          window: { start: w.start, end: e.ts },
          score: 0.5,
          severity: 'low',
          metrics: { cancels: w.n, resting: ctx.book(e.venue, e.instrument)?.orderCountOf(e.account) ?? 0 },
          evidence: [eventRef(e)],
          explanation: `${e.account} cancelled 3 orders within a second.`,
        });
      }
    },
    onTime(now) {
      for (const [account, w] of Object.entries(windows))
        if (now >= w.start + 1_000_000) delete windows[account];
    },
    snapshot: () => structuredClone(windows),
    restore: (s) => {
      windows = structuredClone(s as typeof windows);
    },
    reset: () => {
      windows = {};
    },
  };
}

describe('engine snapshot and restore', () => {
  const events = syntheticEvents({
    events: 6_000,
    instruments: 3,
    accounts: 12,
    seed: 9,
    meanGapUs: 20_000,
    targetDepth: 300,
  });

  function runWhole(): { signals: Signal[]; snapshot: EngineSnapshot } {
    const engine = createEngine({ detectors: [cancelBurst()] });
    const signals: Signal[] = [];
    engine.onSignal((s) => signals.push(s));
    engine.processBatch(events);
    return { signals, snapshot: engine.snapshot() };
  }

  it('continues after a JSON round trip exactly as an uninterrupted engine would', () => {
    const whole = runWhole();
    expect(whole.signals.length).toBeGreaterThan(10);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: events.length }), (cut) => {
        const first = createEngine({ detectors: [cancelBurst()] });
        const signals: Signal[] = [];
        first.onSignal((s) => signals.push(s));
        first.processBatch(events.slice(0, cut));
        const saved = JSON.parse(JSON.stringify(first.snapshot())) as EngineSnapshot;
        const second = createEngine({ detectors: [cancelBurst()] });
        second.onSignal((s) => signals.push(s));
        second.restore(saved);
        second.processBatch(events.slice(cut));
        expect(JSON.stringify(signals)).toBe(JSON.stringify(whole.signals));
        expect(second.snapshot()).toEqual(whole.snapshot);
      }),
      { seed: 4, numRuns: 25 },
    );
  });

  it('keeps each account’s orders in the same order across a restore', () => {
    const engine = createEngine({ detectors: [cancelBurst()] });
    engine.processBatch(events.slice(0, 3_000));
    const copy = createEngine({ detectors: [cancelBurst()] });
    copy.restore(engine.snapshot());
    for (const state of engine.instruments()) {
      const other = copy.book(state.book.venue, state.book.instrument);
      for (const account of state.book.accounts()) {
        expect(other?.ordersOf(account)).toEqual(state.book.ordersOf(account));
      }
      expect(other?.bids.top(100)).toEqual(state.book.bids.top(100));
      expect(copy.stats()).toEqual(engine.stats());
    }
  });

  it('refuses snapshots it cannot honour, naming the detector', () => {
    const engine = createEngine({ detectors: [cancelBurst()] });
    const snapshot = engine.snapshot();
    const noState: Detector = { id: 'stateless', version: '1', onEvent() {}, reset() {} };
    expect(() => createEngine({ detectors: [noState] }).snapshot()).toThrow(/stateless/);
    expect(() => createEngine({ detectors: [] }).restore(snapshot)).toThrow(/cancel-burst/);
    const newer = { ...cancelBurst(), version: '3' };
    expect(() => createEngine({ detectors: [newer] }).restore(snapshot)).toThrow(/version 2.*runs 3/);
    expect(() => engine.restore({ ...snapshot, version: 7 } as unknown as EngineSnapshot)).toThrow(
      /version 1/,
    );
  });
});
