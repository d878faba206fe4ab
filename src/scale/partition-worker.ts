/**
 * Entry point of a partition worker thread: builds the partition's engine from the spec in
 * `workerData` and applies the operation batches the main thread sends.
 *
 * @module
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { MarketEvent } from '../core/events';
import type { Engine } from '../engine/engine';
import type { PartitionOp } from './partition-router';
import { createPartitionEngine } from './partition-spec';
import type { PartitionWorkerData, TaggedSignal, WorkerReply, WorkerRequest } from './worker-protocol';

const port = parentPort;
if (port === null) throw new Error('partition-worker must run in a worker thread');
const data = workerData as PartitionWorkerData;

let engine: Engine;
try {
  engine = await createPartitionEngine(data.spec, data.partitions);
} catch (error) {
  const e = error instanceof Error ? error : new Error(String(error));
  port.postMessage({ type: 'failed', name: e.name, message: e.message } satisfies WorkerReply);
  process.exit(0);
}

let step = 0;
let phase: 0 | 1 = 0;
let out: TaggedSignal[] = [];
engine.onSignal((signal) => out.push({ step, phase, signal }));

function apply(ops: readonly PartitionOp[], steps: readonly number[]): void {
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i] as PartitionOp;
    step = steps[i] as number;
    phase = 0;
    switch (op.kind) {
      case 'event':
        // processAt split in two so signals of the tick and of the event are told apart.
        engine.observeTime(op.now);
        phase = 1;
        engine.process(op.event as MarketEvent);
        break;
      case 'clock':
        engine.observeTime(op.now);
        break;
      case 'advance':
        engine.advanceTo(op.ts);
        break;
    }
  }
}

port.postMessage({ type: 'ready' } satisfies WorkerReply);
port.on('message', (request: WorkerRequest) => {
  let reply: WorkerReply;
  try {
    switch (request.type) {
      case 'ops': {
        apply(request.ops, request.steps);
        reply = { type: 'ops', id: request.id, signals: out, stats: engine.stats() };
        out = [];
        break;
      }
      case 'snapshot':
        reply = { type: 'snapshot', id: request.id, snapshot: engine.snapshot() };
        break;
      case 'restore':
        engine.restore(request.snapshot);
        reply = { type: 'done', id: request.id, stats: engine.stats() };
        break;
      case 'reset':
        engine.reset();
        reply = { type: 'done', id: request.id, stats: engine.stats() };
        break;
    }
  } catch (error) {
    out = [];
    const e = error instanceof Error ? error : new Error(String(error));
    reply = { type: 'error', id: request.id, name: e.name, message: e.message };
  }
  port.postMessage(reply);
});
