/**
 * The one `--db` option every command shares: a SQLite path, a PostgreSQL URL or `memory`.
 *
 * @module
 */
import { InvalidCaseActionError } from '../errors';
import type { CaseStore } from './case-store';
import { MemoryCaseStore } from './memory-store';
import { PostgresCaseStore } from './postgres-store';
import { SqliteCaseStore } from './sqlite-store';

/** The default `--db`: a SQLite file in the working directory. */
export const DEFAULT_DB = './tapewatch.db';

/**
 * Opens and initialises the store a `--db` value names:
 * - `memory` → {@link MemoryCaseStore};
 * - `postgres://…` or `postgresql://…` → {@link PostgresCaseStore} (a `schema` query parameter
 *   picks the schema, default `tapewatch`);
 * - anything else → a {@link SqliteCaseStore} file path.
 *
 * @example
 * ```ts
 * const store = await openCaseStore(process.env.TAPEWATCH_DB ?? './tapewatch.db');
 * ```
 */
export async function openCaseStore(db: string = DEFAULT_DB): Promise<CaseStore> {
  if (typeof db !== 'string' || db.trim() === '') {
    throw new InvalidCaseActionError('db', db, "'memory', a SQLite file path or a postgres:// URL");
  }
  let store: CaseStore;
  if (db === 'memory') {
    store = new MemoryCaseStore();
  } else if (/^postgres(ql)?:\/\//i.test(db)) {
    const url = new URL(db);
    const schema = url.searchParams.get('schema') ?? undefined;
    // The server would reject `schema` as an unknown startup parameter.
    url.searchParams.delete('schema');
    store = new PostgresCaseStore(
      schema === undefined
        ? { connectionString: url.toString() }
        : { connectionString: url.toString(), schema },
    );
  } else {
    store = new SqliteCaseStore(db);
  }
  await store.init();
  return store;
}
