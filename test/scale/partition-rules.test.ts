import { describe, expect, it } from 'vitest';
import { defaultConfig, detectorsFromConfig } from '../../src/config';
import type { MarketEvent } from '../../src/core/events';
import type { Signal } from '../../src/core/signal';
import { createEngine, type Engine } from '../../src/engine/engine';
import { OwnerMap } from '../../src/engine/owners';
import { applyPartitionOp, assertPartitionable, PartitionRouter } from '../../src/scale/partition-router';
import { SCENARIO_NAMES, Simulator } from '../../src/simulator/index';

const byId = (a: Signal, b: Signal) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** A simulated market with every scenario injected, and the owner map the simulator declares. */
function labelledMarket(seed: number): { events: MarketEvent[]; owners: Record<string, string> } {
  const sim = new Simulator({ seed });
  const owners = new OwnerMap();
  sim.attach({ process: () => {}, advanceTo: () => {}, reset: () => {}, owners });
  const events: MarketEvent[] = [];
  sim.onEvent((e) => events.push(e));
  for (const name of SCENARIO_NAMES) if (name !== 'normal') sim.inject(name, { durationS: 20 });
  sim.run({ forSeconds: 60 });
  return { events, owners: owners.toJSON() };
}

describe('partitioning with the built-in rule detectors', () => {
  it('3 partitions emit exactly the single engine signals on a market with every scenario', () => {
    const { events, owners } = labelledMarket(7);
    const config = defaultConfig();
    assertPartitionable(detectorsFromConfig(config), 3);

    const single = createEngine({ detectors: detectorsFromConfig(config), owners });
    const expected: Signal[] = [];
    single.onSignal((s) => expected.push(s));
    single.processBatch(events);
    single.flush();

    const got: Signal[] = [];
    const engines = [0, 1, 2].map(() => {
      const e = createEngine({ detectors: detectorsFromConfig(config), owners });
      e.onSignal((s) => got.push(s));
      return e;
    });
    const router = new PartitionRouter(3, (p, op) => applyPartitionOp(engines[p] as Engine, op));
    for (const e of events) router.route(e);
    router.flush();

    expect(new Set(expected.map((s) => s.detector)).size).toBeGreaterThan(2);
    expect(got.sort(byId)).toEqual(expected.sort(byId));
  });
});
