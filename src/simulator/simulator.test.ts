import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { EVENT_SCHEMAS, type MarketEvent } from '../core/events';
import { createEngine } from '../engine/engine';
import { OwnerMap } from '../engine/owners';
import { ScenarioError } from './errors';
import type { GroundTruthLabel } from './simulator';
import { Simulator } from './simulator';

/** Runs a fixed script and hashes every event and label. */
function scriptHash(sim: Simulator): string {
  const hash = createHash('sha256');
  const off = sim.onEvent((e, label) => hash.update(`${JSON.stringify(e)}|${label?.episodeId ?? ''}\n`));
  sim.run({ forSeconds: 20 });
  sim.inject('spoofing', { durationS: 10 });
  sim.inject('wash_colluding', { durationS: 10 });
  sim.run({ forSeconds: 20 });
  off();
  return hash.digest('hex');
}

describe('Simulator', () => {
  it('gives the identical stream for the same seed and a different one for another seed', () => {
    const a = scriptHash(new Simulator({ seed: 11 }));
    const b = scriptHash(new Simulator({ seed: 11 }));
    const c = scriptHash(new Simulator({ seed: 12 }));
    expect(a).toBe(b);
    expect(c).not.toBe(a);
  });

  it('emits valid events in event-time order with increasing sequence numbers', () => {
    const sim = new Simulator({ seed: 2, emitQuotes: true });
    const events: MarketEvent[] = [];
    sim.onEvent((e) => events.push(e));
    sim.run({ forSeconds: 30 });
    expect(events.length).toBeGreaterThan(10_000);
    const kinds = new Set(events.map((e) => e.kind));
    expect([...kinds].sort()).toEqual(['order_cancel', 'order_new', 'order_replace', 'quote', 'trade']);
    for (let i = 0; i < events.length; i++) {
      const e = events[i] as MarketEvent;
      expect(Number.isInteger(e.ts)).toBe(true);
      if (i > 0) {
        expect(e.ts).toBeGreaterThanOrEqual((events[i - 1] as MarketEvent).ts);
        expect(e.seq).toBe(((events[i - 1] as MarketEvent).seq as number) + 1);
      }
      if (i % 97 === 0) expect(EVENT_SCHEMAS[e.kind].safeParse(e).success).toBe(true);
    }
  });

  it('starts over on reset: same stream as a fresh simulator, no episodes, engine emptied', () => {
    const engine = createEngine();
    const sim = new Simulator({ seed: 5 });
    sim.attach(engine);
    scriptHash(sim);
    expect(engine.stats().events).toBeGreaterThan(0);
    sim.reset();
    expect(sim.episodes).toEqual([]);
    expect(sim.now).toBe(sim.status().startTs);
    expect(engine.stats().events).toBe(0);
    expect(engine.stats().books).toBe(0);
    for (const symbol of sim.instruments) expect(sim.book(symbol)?.size).toBe(0);
    expect(scriptHash(sim)).toBe(scriptHash(new Simulator({ seed: 5 })));
    expect(engine.owners.ownerOf('acct-090')).toBe(engine.owners.ownerOf('acct-091'));
  });

  it('keeps labels off the events the engine sees', () => {
    const seen: MarketEvent[] = [];
    const labels: (GroundTruthLabel | undefined)[] = [];
    const sim = new Simulator({ seed: 4 });
    sim.attach({
      process: (e: MarketEvent) => seen.push(e),
      advanceTo: () => {},
      reset: () => {},
      owners: new OwnerMap(),
    });
    sim.onEvent((_e, label) => labels.push(label));
    const episode = sim.inject('wash_self', { durationS: 10 });
    sim.run({ forSeconds: 15 });
    expect(labels.filter((l) => l?.episodeId === episode.episodeId).length).toBe(episode.events);
    expect(episode.events).toBeGreaterThan(0);
    expect(seen.length).toBe(labels.length);
    const text = JSON.stringify(seen);
    expect(text).not.toContain(episode.episodeId);
    expect(text).not.toContain('wash_self');
  });

  it('feeds an attached engine every event, and the engine keeps the mirror book in step', () => {
    const engine = createEngine();
    const sim = new Simulator({ seed: 6 });
    sim.attach(engine);
    const n = sim.run({ forSeconds: 20 });
    expect(engine.stats().events).toBe(n);
    for (const symbol of sim.instruments) {
      const mirror = engine.book(sim.venue, symbol);
      expect(mirror?.bestBid()).toBe(sim.book(symbol)?.bestBid());
      expect(mirror?.bestAsk()).toBe(sim.book(symbol)?.bestAsk());
      expect(mirror?.size).toBe(sim.book(symbol)?.size);
    }
  });

  it('rejects unknown scenarios and bad parameters with every issue named', () => {
    const sim = new Simulator();
    expect(() => sim.inject('nope' as never)).toThrow(ScenarioError);
    try {
      sim.inject('spoofing', { intensity: -1, durationS: 'long' });
      expect.unreachable();
    } catch (error) {
      expect((error as ScenarioError).issues.map((i) => i.path).sort()).toEqual(['durationS', 'intensity']);
    }
    expect(() => sim.inject('spoofing', { instrument: 'NOPE-USDT' })).toThrow(
      /unknown instrument 'NOPE-USDT'/,
    );
    expect(() => sim.inject('wash_cycle', { accounts: ['a', 'b'] })).toThrow(/needs 3 account/);
  });

  it('trades like a market: makers cancel far more than they trade, prices follow the fair value', () => {
    const sim = new Simulator({ seed: 8, dex: false });
    const makers = new Set(sim.accounts.marketMakers);
    let makerCancels = 0;
    let makerTrades = 0;
    sim.onEvent((e) => {
      if ((e.kind === 'order_cancel' || e.kind === 'order_replace') && makers.has(e.account)) makerCancels++;
      if (e.kind === 'trade' && (makers.has(e.buyAccount as string) || makers.has(e.sellAccount as string)))
        makerTrades++;
    });
    sim.run({ forSeconds: 120 });
    expect(makerTrades).toBeGreaterThan(100);
    expect(makerCancels / makerTrades).toBeGreaterThan(10);
    for (const symbol of sim.instruments) {
      const book = sim.book(symbol);
      expect(book?.bestBid()).toBeLessThan(book?.bestAsk() as number);
      expect(Math.abs((book?.lastTradePrice as number) / (sim.fairValue(symbol) as number) - 1)).toBeLessThan(
        0.005,
      );
    }
  });

  it('settles DEX swaps in blocks with wallets, tx hashes and log indexes', () => {
    const sim = new Simulator({ seed: 9 });
    const swaps: MarketEvent[] = [];
    sim.onEvent((e) => {
      if (e.venue === sim.dex?.venue) swaps.push(e);
    });
    sim.run({ forSeconds: 120 });
    expect(swaps.length).toBeGreaterThan(10);
    for (const s of swaps) {
      expect(s).toMatchObject({ kind: 'trade', instrument: 'WETH-USDC' });
      if (s.kind !== 'trade') continue;
      expect(s.txHash).toMatch(/^0x[0-9a-f]{64}$/);
      expect(typeof s.block).toBe('number');
      expect(s.aggressor === 'buy' ? s.buyAccount : s.sellAccount).toMatch(/^0x[0-9a-f]{40}$/);
    }
    const blocks = new Set(swaps.map((s) => (s.kind === 'trade' ? s.block : -1)));
    expect(blocks.size).toBeGreaterThan(3);
  });

  it('plays in real time at a speed, pauses, and stops', async () => {
    const sim = new Simulator({ seed: 10 });
    const start = sim.now;
    const done = sim.play({ speed: 100, until: start + 60_000_000 });
    await new Promise((r) => setTimeout(r, 120));
    sim.pause();
    const paused = sim.now;
    expect(paused).toBeGreaterThan(start);
    expect(sim.status().state).toBe('paused');
    await new Promise((r) => setTimeout(r, 120));
    expect(sim.now).toBe(paused);
    sim.resume();
    sim.setSpeed(5_000);
    await done;
    expect(sim.now).toBe(start + 60_000_000);
    expect(sim.status().state).toBe('idle');
  });
});
