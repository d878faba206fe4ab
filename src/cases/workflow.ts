/**
 * The investigation workflow: one exhaustive transition table, pure functions that apply an
 * analyst's action to a case and append its audit entry, and a replay that rebuilds the
 * workflow state from the audit trail alone.
 *
 * ```
 * open ─► triage ─► investigating ─► escalated ─► closed (true_positive | false_positive | inconclusive)
 *            └──────────┴──► closed       ▲ └─◄─┘ returned for more work   │
 *                                          └──────────── reopen ◄──────────┘ (to investigating)
 * ```
 *
 * @module
 */
import type { Signal } from '../core/signal';
import { IllegalTransitionError, InvalidCaseActionError } from './errors';
import { withDerivedFields } from './scoring';
import {
  type AuditAction,
  type AuditEntry,
  type Case,
  type CaseState,
  PRIORITIES,
  type Priority,
  RESOLUTIONS,
  type Resolution,
} from './types';

/** An analyst's action on a case. */
export type CaseAction =
  | { type: 'triage' }
  | { type: 'investigate' }
  | { type: 'escalate' }
  | { type: 'close'; resolution: Resolution }
  | { type: 'reopen' }
  /** `null` unassigns. */
  | { type: 'assign'; assignee: string | null }
  /** The comment text is the entry's `note`. */
  | { type: 'comment' }
  | { type: 'set_priority'; priority: Priority }
  | { type: 'attach_signal'; signal: Signal }
  | { type: 'detach_signal'; signalId: string };

/** The `type` of a {@link CaseAction}. */
export type CaseActionType = CaseAction['type'];

/** Every analyst action type, for validation and menus. */
export const CASE_ACTION_TYPES: readonly CaseActionType[] = [
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
];

/** Who did it and when; `note` is the comment or the reason. */
export interface ActionMeta {
  actor: string;
  /** Epoch microseconds. */
  at: number;
  note?: string;
}

/**
 * The whole workflow in one table: state → action → next state. A missing row is an illegal
 * transition. Actions that do not move the case (assign, comment, ...) map a state to itself.
 */
const TRANSITIONS: Readonly<Record<CaseState, Partial<Record<CaseActionType, CaseState>>>> = {
  open: {
    triage: 'triage',
    assign: 'open',
    comment: 'open',
    set_priority: 'open',
    attach_signal: 'open',
    detach_signal: 'open',
  },
  triage: {
    investigate: 'investigating',
    // First-line dismissal: most false positives are closed at triage without an investigation.
    close: 'closed',
    assign: 'triage',
    comment: 'triage',
    set_priority: 'triage',
    attach_signal: 'triage',
    detach_signal: 'triage',
  },
  investigating: {
    escalate: 'escalated',
    close: 'closed',
    assign: 'investigating',
    comment: 'investigating',
    set_priority: 'investigating',
    attach_signal: 'investigating',
    detach_signal: 'investigating',
  },
  escalated: {
    close: 'closed',
    // Compliance or the MLRO sends an escalated case back for more work.
    investigate: 'investigating',
    assign: 'escalated',
    comment: 'escalated',
    set_priority: 'escalated',
    attach_signal: 'escalated',
    detach_signal: 'escalated',
  },
  closed: {
    reopen: 'investigating',
    // A closed case still takes comments (a regulator's reply, a note for the file) but
    // nothing that changes its content: reopen it first.
    comment: 'closed',
  },
};

/** The actions allowed in a state, in table order. */
export function allowedActions(state: CaseState): CaseActionType[] {
  return Object.keys(TRANSITIONS[state]) as CaseActionType[];
}

/**
 * The state an action leads to.
 *
 * @throws IllegalTransitionError when the table has no row for (state, action).
 */
export function transition(state: CaseState, action: CaseActionType, caseId?: string): CaseState {
  const row = TRANSITIONS[state] as Partial<Record<string, CaseState>> | undefined;
  if (row === undefined) throw new IllegalTransitionError(String(state), action, [], caseId);
  const next = row[action];
  if (next === undefined) throw new IllegalTransitionError(state, action, allowedActions(state), caseId);
  return next;
}

