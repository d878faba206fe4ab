/**
 * The detectors `tapewatch.yaml` can enable by name, in the order the engine calls them.
 *
 * @module
 */
import type { DetectorDefinition } from './engine/registry';
import { dexSandwichDefinition } from './rules/dex-sandwich';
import { layeringDefinition } from './rules/layering';
import { spoofingDefinition } from './rules/spoofing';

/** Every built-in detector definition. */
export const BUILTIN_DETECTORS: readonly DetectorDefinition[] = [
  spoofingDefinition,
  layeringDefinition,
  dexSandwichDefinition,
];
