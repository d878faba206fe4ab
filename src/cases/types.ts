/**
 * The case domain model: what an investigation holds and how it is queried. A case is a
 * plain JSON-safe object, so every store keeps it as one document plus a few indexed columns.
 *
 * @module
 */
import type { EventRef } from '../core/events';
import type { Severity, Signal, TimeWindow, Typology } from '../core/signal';

/** Workflow states, in their usual order. */
export const CASE_STATES = ['open', 'triage', 'investigating', 'escalated', 'closed'] as const;
/** One of {@link CASE_STATES}. */
export type CaseState = (typeof CASE_STATES)[number];

/** How a closed case was resolved. */
export const RESOLUTIONS = ['true_positive', 'false_positive', 'inconclusive'] as const;
/** One of {@link RESOLUTIONS}. */
export type Resolution = (typeof RESOLUTIONS)[number];

/** Analyst priority. New cases take the priority of their most severe signal. */
export const PRIORITIES = ['low', 'medium', 'high', 'critical'] as const;
/** One of {@link PRIORITIES}. */
export type Priority = (typeof PRIORITIES)[number];

/** Every action that leaves a line in the audit trail. */
export const AUDIT_ACTIONS = [
  'create',
  'ingest_signal',
  'triage',
  'investigate',
  'escalate',
  'close',
  'reopen',
  'assign',
  'comment',
  'set_priority',
  'attach_signal',
  'detach_signal',
] as const;
/** One of {@link AUDIT_ACTIONS}. */
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/**
 * One immutable line of a case's audit trail. Entries are only ever appended; every store
 * refuses a write that changes or drops an earlier entry.
 */
export interface AuditEntry {
  /** Epoch microseconds: event time for the engine's own entries, wall time for people's. */
  at: number;
  /** Who did it: an analyst's name, or `tapewatch` for the case manager. */
  actor: string;
  action: AuditAction;
  from: CaseState;
  to: CaseState;
  /** Free text: the comment, or why the action was taken. Empty when none was given. */
  note: string;
  /** The action's argument: assignee, priority, resolution or signal id, when it has one. */
  value?: string;
}

/** One bucket of the market around a case: trade prices and volume. */
export interface MarketBar {
  /** Bucket start, epoch microseconds. */
  ts: number;
  open: number;
  high: number;
  low: number;
  close: number;
  /** Traded quantity in the bucket. */
  volume: number;
  trades: number;
}

/** Price and volume around a case's window, kept with the case so it outlives the stream. */
export interface MarketContext {
  instrument: string;
  /** Bucket width, microseconds. */
  bucketUs: number;
  /** The span the bars cover (the case window plus padding, clipped to what was recorded). */
  window: TimeWindow;
  bars: MarketBar[];
}

/** An input feature that made the anomaly model flag the owner, for the case file. */
export interface MlFeature {
  name: string;
  value: number;
}

/** An investigation: signals of one typology, instrument and owner, plus the analysts' work on them. */
export interface Case {
  /** Deterministic: see {@link caseIdFor}. */
  id: string;
  /** Optimistic-concurrency counter; every stored write increments it. */
  version: number;
  typology: Typology;
  instrument: string;
  venue: string;
  /** Primary beneficial owner. */
  owner: string;
  /** Every account seen in the case's signals, first-seen order. */
  accounts: string[];
  /** Span of all attached signals' windows, event time. */
  window: TimeWindow;
  /** Event time the first signal was emitted. */
  openedAt: number;
  /** Time of the latest audit entry. */
  updatedAt: number;
  state: CaseState;
  /** Set exactly when `state` is `closed`. */
  resolution?: Resolution;
  priority: Priority;
  assignee?: string;
  /** Combined score 0..1: rule severity and score, raised by the ML score. */
  score: number;
  /** Strongest rule component 0..1 (0 when only the anomaly model spoke). */
  ruleScore: number;
  /** Highest anomaly score seen for this owner and instrument near the window, if any. */
  mlScore?: number;
  /** The anomaly model's top features behind {@link mlScore}. */
  mlFeatures?: MlFeature[];
  /** Highest severity among attached signals. */
  severity: Severity;
  /** Attached signals in arrival order, each with its explanation and evidence. */
  signals: Signal[];
  /** Signal ids an analyst detached; the case manager never re-attaches them. */
  detachedSignalIds: string[];
  /** The evidence events of all attached signals, deduplicated, time order. */
  evidence: EventRef[];
  /** Ids of cases on the same owner with another typology. */
  links: string[];
  context?: MarketContext;
  audit: AuditEntry[];
}

/**
 * What the case manager hands a store: "these signals belong to case `id`". Stores create the
 * case when it is absent and merge otherwise; applying the same draft twice changes nothing.
 */
export interface CaseDraft {
  id: string;
  typology: Typology;
  instrument: string;
  venue: string;
  owner: string;
  /** Signals to attach (may be empty when the draft only adds links or an ML score). */
  signals: Signal[];
  links: string[];
  mlScore?: number;
  mlFeatures?: MlFeature[];
  context?: MarketContext;
  /** Event time of the draft: the newest signal's `emittedAt`. */
  at: number;
}

/** Result of one upsert. */
export interface UpsertResult {
  case: Case;
  /** The case did not exist before. */
  created: boolean;
  /** Anything was written (false when the draft was already applied). */
  changed: boolean;
}

/** Filters for {@link CaseStore.query}; all given filters must hold. */
export interface CaseQuery {
  state?: CaseState | readonly CaseState[];
  typology?: string;
  instrument?: string;
  owner?: string;
  assignee?: string;
  /** Minimum combined score, inclusive. */
  minScore?: number;
  /** Cases whose window ends at or after this time (epoch µs). */
  from?: number;
  /** Cases whose window starts at or before this time (epoch µs). */
  to?: number;
  /** `recent` (default): newest window first; `score`: highest score first. Ties by id. */
  order?: 'recent' | 'score';
  /** Page size, default 50, at most 1000. */
  limit?: number;
  /** Rows to skip. */
  offset?: number;
}

/** One page of a query. */
export interface CasePage {
  cases: Case[];
  /** Matching cases over all pages. */
  total: number;
  /** Offset of the next page, absent on the last one. */
  nextOffset?: number;
}

/**
 * Analyst feedback: an owner's signals of one typology are false positives until `until`.
 * Detectors and the case manager read these through {@link SuppressionList}.
 */
export interface Suppression {
  owner: string;
  typology: Typology;
  /** Event time (epoch µs) the suppression lapses. */
  until: number;
  /** The case whose false-positive resolution created it. */
  caseId: string;
  actor: string;
  /** When it was recorded (epoch µs). */
  at: number;
}
