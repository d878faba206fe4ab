/**
 * In-process case store: for tests, `--db memory` and embedding without persistence.
 *
 * @module
 */

import { CaseNotFoundError, ConflictError } from '../errors';
import { mergeDraft } from '../merge';
import type { Case, CaseDraft, CasePage, CaseQuery, Suppression, UpsertResult } from '../types';
import { assertAuditAppendOnly } from '../workflow';
import { type CaseStore, compareForQuery, matchesQuery, normalizeQuery, pageOf } from './case-store';

/**
 * A {@link CaseStore} in a Map. Cases are deep-copied on the way in and out, so callers can
 * never change stored state except through the store, exactly as with the durable stores.
 *
 * @example
 * ```ts
 * const store = new MemoryCaseStore();
 * await store.init();
 * const page = await store.query({ state: 'open', order: 'score' });
 * ```
 */
export class MemoryCaseStore implements CaseStore {
  readonly kind = 'memory';
  private readonly cases = new Map<string, Case>();
  private readonly suppressionsByKey = new Map<string, Suppression>();

  async init(): Promise<void> {}

  async upsert(drafts: readonly CaseDraft[]): Promise<UpsertResult[]> {
    // Merge everything first and commit only when every draft merged: all or nothing.
    const staged = new Map<string, Case>();
    const results: UpsertResult[] = [];
    for (const draft of drafts) {
      const existing = staged.get(draft.id) ?? this.cases.get(draft.id);
      const outcome = mergeDraft(existing, draft);
      if (outcome.changed) staged.set(draft.id, outcome.case);
      results.push({
        case: structuredClone(outcome.case),
        created: outcome.created,
        changed: outcome.changed,
      });
    }
    for (const [id, c] of staged) this.cases.set(id, structuredClone(c));
    return results;
  }

  async get(id: string): Promise<Case | undefined> {
    const c = this.cases.get(id);
    return c === undefined ? undefined : structuredClone(c);
  }

  async query(query?: CaseQuery): Promise<CasePage> {
    const q = normalizeQuery(query);
    const matching: Case[] = [];
    for (const c of this.cases.values()) if (matchesQuery(c, q)) matching.push(c);
    matching.sort(compareForQuery(q.order));
    const page = matching.slice(q.offset, q.offset + q.limit).map((c) => structuredClone(c));
    return pageOf(page, matching.length, q);
  }

  async update(next: Case, expectedVersion: number): Promise<Case> {
    const stored = this.cases.get(next.id);
    if (stored === undefined) throw new CaseNotFoundError(next.id);
    if (stored.version !== expectedVersion) throw new ConflictError(next.id, expectedVersion, stored.version);
    assertAuditAppendOnly(stored.audit, next.audit);
    const written: Case = structuredClone({ ...next, version: expectedVersion + 1 });
    this.cases.set(next.id, written);
    return structuredClone(written);
  }

  async addSuppression(s: Suppression): Promise<void> {
    this.suppressionsByKey.set(`${s.owner}\u0000${s.typology}\u0000${s.caseId}`, { ...s });
  }

  async suppressions(now?: number): Promise<Suppression[]> {
    const out: Suppression[] = [];
    for (const s of this.suppressionsByKey.values())
      if (now === undefined || s.until > now) out.push({ ...s });
    out.sort(
      (a, b) =>
        a.at - b.at || cmp(a.caseId, b.caseId) || cmp(a.owner, b.owner) || cmp(a.typology, b.typology),
    );
    return out;
  }

  async close(): Promise<void> {}
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
