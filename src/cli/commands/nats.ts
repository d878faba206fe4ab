/**
 * `tapewatch publish` and `tapewatch worker`: the JetStream scale-out from the command line.
 *
 *   tapewatch publish day.jsonl --nats nats://127.0.0.1:4222 --partitions 4
 *   tapewatch worker --nats nats://127.0.0.1:4222 --partition 0 --partitions 4
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { createInterface } from 'node:readline';
import { connect } from '@nats-io/transport-node';
import type { MarketEvent } from '../../core/events';
import { parseJsonlLine } from '../../ingest/files/jsonl';
import { NatsPartitionWorker } from '../../ingest/nats/nats-worker';
import { NatsEventPublisher } from '../../ingest/nats/publisher';
import { topologyForPrefix } from '../../ingest/nats/topology';
import { type PartitionEngineSpec, routerOptionsOf, specFromConfig } from '../../scale/partition-spec';
import { type CliIo, UsageError } from '../io';
import { resolveConfig } from './replay';

/** Options shared by `publish` and `worker`. */
export interface NatsCommandOptions {
  nats: string;
  partitions: number;
  /** Subject/stream/bucket prefix (default `tw`). */
  prefix?: string;
  configPath?: string;
  /** A module exporting `createDetectors()`, instead of the configured detectors. */
  detectorModule?: string;
  json: boolean;
}

function specOf(options: NatsCommandOptions, io: CliIo): PartitionEngineSpec {
  const spec = specFromConfig(resolveConfig(options.configPath, io));
  return options.detectorModule === undefined
    ? spec
    : { ...spec, detectors: { kind: 'module', module: options.detectorModule } };
}

/** A run ID from the file's name, size and modification time: rerunning the same file deduplicates. */
export function defaultRunId(file: string): string {
  const st = statSync(file);
  const digest = createHash('sha256')
    .update(`${basename(file)}\u0000${st.size}\u0000${st.mtimeMs}`)
    .digest('hex');
  return `run-${digest.slice(0, 16)}`;
}

/** Publishes a JSONL file to the event partitions; prints per-partition last sequences. */
export async function runPublish(
  options: NatsCommandOptions & { file: string; runId?: string },
  io: CliIo,
): Promise<number> {
  if (!existsSync(options.file)) throw new UsageError(`no such file: ${options.file}`);
  const spec = specOf(options, io);
  const nc = await connect({ servers: options.nats });
  try {
    const publisher = await NatsEventPublisher.create({
      nc,
      partitions: options.partitions,
      runId: options.runId ?? defaultRunId(options.file),
      topology: topologyForPrefix(options.prefix ?? 'tw'),
      ...routerOptionsOf(spec),
    });
    const lines = createInterface({ input: createReadStream(options.file), crlfDelay: Infinity });
    let chunk: MarketEvent[] = [];
    let lineNo = 0;
    let rejected = 0;
    for await (const line of lines) {
      lineNo++;
      if (line.trim() === '') continue;
      const r = parseJsonlLine(line, `${options.file}:${lineNo}`);
      if (r.ok) chunk.push(r.event);
      else {
        rejected++;
        if (rejected <= 10) io.err(`${r.errors[0]?.message}\n`);
      }
      if (chunk.length >= 10_000) {
        await publisher.publishBatch(chunk);
        chunk = [];
      }
    }
    await publisher.publishBatch(chunk);
    const stats = await publisher.end();
    const summary = { ...stats, rejected, stream: publisher.topology.eventStream };
    if (options.json) io.out(`${JSON.stringify(summary)}\n`);
    else {
      io.out(
        `published ${stats.events} events in ${stats.messages} messages (${stats.duplicates} already stored) ` +
          `to ${publisher.topology.eventStream}; last sequence per partition: ${stats.lastSeq.join(', ')}` +
          `${rejected > 0 ? `; ${rejected} invalid line(s) skipped` : ''}\n`,
      );
    }
    return 0;
  } finally {
    await nc.close();
  }
}

/** Runs one partition worker until SIGINT/SIGTERM; prints its final counters. */
export async function runWorker(
  options: NatsCommandOptions & { partition: number },
  io: CliIo,
): Promise<number> {
  const worker = await NatsPartitionWorker.start({
    servers: options.nats,
    partition: options.partition,
    partitions: options.partitions,
    spec: specOf(options, io),
    topology: topologyForPrefix(options.prefix ?? 'tw'),
    onLog: (e) => io.err(`${e.level}: ${e.message}${e.error === undefined ? '' : ` (${String(e.error)})`}\n`),
  });
  const started = worker.stats();
  io.err(
    `worker ${options.partition}/${options.partitions} consuming ${worker.topology.prefix}.ev.${options.partition}, ` +
      `resuming after sequence ${started.restoredFromSeq}\n`,
  );
  if (options.json) io.out(`${JSON.stringify({ started })}\n`);
  const timer = setInterval(() => {
    if (options.json) io.out(`${JSON.stringify({ progress: worker.stats() })}\n`);
  }, 1_000);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  clearInterval(timer);
  const final = await worker.stop();
  if (options.json) io.out(`${JSON.stringify({ stopped: final })}\n`);
  else io.err(`stopped: ${JSON.stringify(final)}\n`);
  return 0;
}
