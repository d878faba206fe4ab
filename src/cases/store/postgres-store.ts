/**
 * The shared store for several engines and workers: PostgreSQL through a `pg` pool. Upserts
 * lock the rows they merge (`SELECT … FOR UPDATE`), so two workers folding the same case
 * serialise and the second sees the first's signals: cases stay exactly-once across workers.
 *
 * @module
 */
import pg from 'pg';
import { CaseNotFoundError, ConflictError, InvalidCaseActionError } from '../errors';
import { mergeDraft } from '../merge';
import type { Case, CaseDraft, CasePage, CaseQuery, Suppression, UpsertResult } from '../types';
import { assertAuditAppendOnly } from '../workflow';
import { type CaseStore, normalizeQuery, pageOf } from './case-store';
import { CASE_COLUMNS, caseRow, type SuppressionRow, sqlFilter, suppressionOf } from './sql';

/** Options of {@link PostgresCaseStore}. */
export interface PostgresCaseStoreOptions {
  /** `postgres://user@host:5432/db`. */
  connectionString: string;
  /** Schema holding the tables (created when missing). Default `tapewatch`. */
  schema?: string;
  /** Pool size. Default 10. */
  maxConnections?: number;
  /** Attempts of an upsert batch that raced another writer inserting the same new case. Default 5. */
  maxRetries?: number;
}

/** PostgreSQL array types of {@link CASE_COLUMNS}, for `unnest`. */
const COLUMN_TYPES: Readonly<Record<(typeof CASE_COLUMNS)[number] | 'id', string>> = {
  id: 'text',
  version: 'integer',
  state: 'text',
  typology: 'text',
  instrument: 'text',
  owner: 'text',
  assignee: 'text',
  score: 'double precision',
  window_start: 'bigint',
  window_end: 'bigint',
  updated_at: 'bigint',
  doc: 'text',
};

const ALL_COLUMNS = ['id', ...CASE_COLUMNS] as const;

/** Thrown inside a transaction when another writer inserted one of our new cases first. */
class InsertRaceError extends Error {}

/** Migrations in order; each runs once per schema under an advisory lock. */
function migrations(t: (name: string) => string): { version: number; name: string; sql: string }[] {
  return [
    {
      version: 1,
      name: 'cases and suppressions',
      sql: `
        CREATE TABLE ${t('cases')} (
          id TEXT PRIMARY KEY,
          version INTEGER NOT NULL,
          state TEXT NOT NULL,
          typology TEXT NOT NULL,
          instrument TEXT NOT NULL,
          owner TEXT NOT NULL,
          assignee TEXT,
          score DOUBLE PRECISION NOT NULL,
          window_start BIGINT NOT NULL,
          window_end BIGINT NOT NULL,
          updated_at BIGINT NOT NULL,
          doc TEXT NOT NULL
        );
        CREATE INDEX ON ${t('cases')} (window_start DESC, id COLLATE "C");
        CREATE INDEX ON ${t('cases')} (score DESC, id COLLATE "C");
        CREATE INDEX ON ${t('cases')} (state, window_start DESC);
        CREATE INDEX ON ${t('cases')} (owner, window_start DESC);
        CREATE INDEX ON ${t('cases')} (instrument, window_start DESC);
        CREATE INDEX ON ${t('cases')} (assignee, window_start DESC);
        CREATE TABLE ${t('suppressions')} (
          owner TEXT NOT NULL,
          typology TEXT NOT NULL,
          case_id TEXT NOT NULL,
          until BIGINT NOT NULL,
          actor TEXT NOT NULL,
          at BIGINT NOT NULL,
          PRIMARY KEY (owner, typology, case_id)
        );
      `,
    },
  ];
}

/**
 * A {@link CaseStore} in PostgreSQL. Documents are kept as JSON text (not `jsonb`, which
 * cannot hold the `\u0000` a hostile account name may carry).
 *
 * @example
 * ```ts
 * const store = new PostgresCaseStore({ connectionString: 'postgres://127.0.0.1/tapewatch', schema: 'desk1' });
 * await store.init();
 * ```
 */
