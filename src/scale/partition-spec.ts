/**
 * What a partition engine is made of, as plain data that can cross a thread or process
 * boundary: where its detectors come from and the engine's clock settings. Worker threads
 * and NATS workers build their engine from the same spec, so every partition runs the same
 * detectors with the same settings as a single engine would.
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { detectorsFromConfig, type TapewatchConfig } from '../config';
import type { Detector } from '../engine/detector';
import { createEngine, type Engine } from '../engine/engine';
import { assertPartitionable, type PartitionRouterOptions } from './partition-router';

/**
 * Where a partition's detectors come from. Detectors are code with state, so they are not
 * sent to a worker: each worker builds its own.
 *
 * - `config`: the detectors a validated `tapewatch.yaml` enables;
 * - `module`: a module (file path, file URL or package name) exporting a function that
 *   returns fresh detectors, `createDetectors()` unless `exportName` says otherwise.
 */
export type DetectorSource =
  | { kind: 'config'; config: TapewatchConfig }
  | { kind: 'module'; module: string; exportName?: string };

/** Everything a partition engine is built from. */
export interface PartitionEngineSpec {
  detectors: DetectorSource;
  owners?: Record<string, string>;
  tickIntervalUs?: number;
  flushHorizonUs?: number;
  latenessUs?: number;
}

/** A spec from a validated configuration: its detectors, owners and engine section. */
export function specFromConfig(config: TapewatchConfig): PartitionEngineSpec {
  return {
    detectors: { kind: 'config', config },
    owners: { ...config.owners },
    tickIntervalUs: Math.round(config.engine.tickIntervalMs * 1000),
    flushHorizonUs: Math.round(config.engine.flushHorizonMs * 1000),
    latenessUs: Math.round(config.engine.latenessMs * 1000),
  };
}

/** The router settings that match engines built from `spec`. */
export function routerOptionsOf(spec: PartitionEngineSpec): PartitionRouterOptions {
  const out: PartitionRouterOptions = {};
  if (spec.tickIntervalUs !== undefined) out.tickIntervalUs = spec.tickIntervalUs;
  if (spec.flushHorizonUs !== undefined) out.flushHorizonUs = spec.flushHorizonUs;
  if (spec.latenessUs !== undefined) out.latenessUs = spec.latenessUs;
  return out;
}

/** Fresh detectors from a source. */
export async function loadDetectors(source: DetectorSource): Promise<Detector[]> {
  if (source.kind === 'config') return detectorsFromConfig(source.config);
  // A path (relative to the working directory) when such a file exists, else a module specifier.
  const specifier =
    source.module.startsWith('.') || isAbsolute(source.module) || existsSync(source.module)
      ? pathToFileURL(resolve(source.module)).href
      : source.module;
  const mod = (await import(specifier)) as Record<string, unknown>;
  const name = source.exportName ?? 'createDetectors';
  const factory = mod[name];
  if (typeof factory !== 'function') {
    throw new TypeError(`detector module ${source.module} does not export a function '${name}'`);
  }
  const detectors: unknown = await factory();
  if (!Array.isArray(detectors)) {
    throw new TypeError(
      `${name}() of ${source.module} returned ${typeof detectors}, expected an array of detectors`,
    );
  }
  return detectors as Detector[];
}

/**
 * Builds the engine of one of `partitions` partitions.
 *
 * @throws {@link PartitioningError} when a detector's state spans instruments and `partitions > 1`
 */
export async function createPartitionEngine(spec: PartitionEngineSpec, partitions: number): Promise<Engine> {
  const detectors = await loadDetectors(spec.detectors);
  assertPartitionable(detectors, partitions);
  return createEngine({
    detectors,
    ...(spec.owners === undefined ? {} : { owners: spec.owners }),
    ...(spec.tickIntervalUs === undefined ? {} : { tickIntervalUs: spec.tickIntervalUs }),
    ...(spec.flushHorizonUs === undefined ? {} : { flushHorizonUs: spec.flushHorizonUs }),
    ...(spec.latenessUs === undefined ? {} : { latenessUs: spec.latenessUs }),
  });
}
