/**
 * One partition worker process for bench/scale.ts: the built-in detectors of the default
 * configuration, checkpoints every 100 ms so the end of the run is seen promptly. Prints
 * `ready` once consuming; stops on SIGTERM.
 */
import { defaultConfig } from '../../src/config';
import { NatsPartitionWorker } from '../../src/ingest/nats/nats-worker';
import { topologyForPrefix } from '../../src/ingest/nats/topology';
import { specFromConfig } from '../../src/scale/partition-spec';

const [prefix, partition, partitions] = process.argv.slice(2);
const worker = await NatsPartitionWorker.start({
  servers: 'nats://127.0.0.1:4222',
  partition: Number(partition),
  partitions: Number(partitions),
  spec: specFromConfig(defaultConfig()),
  topology: topologyForPrefix(prefix as string),
  checkpointIntervalMs: 100,
  checkpointEveryMessages: 200,
  fetchMessages: 64,
  publishSignals: true,
});
process.stdout.write('ready\n');
process.once('SIGTERM', () => {
  void worker.stop().then((s) => {
    process.stdout.write(`${JSON.stringify(s)}\n`);
    process.exit(0);
  });
});
