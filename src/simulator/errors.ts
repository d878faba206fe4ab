/**
 * Errors of the simulator.
 *
 * @module
 */

/** One problem with a scenario injection. */
export interface ScenarioIssue {
  /** Parameter path (`intensity`, `accounts.0`), or `scenario` for an unknown name. */
  path: string;
  message: string;
}

/** A scenario could not be injected: unknown name or invalid parameters. Carries every issue. */
export class ScenarioError extends Error {
  override readonly name = 'ScenarioError';
  constructor(
    readonly scenario: string,
    readonly issues: readonly ScenarioIssue[],
  ) {
    super(`cannot inject '${scenario}': ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
  }
}
