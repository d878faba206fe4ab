import { firstValueFrom, take, toArray } from 'rxjs';
import { beforeEach, describe, expect, it } from 'vitest';
import { aCancel, anOrder, aTrade, at, resetIds } from '../../test/stubs';
import type { MarketEvent } from '../core/events';
import { eventRef } from '../core/events';
import type { Signal } from '../core/signal';
import type { Detector } from './detector';
import { createEngine } from './engine';

/**
 * A test detector: flags an account that cancels an order younger than 1 s, and closes a
 * per-instrument 1-second volume window on event-time ticks.
 */
function quickCancelDetector(): Detector & { windowsClosed: string[] } {
  const volumeByInstrument = new Map<string, { start: number; volume: number }>();
  const windowsClosed: string[] = [];
  return {
    id: 'quick-cancel',
    version: '1',
    windowsClosed,
    onEvent(e, ctx) {
      if (e.kind === 'trade') {
        const w = volumeByInstrument.get(e.instrument) ?? { start: e.ts, volume: 0 };
        w.volume += e.qty;
        volumeByInstrument.set(e.instrument, w);
      }
      if (e.kind !== 'order_cancel') return;
      const order = ctx.update.order;
      if (order === undefined) return;
      const lifetimeUs = e.ts - order.placedTs;
      if (lifetimeUs >= 1_000_000) return;
      ctx.emit({
        typology: 'spoofing',
        venue: e.venue,
        instrument: e.instrument,
        accounts: [e.account],
        window: { start: order.placedTs, end: e.ts },
        score: 1 - lifetimeUs / 1_000_000,
        severity: 'low',
        metrics: { lifetimeUs, qty: order.qty },
        evidence: [eventRef(e)],
        explanation: `Account ${e.account} cancelled ${order.qty} after ${lifetimeUs} µs.`,
      });
    },
    onTime(now) {
      for (const [instrument, w] of volumeByInstrument) {
        if (now >= w.start + 1_000_000) {
          windowsClosed.push(`${instrument}:${w.volume}`);
          volumeByInstrument.delete(instrument);
        }
      }
    },
    reset() {
      volumeByInstrument.clear();
      windowsClosed.length = 0;
    },
  };
}

function scenario(): MarketEvent[] {
  return [
    anOrder({ orderId: 'a', ts: at(0), account: 'alice', side: 'sell', price: 101, qty: 40 }),
    aTrade({ ts: at(0.1), instrument: 'ETH-USDT', qty: 3 }),
    aCancel({ orderId: 'a', ts: at(0.4), account: 'alice' }),
    anOrder({ orderId: 'b', ts: at(0.5), account: 'bob', side: 'buy', price: 99, qty: 1 }),
    aCancel({ orderId: 'b', ts: at(2.5), account: 'bob' }),
    anOrder({ orderId: 'c', ts: at(3), account: 'alice2', side: 'sell', price: 102, qty: 7 }),
    aCancel({ orderId: 'c', ts: at(3.2), account: 'alice2' }),
  ];
}

