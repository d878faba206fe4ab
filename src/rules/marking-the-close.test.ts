import { beforeEach, describe, expect, it } from 'vitest';
import { aTrade, resetIds } from '../../test/stubs';
import { ConfigError } from '../core/errors';
import type { MarketEvent, Trade } from '../core/events';
import type { Signal } from '../core/signal';
import { createEngine } from '../engine/engine';
import { markingTheClose } from './marking-the-close';

/** 2026-01-01T00:00:00Z, a fixing of every interval. */
const T0 = 1_767_225_600_000_000;
const s = (seconds: number) => T0 + Math.round(seconds * 1e6);

function run(events: MarketEvent[]) {
  const engine = createEngine({ detectors: [markingTheClose()] });
  const signals: Signal[] = [];
  engine.onSignal((x) => signals.push(x));
  engine.processBatch([...events].sort((a, b) => a.ts - b.ts));
  engine.flush();
  return signals;
}

/** Two-way trading between other participants every 5 s over the first 300 s. */
function tape(): Trade[] {
  const out: Trade[] = [];
  for (let t = 1; t < 300; t += 5) {
    out.push(
      aTrade({
        ts: s(t),
        price: 100,
        qty: 1,
        aggressor: t % 10 ? 'buy' : 'sell',
        buyAccount: 'a',
        sellAccount: 'b',
      }),
    );
  }
  return out;
}

function buy(t: number, account: string, price: number, qty = 3): Trade {
  return aTrade({
    ts: s(t),
    tradeId: `${account}-${t}`,
    price,
    qty,
    aggressor: 'buy',
    buyAccount: account,
    buyOrderId: `${account}-o${t}`,
    sellAccount: 'mm',
  });
}

beforeEach(() => resetIds());

describe('marking-the-close', () => {
  it('flags an account that only buys, three times in the last 30 s before the 00:05 fixing, lifting the price', () => {
    const signals = run([...tape(), buy(272, 'mk', 100.05), buy(281, 'mk', 100.1), buy(290, 'mk', 100.15)]);
    expect(signals).toHaveLength(1);
    const x = signals[0] as Signal;
    expect(x).toMatchObject({ typology: 'marking_the_close', accounts: ['mk'] });
    expect(x.metrics).toMatchObject({
      aggressiveOrders: 3,
      aggressiveQty: 9,
      closeConcentration: 1,
      closeTs: s(300),
    });
    expect(x.metrics.moveBps).toBeCloseTo(15);
    expect(x.evidence.map((r) => r.id)).toEqual(['mk-272', 'mk-281', 'mk-290']);
    expect(x.explanation).toBe(
      'Account mk bought 9 on BTC-USDT in 3 aggressive orders in the 1.0 min before the 2026-01-01T00:05:00Z fixing ' +
        '(75% of the volume traded meanwhile, 100% of its own aggressive volume since the previous fixing), ' +
        'moving the price up 15 bps from 100 to 100.15 with 10.00 s left to the close.',
    );
  });

  it('does not flag an active trader who trades the same way all through the period', () => {
    const events: MarketEvent[] = tape();
    for (let t = 3; t < 300; t += 9) events.push(buy(t, 'active', 100 + (t > 270 ? (t - 270) / 200 : 0)));
    expect(run(events)).toHaveLength(0);
  });

  it('does not flag the same buying in the middle of the period', () => {
    expect(
      run([...tape(), buy(122, 'mk', 100.05), buy(131, 'mk', 100.1), buy(140, 'mk', 100.15)]),
    ).toHaveLength(0);
  });

  it('does not flag an arbitrageur buying here and selling elsewhere near the close without moving the price', () => {
    expect(run([...tape(), buy(272, 'arb', 100), buy(281, 'arb', 100), buy(290, 'arb', 100)])).toHaveLength(
      0,
    );
  });

  it('rejects a bad configuration naming the path', () => {
    expect(() => markingTheClose({ windowS: 600 })).toThrow(/detectors\.marking-the-close\.windowS/);
    expect(() => markingTheClose({ closeIntervalS: -1 })).toThrow(ConfigError);
  });
});