/**
 * Applies an analyst action: checks it against the transition table and its argument, then
 * returns a new case with the change and one appended audit entry. The input is not modified
 * and `version` is left to the store, which increments it on write.
 *
 * @throws IllegalTransitionError when the action is not allowed in the case's state.
 * @throws InvalidCaseActionError when the actor, note or argument is invalid.
 *
 * @example
 * ```ts
 * const triaged = applyAction(c, { type: 'triage' }, { actor: 'ana', at: nowUs() });
 * const closed = applyAction(triaged, { type: 'close', resolution: 'false_positive' },
 *   { actor: 'ana', at: nowUs(), note: 'market maker inventory rebalancing' });
 * ```
 */
export function applyAction(c: Case, action: CaseAction, meta: ActionMeta): Case {
  if (typeof meta.actor !== 'string' || meta.actor.trim() === '') {
    throw new InvalidCaseActionError('actor', meta.actor, 'a non-empty name of who acts');
  }
  if (!Number.isSafeInteger(meta.at) || meta.at < 0) {
    throw new InvalidCaseActionError('at', meta.at, 'a non-negative integer epoch-microsecond time');
  }
  const to = transition(c.state, action.type, c.id);
  const note = meta.note ?? '';
  if (typeof note !== 'string') throw new InvalidCaseActionError('note', note, 'a string');
  let next: Case = { ...c, state: to };
  let value: string | undefined;
  switch (action.type) {
    case 'triage':
    case 'investigate':
    case 'escalate':
      break;
    case 'close':
      if (!(RESOLUTIONS as readonly string[]).includes(action.resolution)) {
        throw new InvalidCaseActionError('resolution', action.resolution, `one of ${RESOLUTIONS.join(', ')}`);
      }
      next.resolution = action.resolution;
      value = action.resolution;
      break;
    case 'reopen':
      delete next.resolution;
      break;
    case 'assign':
      if (action.assignee === null) {
        delete next.assignee;
      } else {
        if (typeof action.assignee !== 'string' || action.assignee.trim() === '') {
          throw new InvalidCaseActionError(
            'assignee',
            action.assignee,
            'a non-empty name, or null to unassign',
          );
        }
        next.assignee = action.assignee;
        value = action.assignee;
      }
      break;
    case 'comment':
      if (note.trim() === '') throw new InvalidCaseActionError('note', note, 'a comment with some text');
      break;
    case 'set_priority':
      if (!(PRIORITIES as readonly string[]).includes(action.priority)) {
        throw new InvalidCaseActionError('priority', action.priority, `one of ${PRIORITIES.join(', ')}`);
      }
      next.priority = action.priority;
      value = action.priority;
      break;
    case 'attach_signal': {
      const signal = action.signal;
      if (typeof signal?.id !== 'string' || signal.id === '') {
        throw new InvalidCaseActionError('signal.id', signal?.id, 'a signal with an id');
      }
      if (c.signals.some((s) => s.id === signal.id)) {
        throw new InvalidCaseActionError('signal.id', signal.id, 'a signal not yet attached to this case');
      }
      next.signals = [...c.signals, signal];
      next.detachedSignalIds = c.detachedSignalIds.filter((id) => id !== signal.id);
      next = withDerivedFields(next);
      value = signal.id;
      break;
    }
    case 'detach_signal': {
      if (!c.signals.some((s) => s.id === action.signalId)) {
        throw new InvalidCaseActionError(
          'signalId',
          action.signalId,
          'the id of a signal attached to this case',
        );
      }
      next.signals = c.signals.filter((s) => s.id !== action.signalId);
      next.detachedSignalIds = [...c.detachedSignalIds, action.signalId];
      next = withDerivedFields(next);
      value = action.signalId;
      break;
    }
    default: {
      const unknown: never = action;
      throw new InvalidCaseActionError('type', (unknown as { type: unknown }).type, 'a known case action');
    }
  }
  next.audit = [...c.audit, auditEntry(meta, action.type, c.state, to, note, value)];
  next.updatedAt = Math.max(c.updatedAt, meta.at);
  return next;
}

