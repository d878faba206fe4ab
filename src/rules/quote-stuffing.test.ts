import { beforeEach, describe, expect, it } from 'vitest';
import { aCancel, anOrder, aTrade, at, resetIds } from '../../test/stubs';
import { ConfigError } from '../core/errors';
import type { MarketEvent } from '../core/events';
import type { Signal } from '../core/signal';
import { createEngine } from '../engine/engine';
import { quoteStuffing } from './quote-stuffing';

function run(events: MarketEvent[], detector = quoteStuffing()) {
  const engine = createEngine({ detectors: [detector] });
  const signals: Signal[] = [];
  engine.onSignal((s) => signals.push(s));
  engine.processBatch(events);
  engine.flush();
  return signals;
}

/** `count` orders 100 µs apart from `account`, each cancelled right after. */
function burst(start: number, count: number, account = 'qs'): MarketEvent[] {
  const out: MarketEvent[] = [];
  for (let i = 0; i < count; i++) {
    const ts = at(start) + i * 100;
    out.push(
      anOrder({ ts, account, orderId: `${account}-${start}-${i}`, side: 'sell', price: 105, qty: 0.1 }),
    );
    out.push(aCancel({ ts: ts + 50, account, orderId: `${account}-${start}-${i}` }));
  }
  return out;
}

beforeEach(() => resetIds());

describe('quote-stuffing', () => {
  it('flags 120 orders and 120 cancels within 12 ms with no trades', () => {
    const signals = run(burst(1, 120));
    expect(signals).toHaveLength(1);
    const s = signals[0] as Signal;
    expect(s).toMatchObject({ detector: 'quote-stuffing', typology: 'quote_stuffing', accounts: ['qs'] });
    expect(s.metrics.messages).toBe(100);
    expect(s.metrics.newOrders).toBe(50);
    expect(s.metrics.cancels).toBe(50);
    expect(s.metrics.orderToTradeRatio).toBeGreaterThan(50);
    expect(s.evidence).toHaveLength(20);
    expect(s.evidence.every((r) => r.account === 'qs')).toBe(true);
    expect(s.window.end - s.window.start).toBeLessThan(100_000);
    expect(s.explanation).toMatch(
      /^Account qs sent 100 order messages on BTC-USDT within 100\.0 ms \(50 new, 50 cancels, 0 replaces; 1,000\/s, threshold 100\) with an order-to-trade ratio of 100 over the last 10\.00 s \(threshold 50\)\.$/,
    );
  });

  it('reports repeated bursts a few seconds apart once', () => {
    expect(run([...burst(1, 200), ...burst(4, 200), ...burst(7, 200)])).toHaveLength(1);
  });

  it('does not flag a market maker requoting ten levels a side every 150 ms', () => {
    const events: MarketEvent[] = [];
    for (let k = 0; k < 200; k++) {
      const ts = at(1 + k * 0.15);
      for (let level = 0; level < 10; level++) {
        const id = `mm-${k}-${level}`;
        if (k > 0) events.push(aCancel({ ts, account: 'mm', orderId: `mm-${k - 1}-${level}` }));
        events.push(
          anOrder({
            ts,
            account: 'mm',
            orderId: id,
            side: level % 2 ? 'buy' : 'sell',
            price: 100 + level,
            qty: 1,
          }),
        );
      }
    }
    expect(run(events)).toHaveLength(0);
  });

  it('does not flag a busy trader whose messages end in trades', () => {
    const events: MarketEvent[] = [];
    for (let i = 0; i < 150; i++) {
      const ts = at(1) + i * 500;
      events.push(anOrder({ ts, account: 'hft', orderId: `h${i}`, side: 'buy', price: 100, qty: 1 }));
      events.push(aTrade({ ts: ts + 1, buyAccount: 'hft', sellAccount: 'x', buyOrderId: `h${i}` }));
    }
    expect(run(events, quoteStuffing({ minMessages: 50 }))).toHaveLength(0);
  });

  it('counts per book: the same bursts split over two venues stay under the threshold', () => {
    const a = burst(1, 40).map((e) => ({ ...e, venue: 'a' }));
    const b = burst(1, 40).map((e) => ({ ...e, venue: 'b' }));
    expect(run([...a, ...b])).toHaveLength(0);
  });

  it('gives the same signals after snapshot and restore midway', () => {
    const events = [...burst(1, 30), ...burst(1.003, 100, 'qs2')];
    const whole = run(events);
    const first = createEngine({ detectors: [quoteStuffing()] });
    first.processBatch(events.slice(0, 70));
    const second = createEngine({ detectors: [quoteStuffing()] });
    second.restore(JSON.parse(JSON.stringify(first.snapshot())));
    const signals: Signal[] = [];
    second.onSignal((s) => signals.push(s));
    second.processBatch(events.slice(70));
    second.flush();
    expect(signals).toEqual(whole);
    expect(whole).toHaveLength(1);
  });

  it('rejects a bad configuration naming the path', () => {
    expect(() => quoteStuffing({ minMessages: 0 })).toThrow(ConfigError);
    expect(() => quoteStuffing({ windowMs: -5 })).toThrow(/detectors\.quote-stuffing\.windowMs/);
  });
});
