/**
 * The one interface every case store implements, and the query semantics they share.
 *
 * @module
 */
import { InvalidCaseActionError } from '../errors';
import type { Case, CaseDraft, CasePage, CaseQuery, CaseState, Suppression, UpsertResult } from '../types';

/**
 * Durable home of cases. Implementations: {@link MemoryCaseStore}, `SqliteCaseStore`,
 * `PostgresCaseStore`; one contract test suite runs against all of them.
 *
 * - `upsert` is idempotent: the same drafts applied twice leave the store as after once.
 * - `update` is optimistic: it succeeds only when the stored version equals `expectedVersion`,
 *   otherwise it throws `ConflictError` and writes nothing.
 * - Audit trails are append-only: a write that changes a stored entry is refused.
 */
export interface CaseStore {
  /** `memory`, `sqlite` or `postgres`. */
  readonly kind: string;
  /** Creates or migrates the schema. Idempotent; call once before use. */
  init(): Promise<void>;
  /** Applies drafts in order, in one transaction where the store has them. */
  upsert(drafts: readonly CaseDraft[]): Promise<UpsertResult[]>;
  get(id: string): Promise<Case | undefined>;
  query(query?: CaseQuery): Promise<CasePage>;
  /**
   * Writes an analyst's change. `next` is the case as modified by `applyAction`; its version
   * is replaced by `expectedVersion + 1` in the returned case.
   *
   * @throws ConflictError when the stored version is not `expectedVersion`.
   * @throws CaseNotFoundError when no case has `next.id`.
   */
  update(next: Case, expectedVersion: number): Promise<Case>;
  /** Records (or replaces) the suppression of `owner`/`typology` created by `caseId`. */
  addSuppression(suppression: Suppression): Promise<void>;
  /** Suppressions still in force at event time `now` (all when `now` is absent). */
  suppressions(now?: number): Promise<Suppression[]>;
  /** Releases connections and file handles. */
  close(): Promise<void>;
}

/** Default and maximum page sizes of {@link CaseQuery.limit}. */
export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 1000;

/** A query with its defaults applied and values checked. */
export interface NormalizedQuery extends CaseQuery {
  states: CaseState[] | undefined;
  order: 'recent' | 'score';
  limit: number;
  offset: number;
}

/**
 * Applies defaults and checks a query.
 *
 * @throws InvalidCaseActionError naming a bad `limit` or `offset`.
 */
export function normalizeQuery(query: CaseQuery = {}): NormalizedQuery {
  const limit = query.limit ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw new InvalidCaseActionError('limit', limit, `an integer from 1 to ${MAX_PAGE_SIZE}`);
  }
  const offset = query.offset ?? 0;
  if (!Number.isInteger(offset) || offset < 0) {
    throw new InvalidCaseActionError('offset', offset, 'a non-negative integer');
  }
  const states =
    query.state === undefined
      ? undefined
      : typeof query.state === 'string'
        ? [query.state]
        : [...query.state];
  return { ...query, states, order: query.order ?? 'recent', limit, offset };
}

/** Whether a case passes a query's filters (the reference semantics SQL stores reproduce). */
export function matchesQuery(c: Case, q: NormalizedQuery): boolean {
  if (q.states !== undefined && !q.states.includes(c.state)) return false;
  if (q.typology !== undefined && c.typology !== q.typology) return false;
  if (q.instrument !== undefined && c.instrument !== q.instrument) return false;
  if (q.owner !== undefined && c.owner !== q.owner) return false;
  if (q.assignee !== undefined && c.assignee !== q.assignee) return false;
  if (q.minScore !== undefined && c.score < q.minScore) return false;
  if (q.from !== undefined && c.window.end < q.from) return false;
  if (q.to !== undefined && c.window.start > q.to) return false;
  return true;
}

/** The order of query results: newest window (or highest score) first, ties by id. */
export function compareForQuery(order: 'recent' | 'score'): (a: Case, b: Case) => number {
  if (order === 'score') return (a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  return (a, b) => b.window.start - a.window.start || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** Builds a page from the total and the rows of this page. */
export function pageOf(cases: Case[], total: number, q: NormalizedQuery): CasePage {
  const page: CasePage = { cases, total };
  if (q.offset + cases.length < total) page.nextOffset = q.offset + cases.length;
  return page;
}
