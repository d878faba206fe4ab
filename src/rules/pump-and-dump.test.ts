import { beforeEach, describe, expect, it } from 'vitest';
import { aTrade, at, resetIds } from '../../test/stubs';
import { parseConfigText } from '../config';
import type { Side, Trade } from '../core/events';
import { SeededRandom } from '../core/random';
import type { Signal } from '../core/signal';
import { createEngine } from '../engine/engine';
import { PumpAndDumpConfig, pumpAndDump } from './pump-and-dump';

const INSTRUMENT = 'MOON-USDT';

function trade(
  t: number,
  side: Side,
  price: number,
  qty: number,
  buyer = 'noise-b',
  seller = 'noise-s',
  order?: string,
): Trade {
  const overrides: Partial<Trade> = {
    ts: at(t),
    instrument: INSTRUMENT,
    aggressor: side,
    price,
    qty,
    buyAccount: buyer,
    sellAccount: seller,
  };
  if (order !== undefined) overrides[side === 'buy' ? 'buyOrderId' : 'sellOrderId'] = order;
  return aTrade(overrides);
}

/**
 * A thin market for `seconds`: a trade every 1–3 s, both sides, price wandering a few
 * basis points around `price`. Returns the trades and the last price.
 */
function quietMarket(
  seconds: number,
  price: number,
  seed = 1,
  start = 0,
): { events: Trade[]; price: number } {
  const rng = new SeededRandom(seed);
  const events: Trade[] = [];
  let p = price;
  for (let t = start + rng.uniform(0, 1); t < start + seconds; t += rng.uniform(1, 3)) {
    p *= 1 + rng.normal() * 0.0005;
    const side: Side = rng.chance(0.5) ? 'buy' : 'sell';
    events.push(
      trade(
        t,
        side,
        round(p),
        round(rng.uniform(50, 150)),
        `n${rng.int(40)}`,
        `n${40 + rng.int(40)}`,
        `q${events.length}`,
      ),
    );
  }
  return { events, price: p };
}

function round(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}

/** Three accounts buying in the same microsecond every 0.4 s for `steps` steps, each step lifting the price. */
function pump(
  start: number,
  price: number,
  steps: number,
  stepPct = 0.4,
): { events: Trade[]; price: number } {
  const events: Trade[] = [];
  let p = price;
  for (let i = 0; i < steps; i++) {
    const t = start + i * 0.4;
    p *= 1 + stepPct / 100;
    for (const account of ['pumper-1', 'pumper-2', 'pumper-3']) {
      events.push(trade(t, 'buy', round(p), 300, account, 'mm', `${account}-${i}`));
    }
  }
  return { events, price: p };
}

function dump(start: number, price: number, steps: number, stepPct = 0.6): Trade[] {
  const events: Trade[] = [];
  let p = price;
  for (let i = 0; i < steps; i++) {
    p *= 1 - stepPct / 100;
    events.push(trade(start + i * 0.5, 'sell', round(p), 400, 'mm', 'pumper-1', `d${i}`));
  }
  return events;
}

function run(events: Trade[], config = {}): Signal[] {
  const engine = createEngine({ detectors: [pumpAndDump(config)] });
  const signals: Signal[] = [];
  engine.onSignal((s) => signals.push(s));
  engine.processBatch([...events].sort((a, b) => a.ts - b.ts));
  engine.flush();
  return signals;
}