export class PostgresCaseStore implements CaseStore {
  readonly kind = 'postgres';
  readonly schema: string;
  private readonly pool: pg.Pool;
  private readonly maxRetries: number;
  private readonly cases: string;
  private readonly suppressionTable: string;

  constructor(options: PostgresCaseStoreOptions) {
    const schema = options.schema ?? 'tapewatch';
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema)) {
      throw new InvalidCaseActionError(
        'schema',
        schema,
        'a PostgreSQL identifier: letters, digits and _, at most 63',
      );
    }
    this.schema = schema;
    this.pool = new pg.Pool({
      connectionString: options.connectionString,
      max: options.maxConnections ?? 10,
    });
    // An idle client's error (server restart) must not crash the process; the next query reconnects.
    this.pool.on('error', () => {});
    this.maxRetries = options.maxRetries ?? 5;
    this.cases = this.table('cases');
    this.suppressionTable = this.table('suppressions');
  }

  private table(name: string): string {
    return `"${this.schema}"."${name}"`;
  }

  async init(): Promise<void> {
    await this.transaction(async (client) => {
      // Serialise concurrent migrators of this schema (several workers starting at once).
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`tapewatch:${this.schema}`]);
      await client.query(`CREATE SCHEMA IF NOT EXISTS "${this.schema}"`);
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${this.table('tapewatch_migrations')} (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`,
      );
      const { rows } = await client.query<{ v: number | null }>(
        `SELECT MAX(version) AS v FROM ${this.table('tapewatch_migrations')}`,
      );
      const current = rows[0]?.v ?? 0;
      for (const m of migrations((n) => this.table(n))) {
        if (m.version <= current) continue;
        await client.query(m.sql);
        await client.query(
          `INSERT INTO ${this.table('tapewatch_migrations')} (version, name) VALUES ($1, $2)`,
          [m.version, m.name],
        );
      }
    });
  }

  /** The schema version applied. */
  async schemaVersion(): Promise<number> {
    const { rows } = await this.pool.query<{ v: number | null }>(
      `SELECT MAX(version) AS v FROM ${this.table('tapewatch_migrations')}`,
    );
    return rows[0]?.v ?? 0;
  }

  private async transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }

  /**
   * Applies a batch in one transaction: locks the existing rows, merges in memory, then one
   * multi-row INSERT for new cases and one multi-row UPDATE for changed ones. When another
   * writer inserted one of the new cases first, the whole batch is retried (merges are idempotent).
   */
  async upsert(drafts: readonly CaseDraft[]): Promise<UpsertResult[]> {
    if (drafts.length === 0) return [];
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.transaction((client) => this.upsertIn(client, drafts));
      } catch (error) {
        if (!(error instanceof InsertRaceError) || attempt >= this.maxRetries) throw error;
      }
    }
  }

  private async upsertIn(client: pg.PoolClient, drafts: readonly CaseDraft[]): Promise<UpsertResult[]> {
    const ids = [...new Set(drafts.map((d) => d.id))].sort();
    const { rows } = await client.query<{ doc: string }>(
      `SELECT doc FROM ${this.cases} WHERE id = ANY($1::text[]) ORDER BY id COLLATE "C" FOR UPDATE`,
      [ids],
    );
    const stored = new Map<string, Case>();
    for (const r of rows) {
      const c = JSON.parse(r.doc) as Case;
      stored.set(c.id, c);
    }
    const staged = new Map<string, Case>();
    const results: UpsertResult[] = [];
    for (const draft of drafts) {
      const outcome = mergeDraft(staged.get(draft.id) ?? stored.get(draft.id), draft);
      if (outcome.changed) staged.set(draft.id, outcome.case);
      results.push({
        case: structuredClone(outcome.case),
        created: outcome.created,
        changed: outcome.changed,
      });
    }
    const inserts: Case[] = [];
    const updates: Case[] = [];
    for (const c of staged.values()) (stored.has(c.id) ? updates : inserts).push(c);
    if (inserts.length > 0) {
      const { rowCount } = await client.query(
        `INSERT INTO ${this.cases} (${ALL_COLUMNS.join(', ')}) SELECT * FROM ${this.unnest(1)}
         ON CONFLICT (id) DO NOTHING`,
        this.columnArrays(inserts),
      );
      if (rowCount !== inserts.length) throw new InsertRaceError('a new case was inserted concurrently');
    }
    if (updates.length > 0) {
      await client.query(
        `UPDATE ${this.cases} AS c SET ${CASE_COLUMNS.map((col) => `${col} = u.${col}`).join(', ')}
         FROM ${this.unnest(1)} WHERE c.id = u.id`,
        this.columnArrays(updates),
      );
    }
    return results;
  }

  /** `unnest($n::text[], …) AS u(id, …)` over every column. */
  private unnest(first: number): string {
    const args = ALL_COLUMNS.map((col, i) => `$${first + i}::${COLUMN_TYPES[col]}[]`);
    return `unnest(${args.join(', ')}) AS u(${ALL_COLUMNS.join(', ')})`;
  }

  private columnArrays(cases: readonly Case[]): unknown[][] {
    const arrays: unknown[][] = ALL_COLUMNS.map(() => []);
    for (const c of cases) {
      const row = caseRow(c);
      for (let i = 0; i < row.length; i++) (arrays[i] as unknown[]).push(row[i]);
    }
    return arrays;
  }

  async get(id: string): Promise<Case | undefined> {
    const { rows } = await this.pool.query<{ doc: string }>(`SELECT doc FROM ${this.cases} WHERE id = $1`, [
      id,
    ]);
    const row = rows[0];
    return row === undefined ? undefined : (JSON.parse(row.doc) as Case);
  }

  async query(query?: CaseQuery): Promise<CasePage> {
    const q = normalizeQuery(query);
    const f = sqlFilter(q, (n) => `$${n}`, ' COLLATE "C"');
    const n = f.params.length;
    const [count, page] = await Promise.all([
      this.pool.query<{ n: string }>(`SELECT COUNT(*) AS n FROM ${this.cases} ${f.where}`, f.params),
      this.pool.query<{ doc: string }>(
        `SELECT doc FROM ${this.cases} ${f.where} ORDER BY ${f.orderBy} LIMIT $${n + 1} OFFSET $${n + 2}`,
        [...f.params, q.limit, q.offset],
      ),
    ]);
    return pageOf(
      page.rows.map((r) => JSON.parse(r.doc) as Case),
      Number(count.rows[0]?.n ?? 0),
      q,
    );
  }

  async update(next: Case, expectedVersion: number): Promise<Case> {
    return this.transaction(async (client) => {
      const { rows } = await client.query<{ doc: string }>(
        `SELECT doc FROM ${this.cases} WHERE id = $1 FOR UPDATE`,
        [next.id],
      );
      const row = rows[0];
      if (row === undefined) throw new CaseNotFoundError(next.id);
      const stored = JSON.parse(row.doc) as Case;
      if (stored.version !== expectedVersion)
        throw new ConflictError(next.id, expectedVersion, stored.version);
      assertAuditAppendOnly(stored.audit, next.audit);
      const written: Case = { ...next, version: expectedVersion + 1 };
      const values = caseRow(written);
      await client.query(
        `UPDATE ${this.cases} SET ${CASE_COLUMNS.map((col, i) => `${col} = $${i + 2}`).join(', ')} WHERE id = $1`,
        values,
      );
      return structuredClone(written);
    });
  }

  async addSuppression(s: Suppression): Promise<void> {
    await this.pool.query(
      `INSERT INTO ${this.suppressionTable} (owner, typology, case_id, until, actor, at) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (owner, typology, case_id) DO UPDATE SET until = EXCLUDED.until, actor = EXCLUDED.actor, at = EXCLUDED.at`,
      [s.owner, s.typology, s.caseId, s.until, s.actor, s.at],
    );
  }

  async suppressions(now?: number): Promise<Suppression[]> {
    const where = now === undefined ? '' : 'WHERE until > $1';
    const { rows } = await this.pool.query<SuppressionRow>(
      `SELECT owner, typology, case_id, until, actor, at FROM ${this.suppressionTable} ${where}
       ORDER BY at, case_id COLLATE "C", owner COLLATE "C", typology COLLATE "C"`,
      now === undefined ? [] : [now],
    );
    return rows.map(suppressionOf);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
