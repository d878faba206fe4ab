import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import type { CaseStore } from '../../src/cases/store/case-store';
import { PostgresCaseStore } from '../../src/cases/store/postgres-store';
import { SqliteCaseStore } from '../../src/cases/store/sqlite-store';
import { replayAudit } from '../../src/cases/workflow';

const PG_URL = process.env['TAPEWATCH_TEST_PG'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const BATCH = 20;
const KILL_AFTER_BATCHES = 8;

/** Runs the writer until it has reported `batches` commits, then SIGKILLs it mid-write. */
async function killMidWrite(args: string[], batches: number): Promise<number> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', 'test/cases/crash-writer.ts', ...args],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let lastCommitted = -1;
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  await new Promise<void>((resolve, reject) => {
    let buffered = '';
    child.stdout?.on('data', (d: Buffer) => {
      buffered += d.toString();
      let nl = buffered.indexOf('\n');
      while (nl >= 0) {
        const m = /^committed (\d+)$/.exec(buffered.slice(0, nl));
        if (m) lastCommitted = Number(m[1]);
        buffered = buffered.slice(nl + 1);
        nl = buffered.indexOf('\n');
      }
      if (lastCommitted + 1 >= batches) {
        child.kill('SIGKILL');
        resolve();
      }
    });
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve();
      else reject(new Error(`writer exited early (${code}): ${stderr}`));
    });
  });
  await new Promise((r) =>
    child.exitCode !== null || child.signalCode !== null ? r(null) : child.once('exit', r),
  );
  return lastCommitted;
}

/** Every reported batch is complete, no batch is partial, every case is sound. */
async function expectNothingLost(store: CaseStore, lastCommitted: number): Promise<void> {
  const all = await store.query({ limit: 1000 });
  expect(all.total % BATCH).toBe(0);
  expect(all.total).toBeGreaterThanOrEqual((lastCommitted + 1) * BATCH);
  for (let b = 0; b <= lastCommitted; b++) {
    for (let j = 0; j < BATCH; j++) {
      const c = await store.get(`crash_${b}_${j}`);
      expect(c?.signals).toHaveLength(2);
      expect(replayAudit(c?.audit ?? []).state).toBe(c?.state);
    }
  }
  for (let b = 1; b <= lastCommitted; b++)
    expect((await store.get(`crash_${b - 1}_0`))?.state).toBe('triage');
}

describe('a writer killed mid-write', () => {
  it('loses no committed case and corrupts nothing in SQLite', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tapewatch-crash-'));
    const file = join(dir, 'cases.db');
    try {
      const lastCommitted = await killMidWrite(['sqlite', file], KILL_AFTER_BATCHES);
      const store = new SqliteCaseStore(file);
      await store.init();
      expect(store.integrityCheck()).toEqual(['ok']);
      await expectNothingLost(store, lastCommitted);
      await store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('loses no committed case and corrupts nothing in PostgreSQL', async () => {
    const schema = `tw_crash_${process.pid}_${Date.now().toString(36)}`;
    try {
      const lastCommitted = await killMidWrite(['postgres', PG_URL, schema], KILL_AFTER_BATCHES);
      const store = new PostgresCaseStore({ connectionString: PG_URL, schema, maxConnections: 2 });
      await store.init();
      await expectNothingLost(store, lastCommitted);
      await store.close();
    } finally {
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    }
  });
});
