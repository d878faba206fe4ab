/**
 * How the network adapters classify an application error, so gRPC and HTTP answer the
 * same failure the same way (INVALID_ARGUMENT ↔ 400, NOT_FOUND ↔ 404, …). Errors are
 * recognised by name, so a service's error classes need no knowledge of either protocol.
 *
 * @module
 */

/** Protocol-neutral kinds of failure. */
export type ErrorKind =
  | 'invalid_argument'
  | 'not_found'
  | 'failed_precondition'
  | 'conflict'
  | 'unauthenticated'
  | 'permission_denied'
  | 'rate_limited'
  | 'internal';

const BY_NAME: Record<string, ErrorKind> = {
  ScenarioError: 'invalid_argument',
  InvalidEventError: 'invalid_argument',
  BatchRejectedError: 'invalid_argument',
  ConfigError: 'invalid_argument',
  ZodError: 'invalid_argument',
  RangeError: 'invalid_argument',
  InvalidArgumentError: 'invalid_argument',
  CaseNotFoundError: 'not_found',
  NotFoundError: 'not_found',
  IllegalTransitionError: 'failed_precondition',
  PreconditionError: 'failed_precondition',
  InvalidCaseActionError: 'invalid_argument',
  ConflictError: 'conflict',
  VersionConflictError: 'conflict',
  ConcurrencyError: 'conflict',
  OptimisticLockError: 'conflict',
};

/** The kind of `error`: from its `kind` property when it has one, else from its class name. */
export function errorKindOf(error: unknown): ErrorKind {
  if (typeof error !== 'object' || error === null) return 'internal';
  const own = (error as { kind?: unknown }).kind;
  if (typeof own === 'string' && own in HTTP_STATUS) return own as ErrorKind;
  const auth =
    (error as { code?: unknown; name?: unknown }).name === 'AuthError'
      ? (error as { code?: unknown }).code
      : undefined;
  if (auth === 'unauthenticated' || auth === 'permission_denied') return auth;
  return BY_NAME[(error as { name?: string }).name ?? ''] ?? 'internal';
}

/** HTTP status of each kind. */
export const HTTP_STATUS: Record<ErrorKind, 400 | 401 | 403 | 404 | 409 | 429 | 500> = {
  invalid_argument: 400,
  unauthenticated: 401,
  permission_denied: 403,
  not_found: 404,
  failed_precondition: 409,
  conflict: 409,
  rate_limited: 429,
  internal: 500,
};

/** A call that needs something the server was not started with (a simulator, a case store). */
export class PreconditionError extends Error {
  override readonly name = 'PreconditionError';
}
