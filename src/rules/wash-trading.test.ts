import { readFileSync } from 'node:fs';
import { beforeEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { aSwap, aTrade, at, resetIds, STUB_POOL } from '../../test/stubs';
import { loadConfig, parseConfigText } from '../config';
import type { MarketEvent, Side, Trade } from '../core/events';
import { SeededRandom } from '../core/random';
import type { Signal } from '../core/signal';
import { createEngine } from '../engine/engine';
import { DexSandwichConfig } from './dex-sandwich';
import { PumpAndDumpConfig } from './pump-and-dump';
import { WashTradingConfig, washTrading } from './wash-trading';

/** `buyer` buys `qty` at `price` from `seller` at second `t`. */
function trade(buyer: string, seller: string, t: number, qty = 1, price = 100, venue = 'testex'): Trade {
  return aTrade({ ts: at(t), venue, buyAccount: buyer, sellAccount: seller, qty, price, aggressor: 'buy' });
}

const POOL = STUB_POOL;

/** A swap of `wallet` against the pool at second `t` (blocks every 12 s). */
function swap(wallet: string, side: Side, t: number, qty: number, price: number, logIndex: number): Trade {
  return aSwap(wallet, side, { ts: at(t), qty, price, block: 1000 + Math.floor(t / 12), logIndex });
}

function run(
  events: MarketEvent[],
  owners: Record<string, string> = {},
  config: Parameters<typeof washTrading>[0] = {},
): Signal[] {
  const engine = createEngine({ detectors: [washTrading(config)], owners });
  const signals: Signal[] = [];
  engine.onSignal((s) => signals.push(s));
  engine.processBatch(events);
  engine.flush();
  return signals;
}

const OWNER_A = { 'acct-7': 'owner-A', 'acct-8': 'owner-A' };

describe('wash-trading', () => {
  beforeEach(() => resetIds());

  describe('self-trades', () => {
    it('flags an owner trading with itself twice across two accounts', () => {
      const signals = run(
        [trade('acct-7', 'acct-8', 0, 2), trade('x', 'y', 1, 6), trade('acct-8', 'acct-7', 3, 2, 100.5)],
        OWNER_A,
      );
      expect(signals).toHaveLength(1);
      const s = signals[0] as Signal;
      expect(s.typology).toBe('wash_trading');
      expect(s.accounts).toEqual(['acct-7', 'acct-8']);
      expect(s.owners).toEqual(['owner-A', 'owner-A']);
      expect(s.window).toEqual({ start: at(0), end: at(3) });
      expect(s.metrics).toMatchObject({ selfTrades: 2, volume: 4, accounts: 2 });
      expect(s.metrics.volumeShare).toBeCloseTo(0.4, 9);
      expect(s.evidence.map((r) => [r.ts, r.account, r.qty])).toEqual([
        [at(0), 'acct-7', 2],
        [at(3), 'acct-8', 2],
      ]);
      expect(s.explanation).toBe(
        'Wash trading (self-trade): Owner owner-A traded with itself 2 times within 3.00 s through accounts ' +
          "acct-7 and acct-8: 4 BTC-USDT, 40% of the book's volume in the last 1.0 min.",
      );
      expect(s.score).toBeGreaterThan(0.5);
    });

    it('does not flag one accidental self-cross, nor two beyond the window', () => {
      expect(run([trade('acct-7', 'acct-8', 0)], OWNER_A)).toEqual([]);
      expect(run([trade('acct-7', 'acct-8', 0), trade('acct-7', 'acct-8', 61)], OWNER_A)).toEqual([]);
    });

    it('reports one episode once, however long it goes on', () => {
      const events: Trade[] = [];
      for (let t = 0; t < 100; t += 5) events.push(trade('acct-7', 'acct-8', t));
      expect(run(events, OWNER_A)).toHaveLength(1);
    });

    it('does not flag two different owners trading with each other', () => {
      const events: Trade[] = [];
      for (let t = 0; t < 20; t++) events.push(trade('acct-7', 'acct-9', t));
      expect(run(events, OWNER_A)).toEqual([]);
    });

    it('ignores public prints that do not name both sides', () => {
      expect(run([aTrade({ ts: at(0) }), aTrade({ ts: at(1), buyAccount: 'acct-7' })], OWNER_A)).toEqual([]);
    });
  });

  describe('round trips', () => {
    it('flags two owners passing the same size back and forth and ending flat, once per episode', () => {
      const signals = run([
        trade('alice', 'bob', 0, 5, 100),
        trade('bob', 'alice', 4, 5.2, 100.2),
        trade('alice', 'bob', 8, 5, 100.1),
        trade('bob', 'alice', 12, 5, 100),
      ]);
      expect(signals).toHaveLength(1);
      const s = signals[0] as Signal;
      expect(s.accounts).toEqual(['alice', 'bob']);
      expect(s.emittedAt).toBe(at(4));
      expect(s.metrics).toMatchObject({
        roundTrips: 1,
        trades: 2,
        concentration: 1,
        matchedShare: 1,
        volumeShare: 1,
      });
      expect(s.metrics.volume).toBeCloseTo(10.2, 9);
      expect(s.metrics.netRatio).toBeCloseTo(0.2 / 10.2, 9);
      expect(s.evidence.map((r) => [r.ts, r.qty])).toEqual([
        [at(0), 5],
        [at(4), 5.2],
      ]);
      expect(s.explanation).toBe(
        'Wash trading (round-trip): Owners alice and bob traded 10.2 BTC-USDT back and forth in 2 trades ' +
          'within 4.00 s, 1 round trip at matching price and size, each ending within 2% of flat and trading ' +
          "100% or more of its volume with the other: 100% of the book's volume in the last 1.0 min.",
      );
    });

    it('does not flag a pair whose trades only now and then match in size', () => {
      const sizes = [1, 2.5, 0.7, 1.9, 3.3, 1, 0.4, 2.2];
      const events = sizes.map((q, i) =>
        i % 2 === 0 ? trade('alice', 'bob', i, q) : trade('bob', 'alice', i, q),
      );
      expect(run(events)).toEqual([]);
    });

    it("does not flag a market maker's round trips with different counterparties", () => {
      const events: Trade[] = [];
      const clients = ['c1', 'c2', 'c3', 'c4', 'c5', 'c6'];
      for (let i = 0; i < 30; i++) {
        const client = clients[i % clients.length] as string;
        events.push(i % 2 === 0 ? trade('mm', client, i, 1) : trade(client, 'mm', i, 1));
      }
      expect(run(events)).toEqual([]);
    });

    it('does not flag a client who reverses with a market maker busy with everyone else', () => {
      const events: Trade[] = [];
      for (let i = 0; i < 40; i++) events.push(trade(`other-${i}`, 'mm', i * 0.2, 1));
      events.push(trade('client', 'mm', 0.5, 1), trade('mm', 'client', 2.5, 1));
      events.push(trade('client', 'mm', 4.5, 1), trade('mm', 'client', 6.5, 1));
      events.sort((a, b) => a.ts - b.ts);
      // The market maker's volume with this client is a small part of its own.
      expect(run(events)).toEqual([]);
    });

    it('does not flag an arbitrageur buying on one venue and selling on another', () => {
      const events: Trade[] = [];
      for (let i = 0; i < 6; i++) {
        events.push(trade('arb', 'seller', i * 2, 1, 100, 'venue-a'));
        events.push(trade('seller', 'arb', i * 2 + 1, 1, 100.3, 'venue-b'));
      }
      expect(run(events)).toEqual([]);
    });

    it('does not flag owners that build a position instead of ending flat', () => {
      expect(
        run(
          [
            trade('alice', 'bob', 0, 5),
            trade('bob', 'alice', 1, 5),
            trade('alice', 'bob', 2, 5),
            trade('bob', 'alice', 3, 5),
            trade('alice', 'bob', 0.5, 20),
          ].sort((a, b) => a.ts - b.ts),
        ),
      ).toEqual([]);
    });
  });

  describe('cycles', () => {
    it('flags three owners passing the same quantity round a ring', () => {
      const signals = run([
        trade('bob', 'alice', 0, 3, 100),
        trade('carol', 'bob', 1, 3, 100.1),
        trade('alice', 'carol', 2, 3, 100),
        trade('zed', 'yan', 2.5, 1),
        trade('yan', 'zed', 3.5, 1.5),
      ]);
      expect(signals).toHaveLength(1);
      const s = signals[0] as Signal;
      expect(s.accounts).toEqual(['bob', 'alice', 'carol']);
      expect(s.metrics).toMatchObject({
        cycleOwners: 3,
        trades: 3,
        volume: 9,
        netRatio: 0,
        concentration: 1,
      });
      // Rings are searched every 250 ms of event time: found when the next event moves the
      // clock, before that event counts in the book's volume.
      expect(s.metrics.volumeShare).toBe(1);
      expect(s.emittedAt).toBe(at(2.5));
      expect(s.explanation).toContain(
        'Owners alice, bob and carol passed 9 BTC-USDT round a ring of 3 in 3 trades',
      );
    });

    it('does not flag a chain of trades that leaves positions changed', () => {
      expect(
        run([trade('bob', 'alice', 0, 3), trade('carol', 'bob', 1, 3), trade('alice', 'carol', 2, 0.5)]),
      ).toEqual([]);
    });

    it('does not flag the ordinary market, where everyone trades with everyone', () => {
      const rng = new SeededRandom(7);
      const traders = Array.from({ length: 30 }, (_, i) => `t${i}`);
      const events: Trade[] = [];
      for (let i = 0; i < 600; i++) {
        const buyer = rng.pick(traders);
        const seller = rng.pick(traders);
        if (buyer !== seller)
          events.push(trade(buyer, seller, i * 0.25, Math.round(rng.uniform(1, 20)) / 10));
      }
      expect(run(events)).toEqual([]);
    });
  });

  describe('DEX round trips', () => {
    const owners = { '0xw1': 'owner-W', '0xw2': 'owner-W' };

    it("flags one owner's two wallets buying and selling the same amount back to back in a block", () => {
      const signals = run(
        [
          swap('0xnoise', 'sell', 0, 1, 2999, 0),
          swap('0xw1', 'buy', 0, 10, 3010, 1),
          swap('0xw2', 'sell', 0, 10, 2992, 2),
          swap('0xnoise', 'buy', 0, 2, 3001, 3),
        ],
        owners,
      );
      expect(signals).toHaveLength(1);
      const s = signals[0] as Signal;
      expect(s.accounts).toEqual(['0xw1', '0xw2']);
      expect(s.owners).toEqual(['owner-W', 'owner-W']);
      expect(s.metrics).toMatchObject({
        roundTrips: 1,
        roundTripsInBlock: 1,
        swaps: 2,
        volume: 20,
        netRatio: 0,
      });
      expect(s.metrics.volumeShare).toBeCloseTo(20 / 21, 9);
      expect(s.evidence.map((r) => r.account)).toEqual(['0xw1', '0xw2']);
      expect(s.explanation).toContain(`Owner owner-W bought and sold 20 WETH-USDC against pool eth:${POOL}`);
    });

    it('flags matching round trips spread over blocks', () => {
      const events: Trade[] = [];
      for (let i = 0; i < 3; i++) {
        events.push(swap('0xw1', 'buy', i * 24, 10, 3000 + i, 0));
        events.push(swap('0xw2', 'sell', i * 24 + 12, 10, 2995 + i, 0));
      }
      const signals = run(events, owners);
      expect(signals).toHaveLength(1);
      expect(signals[0]?.metrics).toMatchObject({ roundTrips: 3, roundTripsInBlock: 0, swaps: 6 });
      expect(signals[0]?.emittedAt).toBe(at(60));
    });

    it('does not count a sandwich, whose legs have a victim between them, as a wash', () => {
      const events: Trade[] = [];
      for (let i = 0; i < 4; i++) {
        events.push(swap('0xw1', 'buy', i * 24, 10, 3000, 0));
        events.push(swap('0xvictim', 'buy', i * 24, 40, 3012, 1));
        events.push(swap('0xw1', 'sell', i * 24, 10 + i, 3018, 2));
      }
      expect(run(events, owners)).toEqual([]);
    });

    it('does not flag an arbitrageur swapping both ways at sizes the price gap dictates', () => {
      const sizes = [3.1, 7.4, 1.2, 5.5, 2.6, 9.8, 4.4, 0.7];
      const events = sizes.map((q, i) =>
        swap('0xarb', i % 2 === 0 ? 'buy' : 'sell', i * 12, q, 3000 + (i % 3), 5),
      );
      expect(run(events)).toEqual([]);
    });
  });

  it('keeps state bounded: trades leave with the window', () => {
    const engine = createEngine({ detectors: [washTrading({ windowMs: 1000 })] });
    for (let i = 0; i < 50; i++) engine.process(trade(`b${i}`, `s${i}`, i * 0.1));
    engine.advanceTo(at(10));
    expect(engine.snapshot().detectors['wash-trading']?.state).toEqual({
      books: [],
      nextCycleCheck: expect.any(Number),
    });
  });

  it('continues after a snapshot round trip exactly as without one', () => {
    const events = [
      trade('alice', 'bob', 0, 5),
      trade('bob', 'alice', 4, 5),
      trade('alice', 'bob', 8, 5),
      trade('bob', 'alice', 12, 5),
    ];
    const engine = createEngine({ detectors: [washTrading()] });
    engine.processBatch(events.slice(0, 1));
    const restored = createEngine({ detectors: [washTrading()] });
    restored.restore(JSON.parse(JSON.stringify(engine.snapshot())));
    const signals: Signal[] = [];
    restored.onSignal((s) => signals.push(s));
    restored.processBatch(events.slice(1));
    expect(signals.map((s) => [s.emittedAt, s.metrics.roundTrips])).toEqual([[at(4), 1]]);
    restored.reset();
    restored.process(events[3] as Trade);
    expect(signals).toHaveLength(1);
  });

  it('names the YAML path of a bad config value', () => {
    expect(() =>
      parseConfigText('detectors:\n  wash-trading:\n    maxNetRatio: 2\n', 'tw.yaml'),
    ).toThrowError(/tw\.yaml:3:\d+ {2}detectors\.wash-trading\.maxNetRatio: expected a number <= 1, got 2/);
    expect(WashTradingConfig.parse({})).toMatchObject({
      windowMs: 60_000,
      minSelfTrades: 2,
      minRoundTrips: 1,
    });
  });
});

describe('examples/tapewatch.yaml', () => {
  it('documents every wash-trading, pump-and-dump and dex-sandwich key with its default', () => {
    const path = new URL('../../examples/tapewatch.yaml', import.meta.url).pathname;
    // Read the file as written (no defaults filled in), then check it is also valid.
    const raw = parseYaml(readFileSync(path, 'utf8')) as { detectors: Record<string, unknown> };
    expect(raw.detectors['wash-trading']).toEqual({ enabled: true, ...WashTradingConfig.parse({}) });
    expect(raw.detectors['dex-sandwich']).toEqual({ enabled: true, ...DexSandwichConfig.parse({}) });
    expect(raw.detectors['pump-and-dump']).toEqual({ enabled: true, ...PumpAndDumpConfig.parse({}) });
    expect(() => loadConfig(path)).not.toThrow();
  });
});