/** Builds one audit entry (without `value` when there is none). */
export function auditEntry(
  meta: { actor: string; at: number },
  action: AuditAction,
  from: CaseState,
  to: CaseState,
  note: string,
  value?: string,
): AuditEntry {
  const entry: AuditEntry = { at: meta.at, actor: meta.actor, action, from, to, note };
  if (value !== undefined) entry.value = value;
  return entry;
}

/** The workflow part of a case that the audit trail determines on its own. */
export interface ReplayedWorkflow {
  state: CaseState;
  resolution?: Resolution;
  assignee?: string;
  priority: Priority;
  detachedSignalIds: string[];
}

/**
 * Rebuilds the workflow state from an audit trail alone, checking that every entry starts in
 * the state the previous one ended in and follows the transition table.
 *
 * @throws InvalidCaseActionError naming the first entry that does not follow.
 */
export function replayAudit(audit: readonly AuditEntry[]): ReplayedWorkflow {
  const out: ReplayedWorkflow = { state: 'open', priority: 'low', detachedSignalIds: [] };
  for (let i = 0; i < audit.length; i++) {
    const e = audit[i] as AuditEntry;
    if (i === 0 && e.action !== 'create') {
      throw new InvalidCaseActionError('audit[0].action', e.action, "the trail to start with 'create'");
    }
    if (e.from !== out.state) {
      throw new InvalidCaseActionError(
        `audit[${i}].from`,
        e.from,
        `the previous entry's state '${out.state}'`,
      );
    }
    let expected: CaseState;
    if (e.action === 'create' || e.action === 'ingest_signal') {
      // The engine's own entries never move the case.
      expected = out.state;
    } else {
      expected = transition(out.state, e.action);
    }
    if (e.to !== expected) {
      throw new InvalidCaseActionError(`audit[${i}].to`, e.to, `'${expected}' after '${e.action}'`);
    }
    out.state = e.to;
    switch (e.action) {
      case 'create':
      case 'set_priority':
        if (e.value !== undefined) out.priority = e.value as Priority;
        break;
      case 'close':
        out.resolution = e.value as Resolution;
        break;
      case 'reopen':
        delete out.resolution;
        break;
      case 'assign':
        if (e.value === undefined) delete out.assignee;
        else out.assignee = e.value;
        break;
      case 'detach_signal':
        if (e.value !== undefined) out.detachedSignalIds.push(e.value);
        break;
      case 'attach_signal':
        if (e.value !== undefined)
          out.detachedSignalIds = out.detachedSignalIds.filter((id) => id !== e.value);
        break;
      default:
        break;
    }
  }
  return out;
}

/**
 * Checks that `next` only appends to `previous`'s audit trail. Every store calls this before
 * writing, so no code path can rewrite history.
 *
 * @throws InvalidCaseActionError naming the first changed or dropped entry.
 */
export function assertAuditAppendOnly(previous: readonly AuditEntry[], next: readonly AuditEntry[]): void {
  if (next.length < previous.length) {
    throw new InvalidCaseActionError('audit', next.length, `at least the ${previous.length} stored entries`);
  }
  for (let i = 0; i < previous.length; i++) {
    const a = previous[i] as AuditEntry;
    const b = next[i] as AuditEntry;
    if (
      a.at !== b.at ||
      a.actor !== b.actor ||
      a.action !== b.action ||
      a.from !== b.from ||
      a.to !== b.to ||
      a.note !== b.note ||
      a.value !== b.value
    ) {
      throw new InvalidCaseActionError(`audit[${i}]`, b, 'stored audit entries are immutable');
    }
  }
}
