import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll } from 'vitest';
import { MemoryCaseStore } from '../../src/cases/store/memory-store';
import { PostgresCaseStore } from '../../src/cases/store/postgres-store';
import { SqliteCaseStore } from '../../src/cases/store/sqlite-store';
import { caseStoreContract } from './store-contract';

/** The test PostgreSQL (trust auth); each store gets a schema of its own, dropped at the end. */
export const PG_URL = process.env['TAPEWATCH_TEST_PG'] ?? 'postgres://postgres@127.0.0.1:5432/test';

caseStoreContract('memory', async () => {
  const store = new MemoryCaseStore();
  await store.init();
  return store;
});

const dir = mkdtempSync(join(tmpdir(), 'tapewatch-cases-'));
let sqliteFiles = 0;
caseStoreContract('sqlite', async () => {
  const store = new SqliteCaseStore(join(dir, `cases-${++sqliteFiles}.db`));
  await store.init();
  return store;
});

const run = `tw_contract_${process.pid}_${Date.now().toString(36)}`;
const schemas: string[] = [];
caseStoreContract('postgres', async () => {
  const schema = `${run}_${schemas.length}`;
  schemas.push(schema);
  const store = new PostgresCaseStore({ connectionString: PG_URL, schema, maxConnections: 4 });
  await store.init();
  return store;
});

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
});
