import { fileURLToPath } from 'node:url';
import { jetstream } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KvCheckpointStore } from '../../src/ingest/nats/checkpoint-store';
import { NatsPartitionWorker } from '../../src/ingest/nats/nats-worker';
import { NatsEventPublisher } from '../../src/ingest/nats/publisher';
import { eventSubject, type NatsTopology } from '../../src/ingest/nats/topology';
import { scaleStream } from './events';
import {
  byId,
  connectTest,
  NATS_URL,
  publish,
  removeTopology,
  singleEngineSignals,
  storedSignals,
  TcpProxy,
  uniqueTopology,
  waitFor,
} from './nats-harness';

const DETECTORS = fileURLToPath(new URL('./detectors.ts', import.meta.url));
const events = scaleStream(4_000, 31, 8, 0);
const expected = singleEngineSignals(events);

function startWorkers(t: NatsTopology, partitions: number, servers = NATS_URL) {
  return Promise.all(
    Array.from({ length: partitions }, (_, partition) =>
      NatsPartitionWorker.start({
        servers,
        partition,
        partitions,
        spec: { detectors: { kind: 'module', module: DETECTORS } },
        topology: t,
        checkpointEveryMessages: 5,
      }),
    ),
  );
}

async function coveredAll(nc: NatsConnection, t: NatsTopology, lastSeq: readonly number[]): Promise<boolean> {
  const store = new KvCheckpointStore(await new Kvm(nc).open(t.checkpointBucket), t.eventStream);
  for (let p = 0; p < lastSeq.length; p++)
    if ((await store.coveredSeq(p)) < (lastSeq[p] as number)) return false;
  return true;
}

describe('partition workers on NATS JetStream', () => {
  let nc: NatsConnection;
  const topologies: NatsTopology[] = [];
  const fresh = () => {
    const t = uniqueTopology();
    topologies.push(t);
    return t;
  };

  beforeAll(async () => {
    nc = await connectTest();
    expect(expected.length).toBeGreaterThan(20);
    expect(new Set(expected.map((s) => s.id)).size).toBe(expected.length);
  });
  afterAll(async () => {
    for (const t of topologies) await removeTopology(nc, t);
    await nc.close();
  });

  it.each([1, 2, 4])('%i worker(s) produce exactly the single engine signal set', async (partitions) => {
    const t = fresh();
    const published = await publish(nc, t, partitions, events);
    expect(published.events).toBe(events.length);
    const workers = await startWorkers(t, partitions);
    try {
      await waitFor(() => coveredAll(nc, t, published.lastSeq), 20_000, 'every partition checkpointed');
    } finally {
      for (const w of workers) await w.stop();
    }
    const stored = await storedSignals(nc, t);
    expect(stored.sort(byId)).toEqual(expected);
    const stats = workers.map((w) => w.stats());
    expect(stats.reduce((n, s) => n + s.events, 0)).toBe(events.length);
    expect(stats.every((s) => s.undecodable === 0 && s.checkpoints > 0)).toBe(true);
  });

  it('publishing the same run again is deduplicated by the server', async () => {
    const t = fresh();
    const first = await publish(nc, t, 2, events.slice(0, 1_500), { runId: 'again' });
    const second = await publish(nc, t, 2, events.slice(0, 1_500), { runId: 'again' });
    expect(second.duplicates).toBe(second.messages);
    expect(second.lastSeq).toEqual(first.lastSeq);
  });

  it('skips and counts a message that is not a batch, and still produces the full set', async () => {
    const t = fresh();
    const first = await publish(nc, t, 1, []); // creates the streams
    expect(first.messages).toBe(0);
    await jetstream(nc).publish(eventSubject(t, 0), 'this is not a batch');
    const published = await publish(nc, t, 1, events);
    const [worker] = await startWorkers(t, 1);
    try {
      await waitFor(() => coveredAll(nc, t, published.lastSeq), 20_000, 'partition checkpointed');
    } finally {
      await worker?.stop();
    }
    expect(worker?.stats().undecodable).toBe(1);
    expect((await storedSignals(nc, t)).sort(byId)).toEqual(expected);
  });

  it('survives the connection being cut and restored mid-stream', async () => {
    const t = fresh();
    const proxy = new TcpProxy();
    await proxy.start();
    const publisher = await NatsEventPublisher.create({
      nc,
      partitions: 2,
      runId: 'cut',
      topology: t,
      batchOps: 100,
    });
    await publisher.publishBatch(events.slice(0, 2_000));
    await publisher.sync();
    const workers = await startWorkers(t, 2, proxy.url);
    try {
      await waitFor(() => workers.every((w) => w.stats().checkpoints > 0), 20_000, 'progress before the cut');
      await proxy.cut();
      // The rest of the stream arrives while the workers are cut off.
      await publisher.publishBatch(events.slice(2_000));
      const published = await publisher.end();
      await new Promise((r) => setTimeout(r, 500));
      await proxy.restore();
      await waitFor(
        () => coveredAll(nc, t, published.lastSeq),
        30_000,
        'every partition checkpointed after the cut',
      );
    } finally {
      for (const w of workers) await w.stop();
      await proxy.cut();
    }
    expect(workers.some((w) => w.stats().consumerResets >= 2)).toBe(true);
    expect((await storedSignals(nc, t)).sort(byId)).toEqual(expected);
  });
});
