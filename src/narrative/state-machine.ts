/**
 * The narrator's state machine: one story per (venue, instrument), told as
 * `normal → emerging → suspected → confirmed → normal`. One exhaustive table; anything it
 * does not list is an {@link IllegalNarrativeTransitionError}.
 *
 * @module
 */

/** Where an instrument's story stands. */
export const NARRATIVE_STATES = ['normal', 'emerging', 'suspected', 'confirmed'] as const;
/** One of {@link NARRATIVE_STATES}. */
export type NarrativeState = (typeof NARRATIVE_STATES)[number];

/**
 * What moves a story:
 * - `warmed_up`: the instrument has traded long enough to describe its normal market;
 * - `escalate`: evidence crossed the next level's threshold (one level per signal);
 * - `case_opened`: a case was opened on the instrument while a typology is suspected;
 * - `calmed`: evidence fell below the calm level and the state's dwell time has passed.
 */
export type NarrativeAction = 'warmed_up' | 'escalate' | 'case_opened' | 'calmed';

/** The narrator asked for a move its table does not allow. */
export class IllegalNarrativeTransitionError extends Error {
  override readonly name = 'IllegalNarrativeTransitionError';
  constructor(
    readonly from: NarrativeState,
    readonly action: NarrativeAction,
  ) {
    super(`narrative cannot '${action}' from state '${from}'`);
  }
}

/**
 * The next state, or {@link IllegalNarrativeTransitionError}.
 *
 * @example
 * ```ts
 * transition('normal', 'escalate'); // 'emerging'
 * transition('normal', 'calmed');   // throws: nothing to calm
 * ```
 */
export function transition(from: NarrativeState, action: NarrativeAction): NarrativeState {
  switch (from) {
    case 'normal':
      switch (action) {
        case 'warmed_up':
          return 'normal';
        case 'escalate':
          return 'emerging';
        // A case opened while the narrator has seen too little evidence of its own is held
        // back until the evidence reaches suspected: one isolated signal tells no story.
        case 'case_opened':
        case 'calmed':
          break;
      }
      break;
    case 'emerging':
      switch (action) {
        case 'escalate':
          return 'suspected';
        case 'calmed':
          return 'normal';
        case 'warmed_up':
        case 'case_opened':
          break;
      }
      break;
    case 'suspected':
      switch (action) {
        case 'case_opened':
          return 'confirmed';
        case 'calmed':
          return 'normal';
        case 'warmed_up':
        case 'escalate':
          break;
      }
      break;
    case 'confirmed':
      switch (action) {
        // A second case on the same instrument (another account or typology) is told as a
        // line of its own without changing the state.
        case 'case_opened':
          return 'confirmed';
        case 'calmed':
          return 'normal';
        case 'warmed_up':
        case 'escalate':
          break;
      }
      break;
  }
  throw new IllegalNarrativeTransitionError(from, action);
}

/** Order of the states, for comparing how far a story has gone. */
export function rankOf(state: NarrativeState): number {
  return NARRATIVE_STATES.indexOf(state);
}
