/**
 * `tapewatch/simulator`: a seeded market simulator with labelled manipulation scenarios,
 * for testing, tuning and teaching surveillance on markets where the truth is known.
 *
 * @example
 * ```ts
 * import { createEngine } from 'tapewatch';
 * import { Simulator } from 'tapewatch/simulator';
 *
 * const sim = new Simulator({ seed: 7 });
 * const engine = createEngine({ detectors: [] });
 * sim.attach(engine);
 * sim.inject('spoofing', { durationS: 30, intensity: 2 });
 * sim.run({ forSeconds: 60 });
 * console.log(sim.episodes);
 * ```
 *
 * @packageDocumentation
 */
export { AccountUniverse, walletAddress } from './accounts';
export { AmmPool, type SwapResult } from './amm-pool';
export { ScenarioError, type ScenarioIssue } from './errors';
export { FairValue } from './fair-value';
export {
  DEFAULT_DEX_POOL,
  DEFAULT_INSTRUMENTS,
  type DexPoolProfile,
  type InstrumentProfile,
} from './instruments';
export { type BookOrder, MatchingBook, type MatchingBookOptions, type MatchingSink } from './matching-engine';
export { SCENARIOS } from './scenarios/index';
export {
  BaseScenarioParams,
  SCENARIO_NAMES,
  type ScenarioDefinition,
  type ScenarioName,
} from './scenarios/scenario';
export {
  type AttachableEngine,
  DEFAULT_SIM_START_US,
  type Episode,
  type GroundTruthLabel,
  type LabelledEvent,
  type PlayState,
  Simulator,
  type SimulatorOptions,
  type SimulatorStatus,
} from './simulator';
