/**
 * Conversions between cases and their protobuf messages.
 *
 * @module
 */
import {
  CASE_STATES,
  type Case,
  type CaseAction,
  type CaseQuery,
  type CaseState,
  InvalidCaseActionError,
  PRIORITIES,
  RESOLUTIONS,
} from '../cases/index';
import { refFromProto, refToProto, signalFromProto, signalToProto } from './convert';
import type * as pbc from './gen/tapewatch/v1/cases';

/** A case as a protobuf message; `full` false leaves out signals, evidence, context and audit. */
export function caseToProto(c: Case, full = true): pbc.Case {
  const out: pbc.Case = {
    id: c.id,
    version: c.version,
    typology: c.typology,
    instrument: c.instrument,
    venue: c.venue,
    owner: c.owner,
    accounts: [...c.accounts],
    windowStart: c.window.start,
    windowEnd: c.window.end,
    openedAt: c.openedAt,
    updatedAt: c.updatedAt,
    state: c.state,
    priority: c.priority,
    score: c.score,
    ruleScore: c.ruleScore,
    mlFeatures: (c.mlFeatures ?? []).map((f) => ({ name: f.name, value: f.value })),
    severity: c.severity,
    signals: full ? c.signals.map(signalToProto) : [],
    detachedSignalIds: [...c.detachedSignalIds],
    evidence: full ? c.evidence.map(refToProto) : [],
    links: [...c.links],
    audit: full
      ? c.audit.map((a) => ({
          at: a.at,
          actor: a.actor,
          action: a.action,
          from: a.from,
          to: a.to,
          note: a.note,
          ...(a.value === undefined ? {} : { value: a.value }),
        }))
      : [],
  };
  if (c.resolution !== undefined) out.resolution = c.resolution;
  if (c.assignee !== undefined) out.assignee = c.assignee;
  if (c.mlScore !== undefined) out.mlScore = c.mlScore;
  if (full && c.context !== undefined) {
    out.context = {
      instrument: c.context.instrument,
      bucketUs: c.context.bucketUs,
      windowStart: c.context.window.start,
      windowEnd: c.context.window.end,
      bars: c.context.bars.map((b) => ({ ...b })),
    };
  }
  return out;
}

/** A protobuf case as the domain type (used by the client SDK). */
export function caseFromProto(p: pbc.Case): Case {
  const c: Case = {
    id: p.id,
    version: p.version,
    typology: p.typology,
    instrument: p.instrument,
    venue: p.venue,
    owner: p.owner,
    accounts: p.accounts,
    window: { start: p.windowStart, end: p.windowEnd },
    openedAt: p.openedAt,
    updatedAt: p.updatedAt,
    state: p.state as CaseState,
    priority: p.priority as Case['priority'],
    score: p.score,
    ruleScore: p.ruleScore,
    severity: p.severity as Case['severity'],
    signals: p.signals.map(signalFromProto),
    detachedSignalIds: p.detachedSignalIds,
    evidence: p.evidence.map(refFromProto),
    links: p.links,
    audit: p.audit.map((a) => ({
      at: a.at,
      actor: a.actor,
      action: a.action as Case['audit'][number]['action'],
      from: a.from as CaseState,
      to: a.to as CaseState,
      note: a.note,
      ...(a.value === undefined ? {} : { value: a.value }),
    })),
  };
  if (p.resolution !== undefined) c.resolution = p.resolution as NonNullable<Case['resolution']>;
  if (p.assignee !== undefined) c.assignee = p.assignee;
  if (p.mlScore !== undefined) c.mlScore = p.mlScore;
  if (p.mlFeatures.length > 0) c.mlFeatures = p.mlFeatures.map((f) => ({ name: f.name, value: f.value }));
  if (p.context !== undefined) {
    c.context = {
      instrument: p.context.instrument,
      bucketUs: p.context.bucketUs,
      window: { start: p.context.windowStart, end: p.context.windowEnd },
      bars: p.context.bars.map((b) => ({ ...b })),
    };
  }
  return c;
}

/** A list request as a store query. */
export function caseQueryFromProto(r: pbc.ListCasesRequest): CaseQuery {
  const q: CaseQuery = {};
  if (r.states.length > 0) {
    for (const state of r.states)
      if (!(CASE_STATES as readonly string[]).includes(state))
        throw new InvalidCaseActionError('states', state, `one of ${CASE_STATES.join(', ')}`);
    q.state = r.states as CaseState[];
  }
  if (r.typology !== undefined) q.typology = r.typology;
  if (r.instrument !== undefined) q.instrument = r.instrument;
  if (r.owner !== undefined) q.owner = r.owner;
  if (r.assignee !== undefined) q.assignee = r.assignee;
  if (r.minScore !== undefined) q.minScore = r.minScore;
  if (r.order !== undefined) q.order = r.order as NonNullable<CaseQuery['order']>;
  if (r.limit !== undefined) q.limit = r.limit;
  if (r.offset !== undefined) q.offset = r.offset;
  return q;
}

const SIMPLE_ACTIONS = ['triage', 'investigate', 'escalate', 'reopen'] as const;

/** A transition request as a workflow action, naming the field when it is not one. */
export function caseActionFromProto(r: pbc.TransitionCaseRequest): CaseAction {
  if ((SIMPLE_ACTIONS as readonly string[]).includes(r.action))
    return { type: r.action as (typeof SIMPLE_ACTIONS)[number] };
  if (r.action === 'close') {
    if (r.resolution === undefined || !(RESOLUTIONS as readonly string[]).includes(r.resolution))
      throw new InvalidCaseActionError(
        'resolution',
        r.resolution,
        `one of ${RESOLUTIONS.join(', ')} to close a case`,
      );
    return { type: 'close', resolution: r.resolution as (typeof RESOLUTIONS)[number] };
  }
  if (r.action === 'set_priority') {
    if (r.priority === undefined || !(PRIORITIES as readonly string[]).includes(r.priority))
      throw new InvalidCaseActionError('priority', r.priority, `one of ${PRIORITIES.join(', ')}`);
    return { type: 'set_priority', priority: r.priority as (typeof PRIORITIES)[number] };
  }
  throw new InvalidCaseActionError(
    'action',
    r.action,
    `one of ${[...SIMPLE_ACTIONS, 'close', 'set_priority'].join(', ')}`,
  );
}
