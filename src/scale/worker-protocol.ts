/**
 * Messages between a {@link PartitionedEngine} and its worker threads.
 *
 * @module
 */
import type { Signal } from '../core/signal';
import type { EngineSnapshot, EngineStats } from '../engine/engine';
import type { PartitionOp } from './partition-router';
import type { PartitionEngineSpec } from './partition-spec';

/** `workerData` of a partition worker thread. */
export interface PartitionWorkerData {
  partition: number;
  partitions: number;
  spec: PartitionEngineSpec;
}

/**
 * A signal with where it was emitted in the stream: the router step, and phase 0 for the
 * clock part of a step (`onTime`), 1 for the event itself (`onEvent`). The main thread
 * orders signals of all partitions by (step, phase, partition, order within partition).
 */
export interface TaggedSignal {
  step: number;
  phase: 0 | 1;
  signal: Signal;
}

/** Main thread → worker. Workers answer every request, in order, with the same `id`. */
export type WorkerRequest =
  | { type: 'ops'; id: number; ops: PartitionOp[]; steps: number[] }
  | { type: 'snapshot'; id: number }
  | { type: 'restore'; id: number; snapshot: EngineSnapshot }
  | { type: 'reset'; id: number };

/** Worker → main thread. */
export type WorkerReply =
  | { type: 'ready' }
  | { type: 'failed'; name: string; message: string }
  | { type: 'ops'; id: number; signals: TaggedSignal[]; stats: EngineStats }
  | { type: 'snapshot'; id: number; snapshot: EngineSnapshot }
  | { type: 'done'; id: number; stats: EngineStats }
  | { type: 'error'; id: number; name: string; message: string };
