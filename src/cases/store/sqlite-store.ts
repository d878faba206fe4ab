/**
 * The embedded default store: one SQLite file through better-sqlite3, in WAL mode so readers
 * (the CLI, the viewer) never block the writer (the engine).
 *
 * @module
 */
import Database from 'better-sqlite3';
import { CaseNotFoundError, ConflictError } from '../errors';
import { mergeDraft } from '../merge';
import type { Case, CaseDraft, CasePage, CaseQuery, Suppression, UpsertResult } from '../types';
import { assertAuditAppendOnly } from '../workflow';
import { type CaseStore, normalizeQuery, pageOf } from './case-store';
import { CASE_COLUMNS, caseRow, type SuppressionRow, sqlFilter, suppressionOf } from './sql';

/** Schema migrations, applied in order once each; never edit a released one, append a new one. */
const MIGRATIONS: readonly { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'cases and suppressions',
    sql: `
      CREATE TABLE cases (
        id TEXT PRIMARY KEY,
        version INTEGER NOT NULL,
        state TEXT NOT NULL,
        typology TEXT NOT NULL,
        instrument TEXT NOT NULL,
        owner TEXT NOT NULL,
        assignee TEXT,
        score REAL NOT NULL,
        window_start INTEGER NOT NULL,
        window_end INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        doc TEXT NOT NULL
      );
      CREATE INDEX cases_by_window ON cases (window_start DESC, id);
      CREATE INDEX cases_by_score ON cases (score DESC, id);
      CREATE INDEX cases_by_state ON cases (state, window_start DESC);
      CREATE INDEX cases_by_owner ON cases (owner, window_start DESC);
      CREATE INDEX cases_by_instrument ON cases (instrument, window_start DESC);
      CREATE INDEX cases_by_assignee ON cases (assignee, window_start DESC);
      CREATE TABLE suppressions (
        owner TEXT NOT NULL,
        typology TEXT NOT NULL,
        case_id TEXT NOT NULL,
        until INTEGER NOT NULL,
        actor TEXT NOT NULL,
        at INTEGER NOT NULL,
        PRIMARY KEY (owner, typology, case_id)
      );
    `,
  },
];

/** Options of {@link SqliteCaseStore}. */
export interface SqliteCaseStoreOptions {
  /** How long a writer waits for another process's lock before failing, ms. Default 5000. */
  busyTimeoutMs?: number;
}

/**
 * A {@link CaseStore} in one SQLite file (`./tapewatch.db` by default in the CLI).
 *
 * Writes run in `BEGIN IMMEDIATE` transactions, so two processes on one file serialise
 * instead of failing half-way; a crash leaves the last committed state (WAL + synchronous=NORMAL
 * loses at most the last transactions since a checkpoint on power loss, never on a process kill).
 *
 * @example
 * ```ts
 * const store = new SqliteCaseStore('./tapewatch.db');
 * await store.init();
 * ```
 */
export class SqliteCaseStore implements CaseStore {
  readonly kind = 'sqlite';
  readonly path: string;
  private readonly db: Database.Database;
  private readonly selectDoc: Database.Statement<[string], { doc: string }>;
  private readonly writeCase: Database.Statement<unknown[]>;

  constructor(path: string, options: SqliteCaseStoreOptions = {}) {
    this.path = path;
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
    this.migrate();
    this.selectDoc = this.db.prepare('SELECT doc FROM cases WHERE id = ?');
    const columns = ['id', ...CASE_COLUMNS];
    this.writeCase = this.db.prepare(
      `INSERT INTO cases (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})
       ON CONFLICT (id) DO UPDATE SET ${CASE_COLUMNS.map((c) => `${c} = excluded.${c}`).join(', ')}`,
    );
  }

  /** Migrations run in the constructor (prepared statements need the tables); this is a no-op. */
  async init(): Promise<void> {}

