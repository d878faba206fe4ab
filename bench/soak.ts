/**
 * `npm run soak`: a long run through gRPC with subscribers attached, watching memory and
 * the event loop. Not part of `npm test`.
 *
 *   npm run soak                                # one hour at 100k events/s
 *   npm run soak -- --minutes 10 --rate 50000   # shorter or slower
 *
 * A server process (default detectors) takes a paced synthetic feed from a second
 * process. This process attaches three subscribers: one reading every trade, one reading a
 * trade every 50 ms (far slower than the feed: its buffer must drop the oldest rather than
 * hold the server back) and one following signals. Every sample records the server's RSS,
 * heap and event-loop delay. Memory counts as flat when the least-squares trend of RSS after
 * a warm-up (the first fifth) adds less than 5% of its mean (or 16 MB) over the run.
 * Results go to docs/SOAK.md.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { connect } from '../src/grpc/client';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '60' },
    rate: { type: 'string', default: '100000' },
    'sample-seconds': { type: 'string', default: '10' },
    out: { type: 'string', default: 'docs/SOAK.md' },
  },
});
const minutes = Number(values.minutes);
const rate = Number(values.rate);
const sampleSeconds = Number(values['sample-seconds']);

interface Sample {
  seconds: number;
  events: number;
  signals: number;
  restingOrders: number;
  subscriberDrops: number;
  rssMb: number;
  heapMb: number;
  lagP99Ms: number;
  lagMaxMs: number;
}

function tsx(file: string, args: string[], env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', file, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ...env },
  });
}

const samples: Sample[] = [];
const server = tsx('bench/soak/server.ts', [], { SAMPLE_MS: String(sampleSeconds * 1000) });
const port = await new Promise<number>((resolve) => {
  createInterface({ input: server.stdout as NodeJS.ReadableStream }).on('line', (line) => {
    const msg = JSON.parse(line) as { port?: number; sample?: Sample };
    if (msg.port !== undefined) resolve(msg.port);
    if (msg.sample !== undefined) {
      samples.push(msg.sample);
      const s = msg.sample;
      process.stderr.write(
        `${(s.seconds / 60).toFixed(1)} min: ${(s.events / 1e6).toFixed(1)}M events, RSS ${s.rssMb.toFixed(0)} MB, heap ${s.heapMb.toFixed(0)} MB, loop p99 ${s.lagP99Ms.toFixed(1)} ms, drops ${s.subscriberDrops}\n`,
      );
    }
  });
});
const target = `127.0.0.1:${port}`;

// Subscribers.
const client = connect(target);
let fastTrades = 0;
let slowTrades = 0;
let signals = 0;
let running = true;
const fast = (async () => {
  for await (const _ of client.trades()) {
    fastTrades++;
    if (!running) break;
  }
})();
const slow = (async () => {
  for await (const _ of client.trades()) {
    slowTrades++;
    if (!running) break;
    await new Promise((r) => setTimeout(r, 50));
  }
})();
const sig = (async () => {
  for await (const _ of client.signals()) {
    signals++;
    if (!running) break;
  }
})();
await new Promise((r) => setTimeout(r, 500));

const feed = tsx('bench/soak/ingest.ts', [target, String(rate), String(minutes * 60)]);
const fed = await new Promise<{ sent: number; seconds: number }>((resolve) => {
  createInterface({ input: feed.stdout as NodeJS.ReadableStream }).once('line', (l) =>
    resolve(JSON.parse(l)),
  );
});
await new Promise((r) => setTimeout(r, (sampleSeconds + 1) * 1000));
running = false;
client.close();
server.kill('SIGTERM');
await Promise.allSettled([fast, slow, sig]);

// Verdict.
const warm = samples.slice(Math.floor(samples.length / 5));
const n = warm.length;
const meanT = warm.reduce((a, s) => a + s.seconds, 0) / n;
const meanR = warm.reduce((a, s) => a + s.rssMb, 0) / n;
const slope =
  warm.reduce((a, s) => a + (s.seconds - meanT) * (s.rssMb - meanR), 0) /
  Math.max(
    1e-9,
    warm.reduce((a, s) => a + (s.seconds - meanT) ** 2, 0),
  );
const span = n > 1 ? (warm.at(-1) as Sample).seconds - (warm[0] as Sample).seconds : 0;
const trendMb = slope * span;
const flat = trendMb < Math.max(16, 0.05 * meanR);
const achieved = fed.sent / fed.seconds;
const maxP99 = Math.max(...samples.map((s) => s.lagP99Ms));
const last = samples.at(-1) as Sample;
const keeping = achieved >= 0.95 * rate;

const everyRow = Math.max(1, Math.round(60 / sampleSeconds));
const rows = samples
  .filter((_, i) => i % everyRow === everyRow - 1 || i === samples.length - 1)
  .map(
    (s) =>
      `| ${(s.seconds / 60).toFixed(1)} | ${(s.events / 1e6).toFixed(2)}M | ${s.rssMb.toFixed(0)} | ${s.heapMb.toFixed(0)} | ${s.lagP99Ms.toFixed(1)} | ${s.lagMaxMs.toFixed(1)} | ${s.restingOrders} | ${s.subscriberDrops} |`,
  );
const report = `# Soak run

Command: \`npm run soak -- --minutes ${minutes} --rate ${rate}\` · ${new Date().toISOString().slice(0, 10)} ·
${cpus()[0]?.model ?? 'CPU'} × ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}.

A synthetic feed (20 instruments, 500 accounts) paced at ${rate.toLocaleString('en')} events/s went through gRPC
into a server with the default detectors for ${minutes} minutes, with three subscribers attached: one
reading every trade, one reading a trade every 50 ms, one following signals.

| | |
|---|---|
| events sent / achieved rate | ${fed.sent.toLocaleString('en')} / ${Math.round(achieved).toLocaleString('en')} events/s (${keeping ? 'kept up' : 'fell behind the target rate'}) |
| RSS after warm-up | mean ${meanR.toFixed(0)} MB, least-squares trend ${trendMb >= 0 ? '+' : ''}${trendMb.toFixed(1)} MB over ${(span / 60).toFixed(1)} min: **${flat ? 'flat' : 'GROWING'}** |
| event-loop delay | worst 10 s p99 ${maxP99.toFixed(1)} ms |
| subscribers | fast: ${fastTrades.toLocaleString('en')} trades · slow: ${slowTrades.toLocaleString('en')} trades, ${last.subscriberDrops.toLocaleString('en')} dropped from its buffer (counted) · signals: ${signals} |

| minute | events | RSS MB | heap MB | loop p99 ms | loop max ms | resting orders | subscriber drops |
|---|---|---|---|---|---|---|---|
${rows.join('\n')}
`;
writeFileSync(values.out as string, report);
process.stderr.write(`wrote ${values.out}\n`);
process.stdout.write(`${JSON.stringify({ achieved, trendMb, flat, maxP99, keeping })}\n`);
if (!flat || !keeping) process.exitCode = 1;
