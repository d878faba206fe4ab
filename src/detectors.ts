/**
 * The detectors `tapewatch.yaml` can enable by name, in the order the engine calls them.
 *
 * @module
 */
import type { DetectorDefinition } from './engine/registry';
import { dexSandwichDefinition } from './rules/dex-sandwich';
import { layeringDefinition } from './rules/layering';
import { markingTheCloseDefinition } from './rules/marking-the-close';
import { momentumIgnitionDefinition } from './rules/momentum-ignition';
import { pumpAndDumpDefinition } from './rules/pump-and-dump';
import { quoteStuffingDefinition } from './rules/quote-stuffing';
import { spoofingDefinition } from './rules/spoofing';
import { washTradingDefinition } from './rules/wash-trading';

/** Every built-in detector definition. */
export const BUILTIN_DETECTORS: readonly DetectorDefinition[] = [
  spoofingDefinition,
  layeringDefinition,
  quoteStuffingDefinition,
  momentumIgnitionDefinition,
  markingTheCloseDefinition,
  washTradingDefinition,
  pumpAndDumpDefinition,
  dexSandwichDefinition,
];
