import { describe, expect, it } from 'vitest';
import type { MarketEvent, Trade } from '../../core/events';
import { type Episode, Simulator } from '../simulator';
import { SCENARIO_NAMES, type ScenarioName } from './scenario';

interface Run {
  sim: Simulator;
  episode: Episode;
  labelled: MarketEvent[];
  all: MarketEvent[];
}

/** Warms the market up, injects one scenario and collects its labelled events. */
function runScenario(scenario: ScenarioName, params: Record<string, unknown> = {}, seed = 21): Run {
  const sim = new Simulator({ seed });
  const labelled: MarketEvent[] = [];
  const all: MarketEvent[] = [];
  sim.run({ forSeconds: 10 });
  const episode = sim.inject(scenario, { durationS: 30, ...params });
  sim.onEvent((e, label) => {
    all.push(e);
    if (label?.episodeId === episode.episodeId) labelled.push(e);
  });
  sim.run({ forSeconds: 45 });
  return { sim, episode, labelled, all };
}

const trades = (events: MarketEvent[]): Trade[] => events.filter((e): e is Trade => e.kind === 'trade');

describe('scenarios', () => {
  it('normal labels nothing and records a control period', () => {
    const { episode, labelled } = runScenario('normal');
    expect(labelled).toEqual([]);
    expect(episode.typology).toBeNull();
    expect(episode.endTs - episode.startTs).toBe(30_000_000);
  });

  for (const scenario of ['spoofing', 'layering'] as const) {
    it(`${scenario}: large orders beyond the touch are cancelled while the same account trades the other side`, () => {
      const { episode, labelled, sim } = runScenario(scenario);
      const account = episode.accounts[0] as string;
      const mmQty = 5; // ETH-USDT market-maker quote
      const bigSells = labelled.filter(
        (e) => e.kind === 'order_new' && e.side === 'sell' && e.qty >= mmQty * 4,
      );
      expect(bigSells.length).toBeGreaterThanOrEqual(scenario === 'layering' ? 12 : 4);
      const cancelled = new Set(
        labelled
          .filter((e) => e.kind === 'order_cancel')
          .map((e) => (e.kind === 'order_cancel' ? e.orderId : '')),
      );
      const cancelledShare =
        bigSells.filter((e) => e.kind === 'order_new' && cancelled.has(e.orderId)).length / bigSells.length;
      expect(cancelledShare).toBeGreaterThan(0.8);
      // Each fake order rested above the best ask of its moment: no fake order traded on arrival.
      for (const o of bigSells)
        expect(
          trades(labelled).some(
            (t) => t.sellOrderId === (o.kind === 'order_new' ? o.orderId : '') && t.ts === o.ts,
          ),
        ).toBe(false);
      const buys = trades(labelled).filter((t) => t.buyAccount === account);
      expect(buys.length).toBeGreaterThan(0);
      if (scenario === 'layering') {
        const levelsPerCycle = new Map<number, Set<number>>();
        for (const o of bigSells)
          if (o.kind === 'order_new')
            levelsPerCycle.set(o.ts, (levelsPerCycle.get(o.ts) ?? new Set()).add(o.price));
        expect(Math.min(...[...levelsPerCycle.values()].map((s) => s.size))).toBe(4);
      }
      expect(sim.accounts.ownerOf(account)).toBe(episode.owners[0]);
    });
  }

  it('wash_self: every labelled trade has one account on both sides', () => {
    const { labelled, episode } = runScenario('wash_self');
    const ts = trades(labelled);
    expect(ts.length).toBeGreaterThanOrEqual(5);
    for (const t of ts)
      expect([t.buyAccount, t.sellAccount]).toEqual([episode.accounts[0], episode.accounts[0]]);
  });

  it('wash_colluding: two accounts of one owner trade only with each other', () => {
    const { labelled, episode, sim } = runScenario('wash_colluding');
    const [a, b] = episode.accounts as [string, string];
    expect(a).not.toBe(b);
    expect(sim.accounts.ownerOf(a)).toBe(sim.accounts.ownerOf(b));
    const ts = trades(labelled);
    expect(ts.length).toBeGreaterThanOrEqual(5);
    for (const t of ts) expect(new Set([t.buyAccount, t.sellAccount])).toEqual(new Set([a, b]));
  });

  it('wash_round_trip: two owners pass the same quantity there and back, net zero', () => {
    const { labelled, episode, sim } = runScenario('wash_round_trip');
    const [a, b] = episode.accounts as [string, string];
    expect(sim.accounts.ownerOf(a)).not.toBe(sim.accounts.ownerOf(b));
    const ts = trades(labelled);
    expect(ts.length).toBeGreaterThanOrEqual(4);
    const complete = ts.length - (ts.length % 2);
    let netA = 0;
    for (const t of ts.slice(0, complete)) netA += t.buyAccount === a ? t.qty : -t.qty;
    expect(Math.abs(netA)).toBeLessThan(1e-9);
  });

  it('wash_cycle: three owners pass one quantity around a ring', () => {
    const { labelled, episode, sim } = runScenario('wash_cycle');
    expect(new Set(episode.accounts.map((a) => sim.accounts.ownerOf(a))).size).toBe(3);
    const ts = trades(labelled);
    expect(ts.length).toBeGreaterThanOrEqual(6);
    const [first, second, third] = ts as [Trade, Trade, Trade];
    expect([first.sellAccount, second.sellAccount, third.sellAccount]).toEqual(episode.accounts);
    expect(first.buyAccount).toBe(second.sellAccount);
    expect(third.buyAccount).toBe(first.sellAccount);
    expect(second.qty).toBe(first.qty);
  });
});

