/**
 * The `tapewatch.yaml` schema, composed from the built-in detectors, and the glue that
 * turns a validated configuration into a running engine.
 *
 * @module
 */
import type { z } from 'zod';
import { buildConfigSchema, loadConfigFile, parseConfig } from './core/config';
import { BUILTIN_DETECTORS } from './detectors';
import type { Detector } from './engine/detector';
import { createEngine, type Engine, type EngineOptions } from './engine/engine';
import type { DetectorDefinition } from './engine/registry';
import { IngestConfigSchema } from './ingest/ingest-config';
import { NarrativeConfigSchema } from './narrative/config';
import { ServerConfigSchema } from './service/server-config';

function schemasOf(definitions: readonly DetectorDefinition[]): Record<string, z.ZodObject> {
  const out: Record<string, z.ZodObject> = {};
  for (const d of definitions) out[d.id] = d.configSchema;
  return out;
}

/** Schema of `tapewatch.yaml` with the built-in detectors. */
export const TapewatchConfigSchema = buildConfigSchema(schemasOf(BUILTIN_DETECTORS)).extend({
  server: ServerConfigSchema.prefault({}),
  ingest: IngestConfigSchema.prefault({}),
  narrative: NarrativeConfigSchema.prefault({}),
});

/** A validated `tapewatch.yaml`, defaults filled in. */
export type TapewatchConfig = z.output<typeof TapewatchConfigSchema>;

/** The configuration of an empty file: every default. */
export function defaultConfig(): TapewatchConfig {
  return TapewatchConfigSchema.parse({});
}

/**
 * Loads and validates `tapewatch.yaml`.
 *
 * @throws {@link ConfigError} naming the YAML path, line and expected type of every problem
 * @example
 * ```ts
 * const config = loadConfig('tapewatch.yaml');
 * const engine = createEngineFromConfig(config);
 * ```
 */
export function loadConfig(path: string): TapewatchConfig {
  return loadConfigFile(path, TapewatchConfigSchema);
}

/** Validates YAML text (see {@link loadConfig}). */
export function parseConfigText(text: string, file?: string): TapewatchConfig {
  return parseConfig(text, TapewatchConfigSchema, file);
}

/** The detectors a configuration enables, built from their sections. */
export function detectorsFromConfig(
  config: TapewatchConfig,
  definitions: readonly DetectorDefinition[] = BUILTIN_DETECTORS,
): Detector[] {
  const sections = config.detectors as Record<string, { enabled: boolean } | undefined>;
  const out: Detector[] = [];
  for (const definition of definitions) {
    const section = sections[definition.id];
    if (section === undefined || !section.enabled) continue;
    const { enabled: _enabled, ...detectorConfig } = section;
    out.push(definition.create(definition.configSchema.parse(detectorConfig)));
  }
  return out;
}

/** Engine options from a configuration (units converted from ms to µs). */
export function engineOptionsFromConfig(config: TapewatchConfig): EngineOptions {
  return {
    detectors: detectorsFromConfig(config),
    owners: config.owners,
    tickIntervalUs: Math.round(config.engine.tickIntervalMs * 1000),
    flushHorizonUs: Math.round(config.engine.flushHorizonMs * 1000),
    latenessUs: Math.round(config.engine.latenessMs * 1000),
  };
}

/** An engine with everything a configuration enables. */
export function createEngineFromConfig(config: TapewatchConfig = defaultConfig()): Engine {
  return createEngine(engineOptionsFromConfig(config));
}
