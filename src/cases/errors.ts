/**
 * Case errors. Each carries the data a caller needs to act (which case, which state, which
 * version) and a message that says what was wrong and what was expected.
 *
 * @module
 */
import { describeValue } from '../core/errors';

/** A workflow action is not allowed in the case's current state. */
export class IllegalTransitionError extends Error {
  override readonly name = 'IllegalTransitionError';
  /** The state the case was in. */
  readonly state: string;
  /** The action that was refused. */
  readonly action: string;
  readonly caseId: string | undefined;
  /** Actions that are allowed in `state`. */
  readonly allowed: readonly string[];

  constructor(state: string, action: string, allowed: readonly string[], caseId?: string) {
    super(
      `${caseId ? `case ${caseId}: ` : ''}action '${action}' is not allowed in state '${state}'` +
        ` (allowed: ${allowed.length > 0 ? allowed.join(', ') : 'none'})`,
    );
    this.state = state;
    this.action = action;
    this.allowed = allowed;
    this.caseId = caseId;
  }
}

/** A write was based on a stale version of the case: someone else wrote it first. Re-read and retry. */
export class ConflictError extends Error {
  override readonly name = 'ConflictError';
  readonly caseId: string;
  /** The version the writer read. */
  readonly expectedVersion: number;
  /** The version in the store. */
  readonly actualVersion: number;

  constructor(caseId: string, expectedVersion: number, actualVersion: number) {
    super(
      `case ${caseId} was changed by someone else: expected version ${expectedVersion}, the store has ${actualVersion}; re-read the case and retry`,
    );
    this.caseId = caseId;
    this.expectedVersion = expectedVersion;
    this.actualVersion = actualVersion;
  }
}

/** No case has this id. */
export class CaseNotFoundError extends Error {
  override readonly name = 'CaseNotFoundError';
  readonly caseId: string;

  constructor(caseId: string) {
    super(`no case with id ${JSON.stringify(caseId)}`);
    this.caseId = caseId;
  }
}

/** An action's argument is invalid (an empty comment, an unknown priority, an audit rewrite). */
export class InvalidCaseActionError extends Error {
  override readonly name = 'InvalidCaseActionError';
  /** The offending field (`note`, `priority`, `audit[3]`). */
  readonly field: string;
  readonly value: unknown;
  /** What was expected. */
  readonly reason: string;

  constructor(field: string, value: unknown, reason: string) {
    super(`invalid case field '${field}' = ${describeValue(value)}: ${reason}`);
    this.field = field;
    this.value = value;
    this.reason = reason;
  }
}
