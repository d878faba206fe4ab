/**
 * FIX acceptor throughput: a QuickFIX/C++ initiator (test/fix/quickfix/init.cpp, built from
 * Debian's libquickfix-dev) sends 200k fill execution reports as fast as it can; the
 * acceptor parses them (jspurefix), checks frame and sequence, maps them to trades and
 * hands them to a real engine. Measured from the first execution report's arrival to the
 * last one's event, at the acceptor.
 *
 * Reference: the same acceptor with a sink that drops the events (session layer + mapping only).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngineFromConfig } from '../src/config';
import type { MarketEvent } from '../src/core/events';
import { startFixAcceptor } from '../src/ingest/fix/fix-acceptor';
import { buildInitiator, QuickFixInitiator } from '../test/fix/quickfix';
import { emit } from './lib/result';

const N = Number(process.env.TW_BENCH_FIX_N ?? 200_000);
const binary = buildInitiator();

async function run(withEngine: boolean): Promise<number> {
  const engine = createEngineFromConfig();
  let received = 0;
  let firstAt = 0;
  let lastAt = 0;
  const dir = mkdtempSync(join(tmpdir(), 'tw-bench-fix-'));
  const fix = await startFixAcceptor({
    config: {
      port: 0,
      senderCompId: 'TW',
      targetCompId: 'VENUE',
      venue: 'bench',
      storeDir: join(dir, 'store'),
    },
    sink: (events: MarketEvent[]) => {
      if (received === 0) firstAt = performance.now();
      received += events.length;
      if (withEngine) for (let i = 0; i < events.length; i++) engine.process(events[i] as MarketEvent);
      if (received >= N) lastAt = performance.now();
    },
  });
  const venue = QuickFixInitiator.start({
    binary,
    port: fix.port,
    sender: 'VENUE',
    target: 'TW',
    dir,
    nullStore: true,
  });
  await venue.waitLine('LOGGED_ON');
  await venue.command(`burst ${N} BTC-USD`, 600_000);
  const deadline = Date.now() + 600_000;
  while (received < N && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  await venue.quit();
  await fix.close();
  if (received !== N) throw new Error(`expected ${N} events, got ${received}`);
  if (fix.counters.duplicates !== 0 || fix.counters.garbled !== 0)
    throw new Error('unexpected duplicates or garbled');
  return N / ((lastAt - firstAt) / 1000);
}

const reference = await run(false);
const full = await run(true);

emit({
  bench: 'fix-acceptor',
  command: 'npm run bench -- fix (bench/fix-acceptor.ts)',
  metrics: [
    {
      name: 'FIX acceptor: QuickFIX/C++ execution reports → engine, 200k messages',
      value: full,
      unit: 'msg/s',
      target: { op: '>=', value: 50_000 },
      reference: { name: 'same, events dropped (session + mapping only)', value: reference, unit: 'msg/s' },
      notes: 'includes the QuickFIX initiator sending on the same machine',
    },
  ],
});