describe('engine', () => {
  beforeEach(resetIds);

  it('gives identical signals for the same input twice (determinism)', () => {
    const run = () => {
      const engine = createEngine({
        detectors: [quickCancelDetector()],
        owners: { alice: 'A', alice2: 'A' },
      });
      const signals: Signal[] = [];
      engine.onSignal((s) => signals.push(s));
      engine.processBatch(scenario());
      engine.flush();
      return signals;
    };
    const first = run();
    const second = run();
    expect(first).toHaveLength(2);
    expect(JSON.stringify(second)).toBe(JSON.stringify(first));
    expect(first[0]?.id).toMatch(/^S-[0-9a-f]{16}$/);
    expect(first[0]?.id).not.toBe(first[1]?.id);
  });

  it('follows a stream clock given by observeTime/processAt, ticking only across tick boundaries', () => {
    const ticks: number[] = [];
    const nows: number[] = [];
    const clockDetector: Detector = {
      id: 'clock',
      version: '1',
      onEvent: (_e, ctx) => {
        nows.push(ctx.now);
      },
      onTime: (now) => {
        ticks.push(now);
      },
    };
    const engine = createEngine({ detectors: [clockDetector], tickIntervalUs: 100_000 });
    engine.observeTime(at(0));
    engine.observeTime(at(0.05)); // same tick interval: no onTime
    engine.observeTime(at(0.1));
    engine.processAt(anOrder({ ts: at(0.12) }), at(0.3)); // arrives late against the stream clock
    expect(ticks).toEqual([at(0), at(0.1), at(0.3)]);
    expect(nows).toEqual([at(0.3)]);
    expect(engine.stats().lateEvents).toBe(1);
    expect(engine.stats().watermark).toBe(at(0.3));
  });

  it('fills in detector id, version, owners and emission time on each signal', () => {
    const engine = createEngine({ detectors: [quickCancelDetector()], owners: { alice2: 'A' } });
    const signals: Signal[] = [];
    engine.onSignal((s) => signals.push(s));
    engine.processBatch(scenario());
    expect(signals[1]).toMatchObject({
      detector: 'quick-cancel',
      version: '1',
      accounts: ['alice2'],
      owners: ['A'],
      emittedAt: at(3.2),
      window: { start: at(3), end: at(3.2) },
    });
    expect(signals[1]?.score).toBeCloseTo(0.8);
  });

  it('closes windows of a quiet instrument as event time advances on another', () => {
    const detector = quickCancelDetector();
    const engine = createEngine({ detectors: [detector] });
    engine.process(aTrade({ ts: at(0), instrument: 'QUIET-USDT', qty: 2 }));
    engine.process(aTrade({ ts: at(0.5), instrument: 'BUSY-USDT', qty: 1 }));
    expect(detector.windowsClosed).toEqual([]);
    engine.process(aTrade({ ts: at(1.05), instrument: 'BUSY-USDT', qty: 1 }));
    expect(detector.windowsClosed).toEqual(['QUIET-USDT:2']);
  });

  it('advances event time without events and flushes open windows at the end', () => {
    const detector = quickCancelDetector();
    const engine = createEngine({ detectors: [detector] });
    engine.process(aTrade({ ts: at(0), qty: 5 }));
    engine.advanceTo(at(0.5));
    expect(detector.windowsClosed).toEqual([]);
    engine.flush();
    expect(detector.windowsClosed).toEqual(['BTC-USDT:5']);
  });

  it('keeps going when a detector throws, counting the failure', () => {
    const broken: Detector = {
      id: 'broken',
      version: '1',
      onEvent(e) {
        if (e.kind === 'order_cancel') throw new Error('boom');
      },
      reset() {},
    };
    const detector = quickCancelDetector();
    const engine = createEngine({ detectors: [broken, detector] });
    const failures: string[] = [];
    engine.onDetectorError((f) => failures.push(`${f.detector}:${(f.error as Error).message}`));
    const signals: Signal[] = [];
    engine.onSignal((s) => signals.push(s));
    engine.processBatch(scenario());
    expect(failures).toEqual(['broken:boom', 'broken:boom', 'broken:boom']);
    expect(signals).toHaveLength(2);
    expect(engine.stats().detectorErrors).toEqual({ broken: 3 });
  });

  it('exposes events$ and signals$ as observables', async () => {
    const engine = createEngine({ detectors: [quickCancelDetector()] });
    const events = firstValueFrom(engine.events$.pipe(take(3), toArray()));
    const signal = firstValueFrom(engine.signals$);
    engine.processBatch(scenario());
    expect((await events).map((e) => e.kind)).toEqual(['order_new', 'trade', 'order_cancel']);
    expect((await signal).accounts).toEqual(['alice']);
  });

  it('counts late events and still applies them to the book', () => {
    const engine = createEngine();
    engine.process(anOrder({ orderId: 'x', ts: at(5) }));
    engine.process(anOrder({ orderId: 'y', ts: at(4) }));
    expect(engine.stats()).toMatchObject({ lateEvents: 1, events: 2, restingOrders: 2, watermark: at(5) });
  });

  it('keeps books per venue, so the same symbol on two venues is two books', () => {
    const engine = createEngine();
    engine.process(anOrder({ orderId: '1', venue: 'binance', price: 100 }));
    engine.process(anOrder({ orderId: '1', venue: 'kraken', price: 101 }));
    expect(engine.book('binance', 'BTC-USDT')?.bestBid()).toBe(100);
    expect(engine.book('kraken', 'BTC-USDT')?.bestBid()).toBe(101);
    expect(engine.stats().books).toBe(2);
  });

  it('shares the owner map with detectors and lets users update it', () => {
    let seenOwner = '';
    const probe: Detector = {
      id: 'probe',
      version: '1',
      onEvent(e, ctx) {
        if (e.kind === 'order_new') seenOwner = ctx.ownerOf(e.account);
      },
      reset() {},
    };
    const engine = createEngine({ detectors: [probe] });
    engine.owners.set('acct-1', 'carol');
    engine.process(anOrder());
    expect(seenOwner).toBe('carol');
  });

  it('forgets everything on reset', () => {
    const detector = quickCancelDetector();
    const engine = createEngine({ detectors: [detector] });
    engine.processBatch(scenario());
    engine.reset();
    expect(engine.stats()).toMatchObject({ events: 0, books: 0, restingOrders: 0, signals: 0 });
    expect(engine.stats().watermark).toBeNaN();
    const signals: Signal[] = [];
    engine.onSignal((s) => signals.push(s));
    engine.processBatch(scenario());
    expect(signals).toHaveLength(2);
  });

  it('refuses to reset a detector that cannot forget its state', () => {
    const engine = createEngine({ detectors: [{ id: 'stateful', version: '1', onEvent() {} }] });
    expect(() => engine.reset()).toThrow(/stateful/);
  });

  it('rejects two detectors with the same id and invalid tick intervals', () => {
    const d = quickCancelDetector();
    expect(() => createEngine({ detectors: [d, d] })).toThrow(/quick-cancel/);
    expect(() => createEngine({ tickIntervalUs: 0 })).toThrow(/tickIntervalUs/);
  });
});