describe('scenarios on the rest of the market', () => {
  it('pump_and_dump: same-microsecond buy rushes by the group lift the price, then the group sells and it falls back', () => {
    const { labelled, episode, all } = runScenario('pump_and_dump', { durationS: 40 });
    const rushes = new Map<number, Set<string>>();
    for (const e of labelled)
      if (e.kind === 'order_new' && e.type === 'market' && e.side === 'buy')
        rushes.set(e.ts, (rushes.get(e.ts) ?? new Set()).add(e.account));
    const fullRushes = [...rushes.values()].filter((accounts) => accounts.size === episode.accounts.length);
    expect(fullRushes.length).toBeGreaterThanOrEqual(5);
    const moon = trades(all).filter((t) => t.instrument === 'MOON-USDT');
    const before = (moon.find((t) => t.ts >= episode.startTs) as Trade).price;
    const peak = Math.max(...moon.filter((t) => t.ts <= episode.endTs).map((t) => t.price));
    expect(peak / before).toBeGreaterThan(1.04);
    const sells = labelled.filter((e) => e.kind === 'order_new' && e.side === 'sell' && e.type === 'market');
    expect(sells.length).toBeGreaterThan(3);
    const last = moon.at(-1) as Trade;
    expect(Math.abs(last.price / before - 1)).toBeLessThan(0.03);
  });

  it('quote_stuffing: bursts of far-from-touch orders, every one cancelled within milliseconds, no trades', () => {
    const { labelled } = runScenario('quote_stuffing', { durationS: 10 });
    const placed = new Map<string, number>();
    const lifetimes: number[] = [];
    for (const e of labelled) {
      if (e.kind === 'order_new') placed.set(e.orderId, e.ts);
      if (e.kind === 'order_cancel') lifetimes.push(e.ts - (placed.get(e.orderId) as number));
    }
    expect(placed.size).toBeGreaterThanOrEqual(600);
    expect(lifetimes.length).toBe(placed.size);
    expect(trades(labelled)).toEqual([]);
    lifetimes.sort((a, b) => a - b);
    expect(lifetimes[lifetimes.length >> 1]).toBeLessThanOrEqual(2_000);
  });

  it('marking_the_close: aggressive buys only in the window before a close, the last just before it', () => {
    const sim = new Simulator({ seed: 31, closeIntervalS: 60 });
    const labelled: MarketEvent[] = [];
    const episode = sim.inject('marking_the_close', { durationS: 100, windowS: 20 });
    sim.onEvent((e, l) => l !== undefined && labelled.push(e));
    sim.run({ forSeconds: 200 });
    const orders = labelled.filter((e) => e.kind === 'order_new');
    expect(orders.length).toBe(20); // two closes inside the episode, ten orders each
    for (const o of orders) {
      expect(o).toMatchObject({ type: 'market', side: 'buy', account: episode.accounts[0] });
      const toClose = Math.ceil(o.ts / 60_000_000) * 60_000_000 - o.ts;
      expect(toClose).toBeGreaterThan(0);
      expect(toClose).toBeLessThanOrEqual(20_000_000);
    }
    expect(episode.lastEventTs % 60_000_000).toBe(60_000_000 - 1_000);
  });

  it('momentum_ignition: a burst of ask-sweeping buys, then the same account sells into the move', () => {
    const { labelled, episode } = runScenario('momentum_ignition', { durationS: 20 });
    const account = episode.accounts[0] as string;
    const orders = labelled.filter((e) => e.kind === 'order_new');
    const firstSell = orders.findIndex((o) => o.kind === 'order_new' && o.side === 'sell');
    expect(firstSell).toBe(6);
    const firstSellTs = (orders[firstSell] as MarketEvent).ts;
    const ignition = trades(labelled).filter((t) => t.buyAccount === account && t.ts < firstSellTs);
    // The sweep walks up the ask: its last fill is at least two SOL ticks above its first.
    const ticks = (t: Trade | undefined) => Math.round((t as Trade).price * 100);
    expect(ticks(ignition.at(-1)) - ticks(ignition[0])).toBeGreaterThanOrEqual(2);
    let net = 0;
    for (const t of trades(labelled))
      net += t.buyAccount === account ? t.qty : t.sellAccount === account ? -t.qty : 0;
    expect(Math.abs(net)).toBeLessThan(1e-6);
  });

  it('dex_sandwich: attacker buy, victim buy, attacker sell at consecutive log indexes of one block', () => {
    const { labelled, episode } = runScenario('dex_sandwich', { durationS: 60 });
    const ts = trades(labelled);
    expect(ts.length).toBeGreaterThanOrEqual(6);
    expect(ts.length % 3).toBe(0);
    const attacker = episode.accounts[0];
    for (let i = 0; i < ts.length; i += 3) {
      const [front, victim, back] = ts.slice(i, i + 3) as [Trade, Trade, Trade];
      expect([front.block, victim.block]).toEqual([back.block, back.block]);
      expect([front.logIndex, victim.logIndex, back.logIndex]).toEqual([0, 1, 2]);
      expect([front.buyAccount, back.sellAccount]).toEqual([attacker, attacker]);
      expect(victim.buyAccount).not.toBe(attacker);
      expect(back.qty).toBe(front.qty);
      expect(back.price).toBeGreaterThan(front.price);
      expect(front.txHash).not.toBe(back.txHash);
    }
  });

  it('dex_wash: two wallets of one owner buy and sell the same amount in the same block', () => {
    const { labelled, episode, sim } = runScenario('dex_wash', { durationS: 60 });
    const [a, b] = episode.accounts as [string, string];
    expect(sim.accounts.ownerOf(a)).toBe(sim.accounts.ownerOf(b));
    const ts = trades(labelled);
    expect(ts.length).toBeGreaterThanOrEqual(8);
    for (let i = 0; i + 1 < ts.length; i += 2) {
      const [buy, sell] = ts.slice(i, i + 2) as [Trade, Trade];
      expect(buy.block).toBe(sell.block);
      expect(sell.logIndex).toBe((buy.logIndex as number) + 1);
      expect(buy.qty).toBe(sell.qty);
      expect(new Set([buy.buyAccount, sell.sellAccount])).toEqual(new Set([a, b]));
    }
  });

  it('every scenario injects with its defaults and labels at least one event (except normal)', () => {
    for (const name of SCENARIO_NAMES) {
      const sim = new Simulator({ seed: 41, closeIntervalS: 60 });
      const episode = sim.inject(name, { durationS: 30 });
      sim.run({ forSeconds: 90 });
      if (name === 'normal') expect(episode.events).toBe(0);
      else expect(episode.events, name).toBeGreaterThan(0);
    }
  });
});
