import { describe, expect, it } from 'vitest';
import {
  IllegalNarrativeTransitionError,
  NARRATIVE_STATES,
  type NarrativeAction,
  type NarrativeState,
  transition,
} from './state-machine';

const ACTIONS: NarrativeAction[] = ['warmed_up', 'escalate', 'case_opened', 'calmed'];

/** The whole table: every (state, action) pair the narrator may take; all others are illegal. */
const ALLOWED: Record<string, NarrativeState> = {
  'normal/warmed_up': 'normal',
  'normal/escalate': 'emerging',
  'emerging/escalate': 'suspected',
  'emerging/calmed': 'normal',
  'suspected/case_opened': 'confirmed',
  'suspected/calmed': 'normal',
  'confirmed/case_opened': 'confirmed',
  'confirmed/calmed': 'normal',
};

describe('narrative transition table', () => {
  for (const from of NARRATIVE_STATES) {
    for (const action of ACTIONS) {
      const expected = ALLOWED[`${from}/${action}`];
      it(`${from} + ${action} → ${expected ?? 'IllegalNarrativeTransitionError'}`, () => {
        if (expected === undefined) {
          expect(() => transition(from, action)).toThrow(IllegalNarrativeTransitionError);
          try {
            transition(from, action);
          } catch (error) {
            expect(error).toMatchObject({ from, action });
          }
        } else {
          expect(transition(from, action)).toBe(expected);
        }
      });
    }
  }
});
