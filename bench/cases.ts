/**
 * Case store throughput: signal-to-case upserts per second. 20 000 signals over 4 000
 * (owner, instrument) pairs (5 signals per case, so creates and merges both count) go
 * through the CaseManager and into the store in batches of 500, one transaction each, the
 * way CaseService flushes. The rate counts drafts written per wall second, manager included.
 * SQLite runs on a temp file in WAL mode; PostgreSQL on the local test database in a
 * throwaway schema.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { CaseManager } from '../src/cases/case-manager';
import type { CaseStore } from '../src/cases/store/case-store';
import { PostgresCaseStore } from '../src/cases/store/postgres-store';
import { SqliteCaseStore } from '../src/cases/store/sqlite-store';
import type { CaseDraft } from '../src/cases/types';
import type { Signal } from '../src/core/signal';
import { type BenchMetric, emit } from './lib/result';

const SIGNALS = 20_000;
const PAIRS = 4_000;
const BATCH = 500;
const PG_URL = process.env['TAPEWATCH_TEST_PG'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const T0 = 1_700_000_000_000_000;

function signal(i: number): Signal {
  const pair = i % PAIRS;
  const round = Math.floor(i / PAIRS);
  const start = T0 + round * 10_000_000 + pair;
  return {
    id: `sig-${i}`,
    detector: 'spoofing',
    version: '1',
    typology: 'spoofing',
    venue: 'bench',
    instrument: `I${pair % 50}`,
    accounts: [`acct-${pair}`],
    owners: [`owner-${pair}`],
    window: { start, end: start + 2_000_000 },
    score: 0.7,
    severity: 'medium',
    metrics: { cancelRatio: 0.9, orders: 12 },
    evidence: [
      {
        kind: 'order_new',
        ts: start,
        venue: 'bench',
        instrument: `I${pair % 50}`,
        id: `o-${i}`,
        account: `acct-${pair}`,
        side: 'sell',
        price: 100,
        qty: 5,
      },
    ],
    explanation: `Account acct-${pair} placed 12 sell orders and cancelled 90% within 1.5 s.`,
    emittedAt: start + 2_000_000,
  };
}

async function measure(store: CaseStore): Promise<{ rate: number; drafts: number; ms: number }> {
  await store.init();
  const manager = new CaseManager();
  let drafts = 0;
  let pending: CaseDraft[] = [];
  const t0 = performance.now();
  for (let i = 0; i < SIGNALS; i++) {
    for (const d of manager.onSignal(signal(i))) pending.push(d);
    if (pending.length >= BATCH) {
      drafts += pending.length;
      await store.upsert(pending);
      pending = [];
    }
  }
  if (pending.length > 0) {
    drafts += pending.length;
    await store.upsert(pending);
  }
  const ms = performance.now() - t0;
  const total = (await store.query({ limit: 1 })).total;
  if (total !== PAIRS) throw new Error(`expected ${PAIRS} cases, found ${total}`);
  return { rate: drafts / (ms / 1000), drafts, ms };
}

const metrics: BenchMetric[] = [];
const dir = mkdtempSync(join(tmpdir(), 'tapewatch-bench-cases-'));
try {
  const sqlite = new SqliteCaseStore(join(dir, 'bench.db'));
  const r = await measure(sqlite);
  await sqlite.close();
  metrics.push({
    name: 'SQLite store: signal-to-case upserts (batches of 500)',
    value: Math.round(r.rate),
    unit: 'upserts/s',
    target: { op: '>=', value: 20_000 },
    notes: `${r.drafts} drafts → ${PAIRS} cases in ${r.ms.toFixed(0)} ms, WAL, one transaction per batch`,
  });
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const schema = `tw_bench_${process.pid}`;
try {
  const store = new PostgresCaseStore({ connectionString: PG_URL, schema, maxConnections: 2 });
  const r = await measure(store);
  await store.close();
  metrics.push({
    name: 'PostgreSQL store: signal-to-case upserts (batches of 500)',
    value: Math.round(r.rate),
    unit: 'upserts/s',
    target: { op: '>=', value: 5_000 },
    notes: `${r.drafts} drafts → ${PAIRS} cases in ${r.ms.toFixed(0)} ms, unnest INSERT/UPDATE under FOR UPDATE`,
  });
} finally {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
}

emit({ bench: 'cases', command: 'npm run bench -- cases', metrics });
