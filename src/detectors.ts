/**
 * The detectors `tapewatch.yaml` can enable by name, in the order the engine calls them.
 *
 * @module
 */
import type { DetectorDefinition } from './engine/registry';

/** Every built-in detector definition. */
export const BUILTIN_DETECTORS: readonly DetectorDefinition[] = [];
