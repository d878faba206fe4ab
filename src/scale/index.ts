/**
 * `tapewatch/scale`: one engine split over partitions by instrument — worker threads on
 * one machine, or workers consuming NATS JetStream partitions with checkpoints.
 *
 * @example
 * ```ts
 * import { PartitionedEngine } from 'tapewatch/scale';
 * const engine = await PartitionedEngine.start({
 *   workers: 4,
 *   detectors: { kind: 'module', module: './detectors.js' },
 * });
 * ```
 *
 * @packageDocumentation
 */

export * from '../ingest/nats/index';
export * from './partition-router';
export * from './partition-spec';
export {
  PartitionedEngine,
  type PartitionedEngineOptions,
  PartitionWorkerError,
  sumStats,
} from './partitioned-engine';
export type { TaggedSignal } from './worker-protocol';
