/**
 * The scenario registry: every scenario the simulator can inject, by name.
 *
 * @module
 */
import { normalScenario } from './normal';
import type { ScenarioDefinition, ScenarioName } from './scenario';
import { layeringScenario, spoofingScenario } from './spoofing-layering';
import {
  washColludingScenario,
  washCycleScenario,
  washRoundTripScenario,
  washSelfScenario,
} from './wash-trading';

/** Every scenario definition, by name. */
export const SCENARIOS: Readonly<Partial<Record<ScenarioName, ScenarioDefinition>>> = {
  normal: normalScenario,
  spoofing: spoofingScenario as unknown as ScenarioDefinition,
  layering: layeringScenario as unknown as ScenarioDefinition,
  wash_self: washSelfScenario as unknown as ScenarioDefinition,
  wash_colluding: washColludingScenario as unknown as ScenarioDefinition,
  wash_round_trip: washRoundTripScenario as unknown as ScenarioDefinition,
  wash_cycle: washCycleScenario as unknown as ScenarioDefinition,
};
