import { describe, expect, it } from 'vitest';
import { createEngine } from '../engine/engine';
import { ScenarioError, Simulator } from '../simulator/index';
import { TapewatchApp } from './app';
import { SimulationService } from './simulation-service';

describe('SimulationService', () => {
  it('feeds the app pipeline: events reach the engine and trades reach subscribers, never labels', () => {
    const engine = createEngine();
    const app = new TapewatchApp({ engine });
    const sim = new SimulationService(app, new Simulator({ seed: 3 }), engine);
    const sub = app.trades.subscribe();
    sim.inject('spoofing', { durationS: 10 });
    const emitted = sim.runFor(20);
    expect(emitted).toBeGreaterThan(100);
    expect(app.status().events).toBe(emitted);
    const first = sub.poll();
    expect(first?.kind).toBe('trade');
    expect(first).not.toHaveProperty('label');
    expect(sim.status().episodeList).toHaveLength(1);
    // Owners of the simulated accounts are known to the engine (wash trading needs them).
    expect(Object.keys(sim.simulator.owners).length).toBeGreaterThan(0);
    const [account, owner] = Object.entries(sim.simulator.owners)[0] as [string, string];
    expect(engine.owners.ownerOf(account)).toBe(owner);
    sub.close();
  });

  it('resets the whole pipeline and tells reset listeners', () => {
    const engine = createEngine();
    const app = new TapewatchApp({ engine });
    const sim = new SimulationService(app, new Simulator({ seed: 3 }), engine);
    let resets = 0;
    app.onReset(() => resets++);
    sim.inject('wash_self', {});
    sim.runFor(30);
    sim.reset();
    expect(resets).toBe(1);
    expect(app.status()).toMatchObject({ events: 0, signals: 0, books: 0 });
    expect(sim.status()).toMatchObject({ events: 0, episodes: 0 });
  });

  it('rejects unknown scenarios and bad parameters naming the field', () => {
    const engine = createEngine();
    const app = new TapewatchApp({ engine });
    const sim = new SimulationService(app, new Simulator({ seed: 3 }), engine);
    expect(() => sim.inject('moon_landing')).toThrow(ScenarioError);
    expect(() => sim.inject('spoofing', { durationS: -5 })).toThrow(/durationS/);
  });
});
