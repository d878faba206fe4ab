import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { aSignal, resetIds } from '../../test/stubs';
import { IllegalTransitionError, InvalidCaseActionError } from './errors';
import { mergeDraft } from './merge';
import { CASE_STATES, type Case, type CaseState, PRIORITIES, RESOLUTIONS } from './types';
import {
  allowedActions,
  applyAction,
  assertAuditAppendOnly,
  CASE_ACTION_TYPES,
  type CaseAction,
  replayAudit,
  transition,
} from './workflow';

function newCase(): Case {
  const signal = aSignal();
  return mergeDraft(undefined, {
    id: 'case_1',
    typology: signal.typology,
    instrument: signal.instrument,
    venue: signal.venue,
    owner: 'owner-1',
    signals: [signal],
    links: [],
    at: signal.emittedAt,
  }).case;
}

const by = (at: number, note?: string) =>
  note === undefined ? { actor: 'ana', at } : { actor: 'ana', at, note };

describe('case workflow', () => {
  beforeEach(() => resetIds());

  it('walks open → triage → investigating → escalated → closed with a resolution', () => {
    let c = newCase();
    c = applyAction(c, { type: 'triage' }, by(1));
    c = applyAction(c, { type: 'investigate' }, by(2));
    c = applyAction(c, { type: 'escalate' }, by(3));
    c = applyAction(c, { type: 'close', resolution: 'true_positive' }, by(4, 'reported to the regulator'));
    expect(c.state).toBe('closed');
    expect(c.resolution).toBe('true_positive');
    expect(c.audit.map((e) => [e.action, e.from, e.to])).toEqual([
      ['create', 'open', 'open'],
      ['ingest_signal', 'open', 'open'],
      ['triage', 'open', 'triage'],
      ['investigate', 'triage', 'investigating'],
      ['escalate', 'investigating', 'escalated'],
      ['close', 'escalated', 'closed'],
    ]);
    expect(c.audit.at(-1)).toEqual({
      at: 4,
      actor: 'ana',
      action: 'close',
      from: 'escalated',
      to: 'closed',
      note: 'reported to the regulator',
      value: 'true_positive',
    });
  });

  it('reopens a closed case into investigating and clears the resolution', () => {
    let c = newCase();
    c = applyAction(c, { type: 'triage' }, by(1));
    c = applyAction(c, { type: 'close', resolution: 'false_positive' }, by(2));
    c = applyAction(c, { type: 'reopen' }, by(3, 'new evidence'));
    expect(c.state).toBe('investigating');
    expect(c.resolution).toBeUndefined();
  });

  it('refuses to escalate an open case, naming the state and the action', () => {
    const c = newCase();
    let error: unknown;
    try {
      applyAction(c, { type: 'escalate' }, by(1));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(IllegalTransitionError);
    const illegal = error as IllegalTransitionError;
    expect(illegal.state).toBe('open');
    expect(illegal.action).toBe('escalate');
    expect(illegal.caseId).toBe('case_1');
    expect(illegal.message).toContain("action 'escalate' is not allowed in state 'open'");
  });

  it('allows only comments and reopen on a closed case', () => {
    expect(allowedActions('closed').sort()).toEqual(['comment', 'reopen']);
    expect(() => transition('closed', 'assign')).toThrow(IllegalTransitionError);
  });

  it('assigns, unassigns, sets priority and keeps comments in the audit trail', () => {
    let c = newCase();
    c = applyAction(c, { type: 'assign', assignee: 'bo' }, by(1));
    c = applyAction(c, { type: 'set_priority', priority: 'critical' }, by(2));
    c = applyAction(c, { type: 'comment' }, by(3, 'owner also active on venue B'));
    expect(c.assignee).toBe('bo');
    expect(c.priority).toBe('critical');
    c = applyAction(c, { type: 'assign', assignee: null }, by(4));
    expect(c.assignee).toBeUndefined();
    expect(c.audit.filter((e) => e.action === 'comment').map((e) => e.note)).toEqual([
      'owner also active on venue B',
    ]);
  });

  it('rejects an empty comment, an unknown priority and a missing actor with the field named', () => {
    const c = newCase();
    expect(() => applyAction(c, { type: 'comment' }, by(1, '  '))).toThrow(/'note'/);
    expect(() => applyAction(c, { type: 'set_priority', priority: 'urgent' as never }, by(1))).toThrow(
      InvalidCaseActionError,
    );
    expect(() => applyAction(c, { type: 'triage' }, { actor: '', at: 1 })).toThrow(/'actor'/);
  });

  it('attaches and detaches signals, recomputing evidence and score', () => {
    let c = newCase();
    const extra = aSignal({
      severity: 'low',
      score: 0.2,
      window: { start: c.window.end + 1, end: c.window.end + 5 },
    });
    c = applyAction(c, { type: 'attach_signal', signal: extra }, by(1));
    expect(c.signals).toHaveLength(2);
    expect(c.evidence).toHaveLength(2);
    expect(c.window.end).toBe(extra.window.end);
    const first = c.signals[0]?.id as string;
    c = applyAction(c, { type: 'detach_signal', signalId: first }, by(2, 'belongs to another episode'));
    expect(c.signals.map((s) => s.id)).toEqual([extra.id]);
    expect(c.detachedSignalIds).toEqual([first]);
    expect(c.severity).toBe('low');
    expect(() => applyAction(c, { type: 'detach_signal', signalId: 'nope' }, by(3))).toThrow(/signalId/);
  });

  it('never lets a write rewrite an earlier audit entry', () => {
    const c = applyAction(newCase(), { type: 'triage' }, by(1));
    const forged = c.audit.map((e, i) => (i === 0 ? { ...e, actor: 'mallory' } : e));
    expect(() => assertAuditAppendOnly(c.audit, forged)).toThrow(/immutable/);
    expect(() => assertAuditAppendOnly(c.audit, c.audit.slice(1))).toThrow(InvalidCaseActionError);
  });
});

describe('case workflow properties', () => {
  const actionArb: fc.Arbitrary<{ action: CaseAction; note: string }> = fc.oneof(
    fc
      .constantFrom<CaseAction>(
        { type: 'triage' },
        { type: 'investigate' },
        { type: 'escalate' },
        { type: 'reopen' },
      )
      .map((action) => ({ action, note: '' })),
    fc
      .constantFrom(...RESOLUTIONS)
      .map((resolution) => ({ action: { type: 'close', resolution } as CaseAction, note: '' })),
    fc
      .option(fc.constantFrom('ana', 'bo', 'cy'), { nil: null })
      .map((assignee) => ({ action: { type: 'assign', assignee } as CaseAction, note: '' })),
    fc
      .string({ minLength: 1, maxLength: 8 })
      .map((note) => ({ action: { type: 'comment' } as CaseAction, note: `c:${note}` })),
    fc
      .constantFrom(...PRIORITIES)
      .map((priority) => ({ action: { type: 'set_priority', priority } as CaseAction, note: '' })),
  );

  it('never reaches an undefined state, and the audit trail replays to the current state', () => {
    fc.assert(
      fc.property(fc.array(actionArb, { maxLength: 40 }), (steps) => {
        resetIds();
        let c = newCase();
        let at = 10;
        let applied = c.audit.length;
        for (const { action, note } of steps) {
          const before = c;
          let allowed = true;
          try {
            transition(c.state, action.type);
          } catch (e) {
            expect(e).toBeInstanceOf(IllegalTransitionError);
            allowed = false;
          }
          if (allowed) {
            c = applyAction(c, action, { actor: 'ana', at: at++, note });
            applied++;
            assertAuditAppendOnly(before.audit, c.audit);
          } else {
            expect(() => applyAction(c, action, { actor: 'ana', at: at++, note })).toThrow(
              IllegalTransitionError,
            );
          }
          expect(CASE_STATES).toContain(c.state);
          expect(c.resolution !== undefined).toBe(c.state === 'closed');
        }
        expect(c.audit).toHaveLength(applied);
        const replayed = replayAudit(c.audit);
        expect(replayed.state).toBe(c.state);
        expect(replayed.resolution).toBe(c.resolution);
        expect(replayed.assignee).toBe(c.assignee);
        expect(replayed.priority).toBe(c.priority);
      }),
      { numRuns: 300, seed: 7 },
    );
  });

  it('has a row or a typed refusal for every (state, action) pair', () => {
    for (const state of CASE_STATES) {
      for (const action of CASE_ACTION_TYPES) {
        let next: CaseState | undefined;
        try {
          next = transition(state, action);
        } catch (e) {
          expect(e).toBeInstanceOf(IllegalTransitionError);
          expect((e as IllegalTransitionError).allowed).toEqual(allowedActions(state));
        }
        if (next !== undefined) expect(CASE_STATES).toContain(next);
      }
    }
  });
});
