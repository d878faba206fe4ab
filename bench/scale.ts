/**
 * Scale-out through NATS JetStream on this machine, end to end: a publisher process packs
 * the stream into partition batches, 1 or 2 `worker` processes run the built-in detectors
 * and checkpoint; the clock runs from the first publish to the moment every partition's
 * checkpoint covers its last message.
 *
 * Reference: the same events through one in-process engine with the same detectors.
 * Also measured: the broker's own ceiling for acknowledged publishes from Node (small
 * messages, and large packed ones).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { createEngineFromConfig, defaultConfig } from '../src/config';
import type { MarketEvent } from '../src/core/events';
import { KvCheckpointStore } from '../src/ingest/nats/checkpoint-store';
import { NatsEventPublisher } from '../src/ingest/nats/publisher';
import { isNotFound, type NatsTopology, topologyForPrefix } from '../src/ingest/nats/topology';
import { emit, median } from './lib/result';
import { syntheticEvents } from './synthetic';

const N = 200_000;
const events = syntheticEvents({ events: N, instruments: 16, accounts: 400, seed: 11, targetDepth: 300 });

function inProcessMs(list: readonly MarketEvent[]): number {
  const engine = createEngineFromConfig(defaultConfig());
  const t0 = performance.now();
  engine.processBatch(list);
  engine.flush();
  return performance.now() - t0;
}

async function removeTopology(nc: NatsConnection, t: NatsTopology): Promise<void> {
  const jsm = await jetstreamManager(nc);
  for (const name of [t.eventStream, t.signalStream, `KV_${t.checkpointBucket}`]) {
    try {
      await jsm.streams.delete(name);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
}

function startWorker(prefix: string, partition: number, partitions: number): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'bench/scale/worker.ts', prefix, String(partition), String(partitions)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return new Promise((resolve, reject) => {
    child.stdout?.once('data', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`worker exited with ${code}`)));
  });
}

/** Events/s from the first publish until every partition's checkpoint covers its last message. */
async function endToEnd(nc: NatsConnection, partitions: number): Promise<number> {
  const t = topologyForPrefix(`twb-${randomBytes(4).toString('hex')}`);
  const publisher = await NatsEventPublisher.create({
    nc,
    partitions,
    runId: 'bench',
    topology: t,
    batchOps: 2_000,
  });
  const kv = await new Kvm(nc).create(t.checkpointBucket, { history: 1 });
  const store = new KvCheckpointStore(kv, t.eventStream);
  const workers = await Promise.all(
    Array.from({ length: partitions }, (_, p) => startWorker(t.prefix, p, partitions)),
  );
  try {
    const t0 = performance.now();
    for (let i = 0; i < events.length; i += 20_000) await publisher.publishBatch(events.slice(i, i + 20_000));
    const { lastSeq } = await publisher.end();
    for (;;) {
      let done = true;
      for (let p = 0; p < partitions; p++)
        if ((await store.coveredSeq(p)) < (lastSeq[p] as number)) done = false;
      if (done) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    return N / ((performance.now() - t0) / 1000);
  } finally {
    for (const w of workers) w.kill('SIGTERM');
    await Promise.all(workers.map((w) => new Promise((r) => w.once('exit', r))));
    await removeTopology(nc, t);
  }
}

/** Acknowledged publishes per second with `inFlight` outstanding, `bytes`-sized bodies. */
async function brokerCeiling(nc: NatsConnection, bytes: number, count: number): Promise<number> {
  const name = `TWB_RAW_${randomBytes(4).toString('hex')}`;
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name, subjects: [`${name}.x`] });
  const js = jetstream(nc);
  const body = new Uint8Array(bytes).fill(120);
  const inFlight = new Set<Promise<unknown>>();
  try {
    const t0 = performance.now();
    for (let i = 0; i < count; i++) {
      const p = js.publish(`${name}.x`, body, { timeout: 30_000 }).finally(() => inFlight.delete(p));
      inFlight.add(p);
      if (inFlight.size >= 256) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
    return count / ((performance.now() - t0) / 1000);
  } finally {
    await jsm.streams.delete(name);
  }
}

const nc = await connect({ servers: 'nats://127.0.0.1:4222' });
try {
  const inProcess: number[] = [];
  for (let run = 0; run < 3; run++) inProcess.push(N / (inProcessMs(events) / 1000));
  const inProcessRate = median(inProcess);
  const one: number[] = [];
  const two: number[] = [];
  for (let run = 0; run < 2; run++) {
    one.push(await endToEnd(nc, 1));
    two.push(await endToEnd(nc, 2));
  }
  const oneRate = median(one);
  const twoRate = median(two);
  const smallMsgs = await brokerCeiling(nc, 128, 30_000);
  const packedMsgs = await brokerCeiling(nc, 256 * 1024, 400);
  const inProcessRef = { name: 'one in-process engine', value: inProcessRate, unit: 'events/s' };
  emit({
    bench: 'scale',
    command: 'npm run bench -- scale',
    metrics: [
      {
        name: 'JetStream end to end, 1 worker process (built-in detectors)',
        value: oneRate,
        unit: 'events/s',
        reference: inProcessRef,
        notes: `${N} events, 16 instruments, 2,000 operations per message; publish → worker → checkpoint`,
      },
      {
        name: 'JetStream end to end, 2 worker processes vs 1',
        value: twoRate / oneRate,
        unit: '×',
        target: { op: '>=', value: 1.5 },
        reference: { name: '2 workers', value: twoRate, unit: 'events/s' },
        notes: '2 cores shared with the publisher, the NATS server and other sessions',
      },
      {
        name: 'JetStream path cost per event vs in-process (1 worker)',
        value: inProcessRate / oneRate,
        unit: '×',
        target: { op: '<=', value: 3 },
        reference: inProcessRef,
      },
      {
        name: 'broker ceiling: acked publishes of 128 B, 256 in flight',
        value: smallMsgs,
        unit: 'msg/s',
      },
      {
        name: 'broker ceiling: acked publishes of 256 KiB, 256 in flight',
        value: (packedMsgs * 256 * 1024) / 2 ** 20,
        unit: 'MiB/s',
      },
    ],
  });
} finally {
  await nc.close();
}