describe('pump-and-dump', () => {
  beforeEach(() => resetIds());

  it('flags a run-up bought in same-millisecond rushes, then its reversal', () => {
    const base = quietMarket(180, 2);
    const up = pump(180, base.price, 20);
    const signals = run([...base.events, ...up.events, ...dump(189, up.price, 20)]);
    expect(signals).toHaveLength(2);
    const [runUp, reversal] = signals as [Signal, Signal];
    expect(runUp.typology).toBe('pump_and_dump');
    expect(runUp.instrument).toBe(INSTRUMENT);
    expect(runUp.accounts).toEqual(['pumper-1', 'pumper-2', 'pumper-3']);
    expect(runUp.metrics.stage).toBe(1);
    expect(runUp.metrics.rushOrdersPerMs).toBe(3);
    expect(runUp.metrics.volumeZ).toBeGreaterThanOrEqual(3);
    expect(runUp.metrics.tradeCountZ).toBeGreaterThanOrEqual(3);
    expect(runUp.metrics.priceZ).toBeGreaterThanOrEqual(3);
    expect(runUp.metrics.runUpPct).toBeGreaterThanOrEqual(2);
    expect(runUp.metrics.buyShare).toBe(1);
    // Reported within a few seconds of the first rush.
    expect(runUp.emittedAt - at(180)).toBeLessThanOrEqual(5_000_000);
    expect(runUp.evidence.length).toBeGreaterThan(3);
    expect(runUp.evidence.every((r) => r.side === 'buy')).toBe(true);
    expect(runUp.explanation).toMatch(
      /^Run-up of [\d.]+% on MOON-USDT from [\d.]+ to [\d.]+ led by 3 accounts \(pumper-1, pumper-2, pumper-3\): 3 aggressive buy orders within one millisecond/,
    );
    expect(reversal.metrics.stage).toBe(2);
    expect(reversal.metrics.givenBackShare).toBeGreaterThanOrEqual(0.5);
    expect(reversal.accounts).toEqual(runUp.accounts);
    expect(reversal.severity).toBe('high');
    expect(reversal.id).not.toBe(runUp.id);
    expect(reversal.explanation).toMatch(/^Dump on MOON-USDT: the price fell [\d.]+% from its peak of/);
  });

  it('does not flag a large honest buy sweeping a liquid book', () => {
    const rng = new SeededRandom(3);
    const events: Trade[] = [];
    let p = 60_000;
    for (let t = 0; t < 200; t += 0.1) {
      p *= 1 + rng.normal() * 0.00005;
      events.push(
        trade(
          t,
          rng.chance(0.5) ? 'buy' : 'sell',
          round(p),
          round(rng.uniform(0.05, 0.3)),
          `n${rng.int(50)}`,
          `m${rng.int(4)}`,
          `o${events.length}`,
        ),
      );
    }
    // One order of 40 BTC lifting five levels in one microsecond.
    for (let level = 1; level <= 5; level++)
      events.push(trade(200, 'buy', round(p * (1 + level * 0.0001)), 8, 'whale', 'mm', 'whale-1'));
    expect(run(events)).toEqual([]);
  });

  it('does not flag a steady rally of independent buyers without rushes', () => {
    const base = quietMarket(180, 2);
    const events = [...base.events];
    let p = base.price;
    for (let i = 0; i < 40; i++) {
      p *= 1.003;
      events.push(trade(180 + i * 0.45, 'buy', round(p), 300, `fan-${i}`, 'mm', `f${i}`));
    }
    expect(run(events)).toEqual([]);
  });

  it('does not flag a rush that does not move the price', () => {
    const base = quietMarket(180, 2);
    const flat = pump(180, base.price, 20, 0);
    expect(run([...base.events, ...flat.events])).toEqual([]);
  });

  it('leaves DEX pools alone, where every swap of a block shares its timestamp', () => {
    const base = quietMarket(180, 2);
    const up = pump(180, base.price, 20);
    const asSwaps = [...base.events, ...up.events].map((e) => ({
      ...e,
      block: Math.floor((e.ts - at(0)) / 12e6),
    }));
    expect(run(asSwaps)).toEqual([]);
  });

  it('says nothing before it has a baseline', () => {
    const up = pump(5, 2, 20);
    expect(run(up.events)).toEqual([]);
  });

  it('continues after a snapshot round trip exactly as without one', () => {
    const base = quietMarket(180, 2);
    const up = pump(180, base.price, 20);
    const all = [...base.events, ...up.events, ...dump(189, up.price, 20)].sort((a, b) => a.ts - b.ts);
    const expected = run(all).map((s) => [s.id, s.emittedAt]);
    const split = all.findIndex((e) => e.ts > at(184));
    const engine = createEngine({ detectors: [pumpAndDump()] });
    engine.processBatch(all.slice(0, split));
    const restored = createEngine({ detectors: [pumpAndDump()] });
    restored.restore(JSON.parse(JSON.stringify(engine.snapshot())));
    const signals: Signal[] = [];
    engine.onSignal((s) => signals.push(s));
    restored.onSignal((s) => signals.push(s));
    restored.processBatch(all.slice(split));
    restored.flush();
    const before: Signal[] = [];
    const again = createEngine({ detectors: [pumpAndDump()] });
    again.onSignal((s) => before.push(s));
    again.processBatch(all.slice(0, split));
    expect([...before, ...signals].map((s) => [s.id, s.emittedAt])).toEqual(expected);
  });

  it('names the YAML path of a bad config value', () => {
    expect(() =>
      parseConfigText('detectors:\n  pump-and-dump:\n    windowsS: [5, 0]\n', 'tw.yaml'),
    ).toThrowError(/tw\.yaml:3:\d+ {2}detectors\.pump-and-dump\.windowsS\.1: expected a number >= 1, got 0/);
    expect(PumpAndDumpConfig.parse({})).toMatchObject({ windowsS: [5, 15, 25], minRushOrdersPerMs: 3 });
  });
});
