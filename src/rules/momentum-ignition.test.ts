import { beforeEach, describe, expect, it } from 'vitest';
import { aTrade, at, resetIds } from '../../test/stubs';
import { ConfigError } from '../core/errors';
import type { MarketEvent } from '../core/events';
import type { Signal } from '../core/signal';
import { createEngine } from '../engine/engine';
import { momentumIgnition } from './momentum-ignition';

function run(events: MarketEvent[]) {
  const engine = createEngine({ detectors: [momentumIgnition()] });
  const signals: Signal[] = [];
  engine.onSignal((s) => signals.push(s));
  engine.processBatch(events);
  engine.flush();
  return signals;
}

/** Background prints at 100 between other traders. */
function tape(from: number, to: number): MarketEvent[] {
  const out: MarketEvent[] = [];
  for (let t = from; t < to; t += 0.5)
    out.push(aTrade({ ts: at(t), price: 100, qty: 1, buyAccount: 'n1', sellAccount: 'n2' }));
  return out;
}

/** `orders` aggressive buys by `account` 40 ms apart, each lifting the price 0.05. */
function ignition(start: number, orders: number, account = 'ig', venue = 'testex'): MarketEvent[] {
  const out: MarketEvent[] = [];
  for (let i = 0; i < orders; i++) {
    out.push(
      aTrade({
        ts: at(start + i * 0.04),
        venue,
        tradeId: `ig-${start}-${i}`,
        price: 100.05 + i * 0.05,
        qty: 5,
        aggressor: 'buy',
        buyAccount: account,
        buyOrderId: `igo-${start}-${i}`,
        sellAccount: 'mm',
      }),
    );
  }
  return out;
}

function unwind(ts: number, qty: number, account = 'ig', venue = 'testex'): MarketEvent {
  return aTrade({
    ts: at(ts),
    venue,
    price: 100.2,
    qty,
    aggressor: 'sell',
    sellAccount: account,
    buyAccount: 'mom',
  });
}

beforeEach(() => resetIds());

describe('momentum-ignition', () => {
  it('flags 5 rapid aggressive buys lifting the price 20 bps, then selling 60% of them 2 s later', () => {
    const events = [...tape(0, 1), ...ignition(1, 5), unwind(3.2, 15)].sort((a, b) => a.ts - b.ts);
    const signals = run(events);
    expect(signals).toHaveLength(1);
    const s = signals[0] as Signal;
    expect(s).toMatchObject({ typology: 'momentum_ignition', accounts: ['ig'] });
    expect(s.metrics).toMatchObject({
      aggressiveOrders: 5,
      aggressiveQty: 25,
      reversalQty: 15,
      reversalRatio: 0.6,
    });
    expect(s.metrics.moveBps).toBeCloseTo(25);
    expect(s.evidence.map((r) => r.kind)).toEqual(['trade', 'trade', 'trade', 'trade', 'trade', 'trade']);
    expect(s.evidence.at(-1)).toMatchObject({ account: 'ig', side: 'sell', qty: 15 });
    expect(s.explanation).toBe(
      'Account ig bought 25 on BTC-USDT in 5 aggressive orders within 160.0 ms (93% of the volume traded), ' +
        'moving the price up 25 bps from 100 to 100.25, then sold 15 (60% of it) at an average 100.2 ' +
        'within 2.04 s after the last aggressive order.',
    );
  });

  it('does not flag the same burst when the owner keeps the position', () => {
    expect(run([...tape(0, 1), ...ignition(1, 5)])).toHaveLength(0);
  });

  it('does not flag an ordinary trader buying once per second and selling later', () => {
    const events: MarketEvent[] = [...tape(0, 1)];
    for (let i = 0; i < 5; i++) {
      events.push(
        aTrade({
          ts: at(1 + i),
          price: 100 + i * 0.05,
          qty: 5,
          aggressor: 'buy',
          buyAccount: 'trend',
          buyOrderId: `t${i}`,
          sellAccount: 'mm',
        }),
      );
    }
    events.push(unwind(8, 25, 'trend'));
    expect(run(events)).toHaveLength(0);
  });

  it('does not flag an arbitrageur buying on one venue and selling on another', () => {
    const events = [...ignition(1, 5, 'arb', 'venue-a'), unwind(2, 25, 'arb', 'venue-b')];
    expect(run(events)).toHaveLength(0);
  });

  it('gives the same signals after snapshot and restore midway', () => {
    const events = [...tape(0, 1), ...ignition(1, 5), unwind(3.2, 15)].sort((a, b) => a.ts - b.ts);
    const whole = run(events);
    const first = createEngine({ detectors: [momentumIgnition()] });
    first.processBatch(events.slice(0, 5));
    const second = createEngine({ detectors: [momentumIgnition()] });
    second.restore(JSON.parse(JSON.stringify(first.snapshot())));
    const signals: Signal[] = [];
    second.onSignal((s) => signals.push(s));
    second.processBatch(events.slice(5));
    second.flush();
    expect(signals).toEqual(whole);
  });

  it('rejects a bad configuration naming the path', () => {
    expect(() => momentumIgnition({ minVolumeShare: 1.5 })).toThrow(ConfigError);
    expect(() => momentumIgnition({ igniteWindowMs: 0 })).toThrow(
      /detectors\.momentum-ignition\.igniteWindowMs/,
    );
  });
});
