import { beforeEach, describe, expect, it } from 'vitest';
import { aCancel, anOrder, aTrade, at, resetIds } from '../../test/stubs';
import { ConfigError } from '../core/errors';
import type { MarketEvent } from '../core/events';
import type { Signal } from '../core/signal';
import { createEngine } from '../engine/engine';
import { layering } from './layering';
import { spoofing } from './spoofing';

/** A two-sided book from one market maker: 1 lot on each of 5 levels a side, 0.1 apart. */
function makerBook(venue = 'testex', account = 'mm'): MarketEvent[] {
  const out: MarketEvent[] = [];
  for (let i = 0; i < 5; i++) {
    out.push(
      anOrder({ venue, account, orderId: `${venue}-b${i}`, side: 'buy', price: (999 - i) / 10, qty: 1 }),
    );
    out.push(
      anOrder({ venue, account, orderId: `${venue}-a${i}`, side: 'sell', price: (1001 + i) / 10, qty: 1 }),
    );
  }
  return out;
}

function run(events: MarketEvent[], owners: Record<string, string> = {}) {
  const engine = createEngine({ detectors: [spoofing(), layering()], owners });
  const signals: Signal[] = [];
  engine.onSignal((s) => signals.push(s));
  engine.processBatch(events);
  engine.flush();
  return { engine, signals };
}

/** A spoofer: genuine buy at the bid, a large sell one level behind the ask, a buy, the cancel. */
function spoofEpisode(start: number, opts: { account?: string; tradeAccount?: string; qty?: number } = {}) {
  const account = opts.account ?? 'sp';
  return [
    anOrder({ ts: at(start), account, orderId: `g${start}`, side: 'buy', price: 99.9, qty: 0.2 }),
    anOrder({
      ts: at(start + 0.05),
      account,
      orderId: `s${start}`,
      side: 'sell',
      price: 100.2,
      qty: opts.qty ?? 5,
    }),
    aTrade({
      ts: at(start + 0.4),
      tradeId: `t${start}`,
      price: 100.1,
      qty: 0.3,
      aggressor: 'buy',
      buyAccount: opts.tradeAccount ?? account,
      sellAccount: 'mm',
      sellOrderId: 'testex-a0',
    }),
    aCancel({ ts: at(start + 0.9), account, orderId: `s${start}` }),
    aCancel({ ts: at(start + 0.9), account, orderId: `g${start}` }),
  ];
}

beforeEach(() => resetIds());