describe('lateness bound', () => {
  /** Records what it is shown: event times and the times of its onTime calls. */
  function recorder(): Detector & { seen: number[]; ticks: number[] } {
    const seen: number[] = [];
    const ticks: number[] = [];
    return {
      id: 'recorder',
      version: '1',
      seen,
      ticks,
      onEvent: (e) => void seen.push(e.ts),
      onTime: (now) => void ticks.push(now),
    };
  }

  beforeEach(() => resetIds());

  it('closes windows the bound behind the newest event, so slightly late events still count', () => {
    const d = recorder();
    const engine = createEngine({ detectors: [d], latenessUs: 1_000_000 });
    engine.process(aTrade({ ts: at(0) }));
    engine.process(aTrade({ ts: at(5) }));
    expect(Math.max(...d.ticks)).toBe(at(4));
    engine.process(aTrade({ ts: at(4.5) })); // late, within the bound
    const stats = engine.stats();
    expect(stats.lateEvents).toBe(1);
    expect(stats.tooLateEvents).toBe(0);
    expect(d.seen).toEqual([at(0), at(5), at(4.5)]);
  });

  it('applies and reports events beyond the bound, never dropping them', () => {
    const d = recorder();
    const engine = createEngine({ detectors: [d], latenessUs: 1_000_000 });
    const reported: { ts: number; behindUs: number; watermark: number }[] = [];
    engine.onLateEvent((l) =>
      reported.push({ ts: l.event.ts, behindUs: l.behindUs, watermark: l.watermark }),
    );
    engine.process(anOrder({ ts: at(5), orderId: 'o1' }));
    engine.process(aCancel({ ts: at(3), orderId: 'o1' })); // 2 s late
    expect(reported).toEqual([{ ts: at(3), behindUs: 2_000_000, watermark: at(5) }]);
    expect(engine.stats()).toMatchObject({ lateEvents: 1, tooLateEvents: 1, restingOrders: 0 });
    expect(d.seen).toContain(at(3));
  });

  it('flushes past the bound so every window closes', () => {
    const d = recorder();
    const engine = createEngine({ detectors: [d], latenessUs: 2_000_000, flushHorizonUs: 10_000_000 });
    engine.process(aTrade({ ts: at(1) }));
    engine.flush();
    expect(Math.max(...d.ticks)).toBe(at(11));
  });

  it('keeps the too-late counter across snapshot and restore', () => {
    const engine = createEngine({ latenessUs: 0 });
    engine.process(aTrade({ ts: at(2) }));
    engine.process(aTrade({ ts: at(1) }));
    const copy = createEngine({ latenessUs: 0 });
    copy.restore(JSON.parse(JSON.stringify(engine.snapshot())));
    expect(copy.stats().tooLateEvents).toBe(1);
  });

  it('rejects a negative or non-finite bound', () => {
    expect(() => createEngine({ latenessUs: -1 })).toThrow(/latenessUs/);
    expect(() => createEngine({ latenessUs: Number.NaN })).toThrow(/latenessUs/);
  });
});

describe('engine tick listeners and market statistics', () => {
  it('calls tick listeners with the event time of each tick, after detectors, until unsubscribed', () => {
    const engine = createEngine({ tickIntervalUs: 1_000_000 });
    const ticks: number[] = [];
    const off = engine.onTick((now) => ticks.push(now));
    engine.process(aTrade({ ts: at(0) }));
    engine.process(aTrade({ ts: at(0.5) }));
    engine.process(aTrade({ ts: at(2.2) }));
    off();
    engine.process(aTrade({ ts: at(5) }));
    expect(ticks).toEqual([at(0), at(2.2)]);
  });

  it('exposes the rolling statistics of a (venue, instrument) once an event reached it', () => {
    const engine = createEngine();
    expect(engine.marketStats('testex', 'BTC-USDT')).toBeUndefined();
    engine.process(aTrade({ ts: at(0), price: 101, qty: 2 }));
    const stats = engine.marketStats('testex', 'BTC-USDT');
    expect(stats?.lastPrice).toBe(101);
    expect(stats?.window(at(0), 1).volume).toBe(2);
    expect(engine.marketStats('other', 'BTC-USDT')).toBeUndefined();
  });
});
