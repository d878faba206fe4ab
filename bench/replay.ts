/**
 * JSONL replay: read, split, JSON.parse and zod-validate 1M synthetic events from a file,
 * delivering them to a no-op sink.
 *
 * Reference: JSON.parse alone over the same lines held in memory.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { replayJsonl } from '../src/ingest/files/jsonl';
import { emit, median } from './lib/result';
import { syntheticEvents } from './synthetic';

const N = 1_000_000;
const dir = mkdtempSync(join(tmpdir(), 'tw-bench-replay-'));
const file = join(dir, 'events.jsonl');
writeFileSync(
  file,
  `${syntheticEvents({ events: N, seed: 7 })
    .map((e) => JSON.stringify(e))
    .join('\n')}\n`,
);
const bytes = readFileSync(file).length;

let sunk = 0;
const replayMs: number[] = [];
for (let run = 0; run < 4; run++) {
  const summary = await replayJsonl(file, () => {
    sunk++;
  });
  if (summary.accepted !== N) throw new Error(`expected ${N} events, got ${summary.accepted}`);
  if (run > 0) replayMs.push(summary.elapsedMs);
}

const lines = readFileSync(file, 'utf8').split('\n');
lines.pop();
const parseMs: number[] = [];
for (let run = 0; run < 4; run++) {
  const t0 = performance.now();
  let n = 0;
  for (let i = 0; i < lines.length; i++) if (JSON.parse(lines[i] as string).ts > 0) n++;
  if (run > 0) parseMs.push(performance.now() - t0);
  if (n !== N) throw new Error('parse reference miscounted');
}
rmSync(dir, { recursive: true, force: true });

emit({
  bench: 'replay',
  command: 'npm run bench (bench/replay.ts)',
  metrics: [
    {
      name: 'JSONL replay: read + parse + validate, 1M events',
      value: N / (median(replayMs) / 1000),
      unit: 'events/s',
      target: { op: '>=', value: 500_000 },
      reference: {
        name: 'JSON.parse only, lines in memory',
        value: N / (median(parseMs) / 1000),
        unit: 'events/s',
      },
      notes: `${(bytes / 1e6).toFixed(0)} MB file; median of 3 runs after 1 warm-up; ${sunk} events delivered in all`,
    },
  ],
});
