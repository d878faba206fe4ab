/**
 * Simulation control as an application service: the simulator feeds the app's pipeline
 * (so trades reach subscribers and signals reach cases and the narrator exactly as live
 * events do), and gRPC, HTTP and the demo drive it through these few calls.
 *
 * @module
 */
import type { MarketEvent } from '../core/events';
import type { Engine } from '../engine/engine';
import type { Episode, ScenarioName, Simulator, SimulatorStatus } from '../simulator/index';
import type { TapewatchApp } from './app';

/** Status of the simulation plus its episodes (the ground truth, for teaching). */
export interface SimulationStatus extends SimulatorStatus {
  episodeList: readonly Episode[];
}

/**
 * Drives a {@link Simulator} into a {@link TapewatchApp}.
 *
 * @example
 * ```ts
 * const sim = new SimulationService(app, new Simulator({ seed: 7 }));
 * sim.inject('spoofing', { durationS: 30 });
 * void sim.play(1);
 * ```
 */
export class SimulationService {
  private playing: Promise<void> | undefined;

  /**
   * @param engine - the app's engine: a single {@link Engine}, since the simulator drives
   *   its clock and owner map directly
   */
  constructor(
    app: TapewatchApp,
    readonly simulator: Simulator,
    engine: Engine,
  ) {
    simulator.attach({
      process: (e: MarketEvent) => app.processOne(e),
      advanceTo: (ts: number) => engine.advanceTo(ts),
      // The simulator's reset starts the whole pipeline over: engine, counters, cases, narrative.
      reset: () => app.reset(),
      owners: engine.owners,
    });
    engine.owners.setMany(simulator.owners);
  }

  /**
   * Injects a scenario starting at the simulator's current time.
   *
   * @throws ScenarioError naming each bad parameter, or an unknown scenario
   */
  inject(scenario: string, params: Record<string, unknown> = {}): Episode {
    return this.simulator.inject(scenario as ScenarioName, params);
  }

  /** Plays in real time at `speed` × (event seconds per wall second); resumes when paused. */
  play(speed?: number): void {
    if (speed !== undefined) this.simulator.setSpeed(speed);
    const state = this.simulator.status().state;
    if (state === 'paused') this.simulator.resume();
    else if (state === 'idle') {
      this.playing = this.simulator.play(speed === undefined ? {} : { speed });
      this.playing.finally(() => {
        this.playing = undefined;
      });
    }
  }

  pause(): void {
    this.simulator.pause();
  }

  setSpeed(speed: number): void {
    this.simulator.setSpeed(speed);
  }

  /** Runs as fast as possible for `seconds` of event time; returns the events emitted. */
  runFor(seconds: number): number {
    return this.simulator.run({ forSeconds: seconds });
  }

  /** Starts over: books, agents, episodes, engine state, counters, cases and narrative. */
  reset(seed?: number): void {
    this.simulator.reset(seed === undefined ? {} : { seed });
  }

  status(): SimulationStatus {
    return { ...this.simulator.status(), episodeList: this.simulator.episodes };
  }

  /** Stops playback. */
  stop(): void {
    this.simulator.stop();
  }
}
