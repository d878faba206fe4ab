/**
 * The one upsert rule every store applies: a draft creates its case or merges into it, and
 * applying the same draft again changes nothing. Stores differ only in how they read and
 * write rows; the merge itself happens here, so all of them produce identical cases.
 *
 * @module
 */
import type { Signal } from '../core/signal';
import { InvalidCaseActionError } from './errors';
import { maxSeverity, priorityFor, withDerivedFields } from './scoring';
import type { AuditEntry, Case, CaseDraft } from './types';
import { auditEntry } from './workflow';

/** The actor name of the engine's own audit entries. */
export const SYSTEM_ACTOR = 'tapewatch';

/** The outcome of {@link mergeDraft}: the case to write (version already set) and what happened. */
export interface MergeOutcome {
  case: Case;
  created: boolean;
  changed: boolean;
}

/**
 * Merges a draft into the stored case (or creates it). New signals are appended in draft
 * order with an `ingest_signal` audit entry each, links are unioned, the ML score only rises.
 * Signals already attached, or detached by an analyst, are skipped: that is what makes
 * replays and restarted workers idempotent. New evidence reaches a closed case too (its
 * state does not change; the audit shows it arrived after the close).
 *
 * @throws InvalidCaseActionError when a draft without signals names a case that does not exist.
 */
export function mergeDraft(existing: Case | undefined, draft: CaseDraft): MergeOutcome {
  if (existing === undefined) return { case: createCase(draft), created: true, changed: true };
  const attached = new Set<string>();
  for (const s of existing.signals) attached.add(s.id);
  for (const id of existing.detachedSignalIds) attached.add(id);
  const fresh: Signal[] = [];
  for (const s of draft.signals) {
    if (!attached.has(s.id)) {
      attached.add(s.id);
      fresh.push(s);
    }
  }
  const newLinks = draft.links.filter((l) => l !== existing.id && !existing.links.includes(l));
  const mlRaised =
    draft.mlScore !== undefined && (existing.mlScore === undefined || draft.mlScore > existing.mlScore);
  if (fresh.length === 0 && newLinks.length === 0 && !mlRaised) {
    return { case: existing, created: false, changed: false };
  }
  let next: Case = {
    ...existing,
    version: existing.version + 1,
    updatedAt: Math.max(existing.updatedAt, draft.at),
  };
  if (fresh.length > 0) {
    next.signals = [...existing.signals, ...fresh];
    const audit: AuditEntry[] = existing.audit.slice();
    for (const s of fresh) audit.push(ingestEntry(existing.state, s, draft.at, existing.state === 'closed'));
    next.audit = audit;
    if (draft.context !== undefined) next.context = draft.context;
  }
  if (newLinks.length > 0) next.links = [...existing.links, ...newLinks];
  if (mlRaised && draft.mlScore !== undefined) {
    next.mlScore = draft.mlScore;
    if (draft.mlFeatures !== undefined) next.mlFeatures = draft.mlFeatures;
  }
  next = withDerivedFields(next);
  return { case: next, created: false, changed: true };
}

function createCase(draft: CaseDraft): Case {
  const first = draft.signals[0];
  if (first === undefined) {
    throw new InvalidCaseActionError('signals', [], `at least one signal to create case ${draft.id}`);
  }
  let severity = first.severity;
  for (const s of draft.signals) severity = maxSeverity(severity, s.severity);
  const priority = priorityFor(severity);
  const audit: AuditEntry[] = [
    auditEntry(
      { actor: SYSTEM_ACTOR, at: draft.at },
      'create',
      'open',
      'open',
      `opened by ${first.detector}@${first.version}`,
      priority,
    ),
  ];
  const seen = new Set<string>();
  const signals: Signal[] = [];
  for (const s of draft.signals) {
    if (seen.has(s.id)) continue;
    seen.add(s.id);
    signals.push(s);
    audit.push(ingestEntry('open', s, draft.at, false));
  }
  const c: Case = {
    id: draft.id,
    version: 1,
    typology: draft.typology,
    instrument: draft.instrument,
    venue: draft.venue,
    owner: draft.owner,
    accounts: [],
    window: { start: first.window.start, end: first.window.end },
    openedAt: draft.at,
    updatedAt: draft.at,
    state: 'open',
    priority,
    score: 0,
    ruleScore: 0,
    severity,
    signals,
    detachedSignalIds: [],
    evidence: [],
    links: draft.links.filter((l) => l !== draft.id),
    audit,
  };
  if (draft.mlScore !== undefined) c.mlScore = draft.mlScore;
  if (draft.mlFeatures !== undefined) c.mlFeatures = draft.mlFeatures;
  if (draft.context !== undefined) c.context = draft.context;
  return withDerivedFields(c);
}

function ingestEntry(state: Case['state'], s: Signal, at: number, afterClose: boolean): AuditEntry {
  const note = afterClose ? `after close: ${s.explanation}` : s.explanation;
  return auditEntry({ actor: SYSTEM_ACTOR, at }, 'ingest_signal', state, state, note, s.id);
}
