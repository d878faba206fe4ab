/**
 * Detector definitions: what `tapewatch.yaml` can enable. A definition pairs a detector
 * factory with the zod schema of its section, so the config schema is composed from the
 * detectors and every key is validated where it is read.
 *
 * @module
 */
import type { z } from 'zod';
import type { Detector } from './detector';

/** A detector that can be configured by name. */
export interface DetectorDefinition<S extends z.ZodObject = z.ZodObject> {
  /** Key under `detectors:` and the detector's `id`. */
  readonly id: string;
  /** One line for `--help` and docs. */
  readonly description: string;
  /** Schema of the detector's section, with documented defaults. */
  readonly configSchema: S;
  /** Builds the detector from its validated section. */
  create(config: z.output<S>): Detector;
}

/** Helper that keeps the schema and factory types tied together. */
export function defineDetector<S extends z.ZodObject>(
  definition: DetectorDefinition<S>,
): DetectorDefinition<S> {
  return definition;
}
