/**
 * gRPC ingest through the full pipeline, from separate client processes:
 * - the TS SDK (target ≥ 300k events/s) and Python grpcio from Debian (target ≥ 100k
 *   events/s), each ingesting into a fresh server process with the default detectors;
 * - event → signal latency at 50k events/s, client-side with SubscribeSignals
 *   (target p99 < 20 ms).
 * Reference: the same events through the same app in-process (validation + engine),
 * i.e. what the network and protobuf path costs.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { defaultConfig, detectorsFromConfig } from '../src/config';
import { createEngine } from '../src/engine/engine';
import { TapewatchApp } from '../src/service/app';
import { emit } from './lib/result';
import { syntheticEvents } from './synthetic';

const N_TS = 1_000_000;
const N_PY = 300_000;

async function startServer(): Promise<{ child: ChildProcess; target: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/grpc/server.ts'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve) => {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).once('line', resolve);
  });
  return { child, target: `127.0.0.1:${(JSON.parse(line) as { port: number }).port}` };
}

function runJson(cmd: string, args: string[]): Record<string, number> {
  const out = execFileSync(cmd, args, {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 26,
  });
  return JSON.parse(out.trim().split('\n').at(-1) as string) as Record<string, number>;
}

// In-process reference.
const events = syntheticEvents({ events: N_TS, instruments: 5, accounts: 200, seed: 11 });
const raws = events.map((e) => ({ ...e }));
const app = new TapewatchApp({ engine: createEngine({ detectors: detectorsFromConfig(defaultConfig()) }) });
const t0 = performance.now();
for (let i = 0; i < raws.length; i += 4_000)
  app.ingest.ingest('ref', i / 4_000 + 1, raws.slice(i, i + 4_000));
const inProcess = N_TS / ((performance.now() - t0) / 1000);

let server = await startServer();
const ts = runJson(process.execPath, [
  '--import',
  'tsx',
  'bench/grpc/ts-ingest.ts',
  server.target,
  String(N_TS),
]);
server.child.kill('SIGTERM');

const stubs = mkdtempSync(join(tmpdir(), 'tw-pystubs-'));
execFileSync('protoc', [
  '-I',
  'proto',
  `--python_out=${stubs}`,
  `--grpc_out=${stubs}`,
  '--plugin=protoc-gen-grpc=/usr/bin/grpc_python_plugin',
  'proto/tapewatch/v1/events.proto',
  'proto/tapewatch/v1/signals.proto',
  'proto/tapewatch/v1/service.proto',
]);
server = await startServer();
const py = runJson('/usr/bin/python3', [
  'test/grpc/python/client.py',
  stubs,
  server.target,
  'none',
  'throughput',
  String(N_PY),
]);
server.child.kill('SIGTERM');

server = await startServer();
const latency = runJson(process.execPath, [
  '--import',
  'tsx',
  'bench/grpc/ts-latency.ts',
  server.target,
  '50000',
  '10',
]);
server.child.kill('SIGTERM');

const reference = { name: 'same events, same app, in-process', value: inProcess, unit: 'events/s' };
emit({
  bench: 'grpc-ingest',
  command: 'npm run bench (bench/grpc-ingest.ts)',
  metrics: [
    {
      name: 'gRPC ingest, TS SDK client process → server with default detectors',
      value: ts.eventsPerSecond as number,
      unit: 'events/s',
      target: { op: '>=', value: 300_000 },
      reference,
      notes: `${N_TS} synthetic events in batches of 4,000, 4 in flight; ${ts.accepted} accepted`,
    },
    {
      name: 'gRPC ingest, Python grpcio client process (Debian python3-grpcio)',
      value: py.eventsPerSecond as number,
      unit: 'events/s',
      target: { op: '>=', value: 100_000 },
      reference,
      notes: `${N_PY} events pre-built as protobuf messages, batches of 2,000; ${py.accepted} accepted`,
    },
    {
      name: 'event → signal latency p99 at 50k events/s (client-side, SubscribeSignals)',
      value: latency.p99 as number,
      unit: 'ms',
      target: { op: '<=', value: 20 },
      notes: `p50 ${(latency.p50 as number).toFixed(2)} ms, max ${(latency.max as number).toFixed(2)} ms; ${latency.received}/${latency.probes} probe signals received over 10 s; batches every 10 ms`,
    },
  ],
});
