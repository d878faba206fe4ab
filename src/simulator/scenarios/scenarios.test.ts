import { describe, expect, it } from 'vitest';
import type { MarketEvent, Trade } from '../../core/events';
import { type Episode, Simulator } from '../simulator';
import type { ScenarioName } from './scenario';

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