describe('spoofing', () => {
  it('flags an account that cancels a large sell order 0.85 s after placing it, having bought meanwhile', () => {
    const { signals } = run([...makerBook(), ...spoofEpisode(1)]);
    expect(signals).toHaveLength(1);
    const s = signals[0] as Signal;
    expect(s).toMatchObject({
      detector: 'spoofing',
      typology: 'spoofing',
      accounts: ['sp'],
      instrument: 'BTC-USDT',
    });
    expect(s.metrics).toMatchObject({
      orders: 1,
      levels: 1,
      cancelledQty: 5,
      oppositeQty: 0.3,
      cancelRatio: 1,
    });
    expect(s.metrics.sizeToLevel).toBeCloseTo(5);
    expect(s.metrics.sideImbalance).toBeCloseTo(25);
    expect(s.metrics.medianLifetimeMs).toBeCloseTo(850);
    expect(s.evidence.map((r) => [r.kind, r.id])).toEqual([
      ['order_new', 's1'],
      ['trade', 't1'],
      ['order_cancel', 's1'],
    ]);
    expect(s.window).toEqual({ start: at(1.05), end: at(1.9) });
    expect(s.explanation).toBe(
      'Account sp placed 1 sell order totalling 5 on BTC-USDT, nearest 1 level (10 bps) behind the best ask ' +
        '(5× the mean level size, 25× its resting buy quantity), cancelled it unfilled after a median 850.0 ms ' +
        'while buying 0.3 in 1 trade on the other side; 100% of its 1 large sell order in the last 30.00 s were ' +
        'cancelled that way (spoofing).',
    );
    expect(s.score).toBeGreaterThanOrEqual(0.5);
    expect(s.score).toBeLessThanOrEqual(1);
  });

  it('follows the beneficial owner: fake orders from one account, the trade from another', () => {
    const { signals } = run([...makerBook(), ...spoofEpisode(1, { tradeAccount: 'sp-2' })], {
      sp: 'S',
      'sp-2': 'S',
    });
    expect(signals).toHaveLength(1);
    expect(signals[0]?.accounts).toEqual(['sp', 'sp-2']);
    expect(signals[0]?.owners).toEqual(['S', 'S']);
    expect(signals[0]?.explanation).toMatch(/^Owner S \(account sp\) placed/);
  });

  it('reports a minute of repeated spoofing by one account once', () => {
    const events = [...makerBook()];
    for (let t = 1; t < 60; t += 3) events.push(...spoofEpisode(t));
    expect(run(events).signals).toHaveLength(1);
  });

  it('stays quiet when nothing traded on the other side while the order rested', () => {
    const events = spoofEpisode(1).filter((e) => e.kind !== 'trade');
    expect(run([...makerBook(), ...events]).signals).toHaveLength(0);
  });

  it('stays quiet when the large order rested longer than the lifetime bound', () => {
    const events = spoofEpisode(1).map((e) => (e.kind === 'order_cancel' ? { ...e, ts: at(9) } : e));
    expect(run([...makerBook(), ...events]).signals).toHaveLength(0);
  });

  it('stays quiet about an order the size of a normal level', () => {
    expect(run([...makerBook(), ...spoofEpisode(1, { qty: 1.5 })]).signals).toHaveLength(0);
  });

  it('does not flag a market maker quoting and cancelling both sides at the touch while getting filled', () => {
    const events = makerBook();
    for (let k = 0; k < 40; k++) {
      const t = 1 + k * 0.5;
      events.push(
        anOrder({ ts: at(t), account: 'mm2', orderId: `qb${k}`, side: 'buy', price: 99.9, qty: 3 }),
        anOrder({ ts: at(t), account: 'mm2', orderId: `qa${k}`, side: 'sell', price: 100.1, qty: 3 }),
        aTrade({
          ts: at(t + 0.2),
          price: 99.9,
          qty: 0.5,
          aggressor: 'sell',
          buyAccount: 'mm2',
          buyOrderId: `qb${k}`,
          sellAccount: 'noise',
        }),
        aCancel({ ts: at(t + 0.4), account: 'mm2', orderId: `qb${k}` }),
        aCancel({ ts: at(t + 0.4), account: 'mm2', orderId: `qa${k}` }),
      );
    }
    expect(run(events).signals).toHaveLength(0);
  });

  it('does not flag an arbitrageur who rests a large sell on one venue and buys on another', () => {
    const events = [
      ...makerBook('venue-a'),
      ...makerBook('venue-b'),
      anOrder({
        ts: at(1),
        venue: 'venue-b',
        account: 'arb',
        orderId: 'arb-s',
        side: 'sell',
        price: 100.2,
        qty: 5,
      }),
      aTrade({
        ts: at(1.2),
        venue: 'venue-a',
        price: 100.1,
        qty: 5,
        aggressor: 'buy',
        buyAccount: 'arb',
        sellAccount: 'mm',
      }),
      aCancel({ ts: at(1.6), venue: 'venue-b', account: 'arb', orderId: 'arb-s' }),
    ];
    expect(run(events).signals).toHaveLength(0);
  });

  it('leaves a single-level episode to spoofing and a multi-level one to layering', () => {
    const single = run([...makerBook(), ...spoofEpisode(1)]).signals.map((s) => s.detector);
    expect(single).toEqual(['spoofing']);
  });

  it('gives the same signals after a snapshot and restore midway', () => {
    const events = [...makerBook(), ...spoofEpisode(1)];
    const whole = run(events).signals;
    const first = createEngine({ detectors: [spoofing(), layering()] });
    first.processBatch(events.slice(0, 12));
    const saved = JSON.parse(JSON.stringify(first.snapshot()));
    const second = createEngine({ detectors: [spoofing(), layering()] });
    second.restore(saved);
    const signals: Signal[] = [];
    second.onSignal((s) => signals.push(s));
    second.processBatch(events.slice(12));
    second.flush();
    expect(signals).toEqual(whole);
    second.reset();
    expect(second.snapshot().detectors.spoofing?.state).toEqual({ books: [] });
  });

  it('rejects a bad configuration naming the path', () => {
    expect(() => spoofing({ minCancelRatio: 2 })).toThrow(ConfigError);
    try {
      spoofing({ minCancelRatio: 2, maxLifetimeMs: -1 });
    } catch (error) {
      const paths = (error as ConfigError).issues.map((i) => i.path).sort();
      expect(paths).toEqual(['detectors.spoofing.maxLifetimeMs', 'detectors.spoofing.minCancelRatio']);
    }
    expect(() => spoofing({ minCancelRaio: 0.5 } as never)).toThrow(/detectors\.spoofing/);
  });
});

describe('layering', () => {
  function layerEpisode(start: number) {
    const events: MarketEvent[] = [
      anOrder({ ts: at(start), account: 'ly', orderId: `lg${start}`, side: 'buy', price: 99.9, qty: 0.2 }),
    ];
    for (let i = 0; i < 4; i++) {
      events.push(
        anOrder({
          ts: at(start + 0.05),
          account: 'ly',
          orderId: `l${start}-${i}`,
          side: 'sell',
          price: (1002 + i) / 10,
          qty: 3,
        }),
      );
    }
    events.push(
      aTrade({
        ts: at(start + 0.5),
        price: 100.1,
        qty: 0.4,
        aggressor: 'buy',
        buyAccount: 'ly',
        sellAccount: 'mm',
      }),
    );
    for (let i = 0; i < 4; i++)
      events.push(aCancel({ ts: at(start + 1.2), account: 'ly', orderId: `l${start}-${i}` }));
    return events;
  }

  it('flags sell orders on 4 levels cancelled together after buying, and not as spoofing', () => {
    const { signals } = run([...makerBook(), ...layerEpisode(1)]);
    expect(signals.map((s) => s.detector)).toEqual(['layering']);
    const s = signals[0] as Signal;
    expect(s.metrics).toMatchObject({ orders: 4, levels: 4, cancelledQty: 12, oppositeQty: 0.4 });
    expect(s.evidence.filter((r) => r.kind === 'order_cancel')).toHaveLength(4);
    expect(s.explanation).toContain('placed 4 sell orders totalling 12 on BTC-USDT over 4 price levels');
    expect(s.explanation).toContain('cancelled them unfilled after a median 1.15 s while buying 0.4');
  });

  it('does not take a single large order for layering', () => {
    expect(
      run([...makerBook(), ...spoofEpisode(1)]).signals.filter((s) => s.detector === 'layering'),
    ).toEqual([]);
  });

  it('rejects a bad configuration naming the path', () => {
    expect(() => layering({ minLevels: 1 })).toThrow(/detectors\.layering\.minLevels/);
  });
});
