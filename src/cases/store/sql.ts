/**
 * What the SQL stores share: the row shape, the migrations' column set and the query
 * translation. Each case is one row: indexed columns for queries plus the whole case as a
 * JSON document, so a read never needs a join and the document is the single source of truth.
 *
 * @module
 */
import type { Case, Suppression } from '../types';
import type { NormalizedQuery } from './case-store';

/** The indexed columns of a case row, in insert order, after `id`. */
export const CASE_COLUMNS = [
  'version',
  'state',
  'typology',
  'instrument',
  'owner',
  'assignee',
  'score',
  'window_start',
  'window_end',
  'updated_at',
  'doc',
] as const;

/** A case as its row values (`id` first, then {@link CASE_COLUMNS}). */
export function caseRow(c: Case): (string | number | null)[] {
  return [
    c.id,
    c.version,
    c.state,
    c.typology,
    c.instrument,
    c.owner,
    c.assignee ?? null,
    c.score,
    c.window.start,
    c.window.end,
    c.updatedAt,
    JSON.stringify(c),
  ];
}

/** A WHERE clause with its parameters. */
export interface SqlFilter {
  where: string;
  params: unknown[];
  orderBy: string;
}

/**
 * Translates a query into SQL. `placeholder(n)` renders the n-th (1-based) parameter
 * (`?` for SQLite, `$n` for PostgreSQL); `collate` makes id ties sort as JavaScript does.
 */
export function sqlFilter(q: NormalizedQuery, placeholder: (n: number) => string, collate = ''): SqlFilter {
  const clauses: string[] = [];
  const params: unknown[] = [];
  const add = (sql: (p: string) => string, value: unknown) => {
    params.push(value);
    clauses.push(sql(placeholder(params.length)));
  };
  if (q.states !== undefined) {
    if (q.states.length === 0) clauses.push('1 = 0');
    else {
      const marks: string[] = [];
      for (const s of q.states) {
        params.push(s);
        marks.push(placeholder(params.length));
      }
      clauses.push(`state IN (${marks.join(', ')})`);
    }
  }
  if (q.typology !== undefined) add((p) => `typology = ${p}`, q.typology);
  if (q.instrument !== undefined) add((p) => `instrument = ${p}`, q.instrument);
  if (q.owner !== undefined) add((p) => `owner = ${p}`, q.owner);
  if (q.assignee !== undefined) add((p) => `assignee = ${p}`, q.assignee);
  if (q.minScore !== undefined) add((p) => `score >= ${p}`, q.minScore);
  if (q.from !== undefined) add((p) => `window_end >= ${p}`, q.from);
  if (q.to !== undefined) add((p) => `window_start <= ${p}`, q.to);
  const orderBy =
    q.order === 'score' ? `score DESC, id${collate} ASC` : `window_start DESC, id${collate} ASC`;
  return { where: clauses.length > 0 ? `WHERE ${clauses.join(' AND ')}` : '', params, orderBy };
}

/** A suppression row as stored (snake-case columns). */
export interface SuppressionRow {
  owner: string;
  typology: string;
  case_id: string;
  until: number | string;
  actor: string;
  at: number | string;
}

/** A suppression from its row (PostgreSQL returns BIGINT as a string). */
export function suppressionOf(row: SuppressionRow): Suppression {
  return {
    owner: row.owner,
    typology: row.typology,
    until: Number(row.until),
    caseId: row.case_id,
    actor: row.actor,
    at: Number(row.at),
  };
}
