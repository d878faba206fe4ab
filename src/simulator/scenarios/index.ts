/**
 * The scenario registry: every scenario the simulator can inject, by name.
 *
 * @module
 */
import { dexSandwichScenario, dexWashScenario } from './dex';
import { markingTheCloseScenario } from './marking-the-close';
import { momentumIgnitionScenario } from './momentum-ignition';
import { normalScenario } from './normal';
import { pumpAndDumpScenario } from './pump-and-dump';
import { quoteStuffingScenario } from './quote-stuffing';
import type { ScenarioDefinition, ScenarioName } from './scenario';
import { layeringScenario, spoofingScenario } from './spoofing-layering';
import {
  washColludingScenario,
  washCycleScenario,
  washRoundTripScenario,
  washSelfScenario,
} from './wash-trading';

/** Every scenario definition, by name. */
export const SCENARIOS: Readonly<Record<ScenarioName, ScenarioDefinition>> = {
  normal: normalScenario,
  spoofing: spoofingScenario as unknown as ScenarioDefinition,
  layering: layeringScenario as unknown as ScenarioDefinition,
  wash_self: washSelfScenario as unknown as ScenarioDefinition,
  wash_colluding: washColludingScenario as unknown as ScenarioDefinition,
  wash_round_trip: washRoundTripScenario as unknown as ScenarioDefinition,
  wash_cycle: washCycleScenario as unknown as ScenarioDefinition,
  pump_and_dump: pumpAndDumpScenario as unknown as ScenarioDefinition,
  quote_stuffing: quoteStuffingScenario as unknown as ScenarioDefinition,
  marking_the_close: markingTheCloseScenario as unknown as ScenarioDefinition,
  momentum_ignition: momentumIgnitionScenario as unknown as ScenarioDefinition,
  dex_sandwich: dexSandwichScenario as unknown as ScenarioDefinition,
  dex_wash: dexWashScenario as unknown as ScenarioDefinition,
};
