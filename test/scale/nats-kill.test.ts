import { type ChildProcess, spawn } from 'node:child_process';
import { Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KvCheckpointStore } from '../../src/ingest/nats/checkpoint-store';
import type { NatsWorkerStats } from '../../src/ingest/nats/nats-worker';
import { NatsEventPublisher } from '../../src/ingest/nats/publisher';
import { scaleStream } from './events';
import {
  byId,
  connectTest,
  NATS_URL,
  removeTopology,
  singleEngineSignals,
  storedSignals,
  uniqueTopology,
  waitFor,
} from './nats-harness';

/** A `tapewatch worker` child process, with its JSON lines collected. */
function spawnWorker(prefix: string, partition: number, partitions: number) {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'src/cli/main.ts',
      'worker',
      '--nats',
      NATS_URL,
      '--partition',
      String(partition),
      '--partitions',
      String(partitions),
      '--prefix',
      prefix,
      '--detectors',
      'test/scale/detectors.ts',
      '--json',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const lines: Record<string, NatsWorkerStats>[] = [];
  let buffered = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    let nl = buffered.indexOf('\n');
    while (nl >= 0) {
      lines.push(JSON.parse(buffered.slice(0, nl)));
      buffered = buffered.slice(nl + 1);
      nl = buffered.indexOf('\n');
    }
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, lines, exited, stderr: () => stderr };
}

describe('tapewatch worker killed with SIGKILL mid-stream', () => {
  let nc: NatsConnection;
  const t = uniqueTopology();
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    nc = await connectTest();
  });
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await removeTopology(nc, t);
    await nc.close();
  });

  it('restarts from its checkpoint: the final signal set is the single engine one, each signal once', {
    timeout: 150_000,
  }, async () => {
    const events = scaleStream(16_000, 41, 8, 0);
    const expected = singleEngineSignals(events);
    const publisher = await NatsEventPublisher.create({
      nc,
      partitions: 2,
      runId: 'kill',
      topology: t,
      batchOps: 40,
    });
    await publisher.publishBatch(events.slice(0, 12_000));
    await publisher.sync();

    const store = async () =>
      new KvCheckpointStore(await new Kvm(nc).create(t.checkpointBucket), t.eventStream);
    const first = [spawnWorker(t.prefix, 0, 2), spawnWorker(t.prefix, 1, 2)];
    children.push(...first.map((w) => w.child));
    // Kill partition 0's worker as soon as it has checkpointed once; partition 1 runs on.
    await waitFor(async () => (await (await store()).coveredSeq(0)) > 0, 60_000, 'a first checkpoint');
    first[0]?.child.kill('SIGKILL');
    expect(await first[0]?.exited).toBe(null);

    await publisher.publishBatch(events.slice(12_000));
    const published = await publisher.end();
    const restarted = spawnWorker(t.prefix, 0, 2);
    children.push(restarted.child);
    await waitFor(
      async () => {
        const s = await store();
        return (
          (await s.coveredSeq(0)) >= (published.lastSeq[0] as number) &&
          (await s.coveredSeq(1)) >= (published.lastSeq[1] as number)
        );
      },
      60_000,
      'both partitions checkpointed to the end',
    );
    for (const w of [restarted, first[1]]) w?.child.kill('SIGTERM');
    await Promise.all([restarted.exited, first[1]?.exited]);

    const started = restarted.lines.find((l) => l.started)?.started;
    expect(started?.restoredFromSeq).toBeGreaterThan(0);
    expect(started?.restoredFromSeq).toBeLessThan(published.lastSeq[0] as number);
    const stopped = restarted.lines.find((l) => l.stopped)?.stopped;
    expect(stopped?.lastSeq).toBe(published.lastSeq[0]);

    const stored = await storedSignals(nc, t);
    expect(new Set(stored.map((s) => s.id)).size).toBe(stored.length);
    expect(stored.sort(byId)).toEqual(expected);
  });
});