  private migrate(): void {
    this.db.exec(
      'CREATE TABLE IF NOT EXISTS tapewatch_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)',
    );
    const apply = this.db.transaction(() => {
      const row = this.db.prepare('SELECT MAX(version) AS v FROM tapewatch_migrations').get() as {
        v: number | null;
      };
      const current = row.v ?? 0;
      for (const m of MIGRATIONS) {
        if (m.version <= current) continue;
        this.db.exec(m.sql);
        this.db
          .prepare('INSERT INTO tapewatch_migrations (version, name, applied_at) VALUES (?, ?, ?)')
          .run(m.version, m.name, new Date().toISOString());
      }
    });
    apply.immediate();
  }

  /** The schema version in the file. */
  schemaVersion(): number {
    const row = this.db.prepare('SELECT MAX(version) AS v FROM tapewatch_migrations').get() as {
      v: number | null;
    };
    return row.v ?? 0;
  }

  async upsert(drafts: readonly CaseDraft[]): Promise<UpsertResult[]> {
    return this.upsertSync(drafts);
  }

  /** {@link upsert} without the Promise, for callers on a synchronous path (benchmarks, CLI). */
  upsertSync(drafts: readonly CaseDraft[]): UpsertResult[] {
    const run = this.db.transaction((batch: readonly CaseDraft[]) => {
      const staged = new Map<string, Case>();
      const results: UpsertResult[] = [];
      for (const draft of batch) {
        const existing = staged.get(draft.id) ?? this.read(draft.id);
        const outcome = mergeDraft(existing, draft);
        if (outcome.changed) staged.set(draft.id, outcome.case);
        results.push({ case: outcome.case, created: outcome.created, changed: outcome.changed });
      }
      for (const c of staged.values()) this.writeCase.run(...caseRow(c));
      return results;
    });
    const results = run.immediate(drafts);
    // Callers get their own copies: staged objects may be shared between results of one id.
    return results.map((r) => ({ ...r, case: structuredClone(r.case) }));
  }

  private read(id: string): Case | undefined {
    const row = this.selectDoc.get(id);
    return row === undefined ? undefined : (JSON.parse(row.doc) as Case);
  }

  async get(id: string): Promise<Case | undefined> {
    return this.read(id);
  }

  async query(query?: CaseQuery): Promise<CasePage> {
    const q = normalizeQuery(query);
    const f = sqlFilter(q, () => '?');
    const total = (
      this.db.prepare(`SELECT COUNT(*) AS n FROM cases ${f.where}`).get(...f.params) as { n: number }
    ).n;
    const rows = this.db
      .prepare(`SELECT doc FROM cases ${f.where} ORDER BY ${f.orderBy} LIMIT ? OFFSET ?`)
      .all(...f.params, q.limit, q.offset) as { doc: string }[];
    return pageOf(
      rows.map((r) => JSON.parse(r.doc) as Case),
      total,
      q,
    );
  }

  async update(next: Case, expectedVersion: number): Promise<Case> {
    const run = this.db.transaction(() => {
      const stored = this.read(next.id);
      if (stored === undefined) throw new CaseNotFoundError(next.id);
      if (stored.version !== expectedVersion)
        throw new ConflictError(next.id, expectedVersion, stored.version);
      assertAuditAppendOnly(stored.audit, next.audit);
      const written: Case = { ...next, version: expectedVersion + 1 };
      this.writeCase.run(...caseRow(written));
      return written;
    });
    return structuredClone(run.immediate());
  }

  async addSuppression(s: Suppression): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO suppressions (owner, typology, case_id, until, actor, at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (owner, typology, case_id) DO UPDATE SET until = excluded.until, actor = excluded.actor, at = excluded.at`,
      )
      .run(s.owner, s.typology, s.caseId, s.until, s.actor, s.at);
  }

  async suppressions(now?: number): Promise<Suppression[]> {
    const sql = `SELECT owner, typology, case_id, until, actor, at FROM suppressions ${
      now === undefined ? '' : 'WHERE until > ?'
    } ORDER BY at, case_id, owner, typology`;
    const stmt = this.db.prepare(sql);
    const rows = (now === undefined ? stmt.all() : stmt.all(now)) as SuppressionRow[];
    return rows.map(suppressionOf);
  }

  /** Runs SQLite's own consistency check; `['ok']` when the file is sound. */
  integrityCheck(): string[] {
    return (this.db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check);
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
