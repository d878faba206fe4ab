/**
 * Bearer-token authorisation shared by the gRPC service and the HTTP gateway. Tokens map
 * to roles; roles are ordered, each including the rights of the ones below it.
 *
 * @module
 */
import { createHash, timingSafeEqual } from 'node:crypto';

/** Roles, weakest first: viewer reads, analyst also acts on cases, admin also ingests and controls the simulation. */
export const ROLES = ['viewer', 'analyst', 'admin'] as const;

/** One of {@link ROLES}. */
export type Role = (typeof ROLES)[number];

/** A configured token. */
export interface TokenGrant {
  token: string;
  role: Role;
  /** Shown in logs and audit entries instead of the token. */
  name: string;
}

/** Who is calling, once authenticated. */
export interface Principal {
  name: string;
  role: Role;
}

/** Why a call was refused. `code` maps to gRPC UNAUTHENTICATED / PERMISSION_DENIED and HTTP 401 / 403. */
export class AuthError extends Error {
  override readonly name = 'AuthError';
  constructor(
    readonly code: 'unauthenticated' | 'permission_denied',
    message: string,
  ) {
    super(message);
  }
}

/** True when `role` includes the rights of `required`. */
export function hasRole(role: Role, required: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(required);
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/**
 * Checks bearer tokens in constant time (tokens are compared as SHA-256 digests, so the
 * comparison never depends on where two tokens first differ, nor on their lengths).
 * With no tokens configured, every caller is an anonymous admin: fine on a laptop,
 * documented as such, and refused by `serve` when it binds a non-loopback address.
 *
 * @example
 * ```ts
 * const auth = new TokenAuthenticator([{ token: 's3cret', role: 'analyst', name: 'alice' }]);
 * auth.authorize('Bearer s3cret', 'viewer'); // { name: 'alice', role: 'analyst' }
 * ```
 */
export class TokenAuthenticator {
  private readonly grants: { digest: Buffer; role: Role; name: string }[];

  constructor(grants: readonly TokenGrant[]) {
    this.grants = grants.map((g) => ({ digest: digest(g.token), role: g.role, name: g.name }));
  }

  /** True when no token is configured (open access). */
  get isOpen(): boolean {
    return this.grants.length === 0;
  }

  /**
   * Authenticates `authorization` (an `Authorization` header or metadata value) and checks
   * it grants `required`.
   *
   * @throws {@link AuthError}
   */
  authorize(authorization: string | undefined, required: Role): Principal {
    if (this.isOpen) return { name: 'anonymous', role: 'admin' };
    if (authorization === undefined || authorization.length === 0) {
      throw new AuthError('unauthenticated', 'missing bearer token: send "authorization: Bearer <token>"');
    }
    const match = /^Bearer\s+(.+)$/i.exec(authorization.trim());
    if (match === null) {
      throw new AuthError('unauthenticated', 'malformed authorization: expected "Bearer <token>"');
    }
    const presented = digest(match[1] as string);
    let found: { role: Role; name: string } | undefined;
    // Compare against every grant so timing does not reveal which one matched.
    for (const grant of this.grants) {
      if (timingSafeEqual(grant.digest, presented) && found === undefined) found = grant;
    }
    if (found === undefined) throw new AuthError('unauthenticated', 'unknown bearer token');
    if (!hasRole(found.role, required)) {
      throw new AuthError(
        'permission_denied',
        `role '${found.role}' of '${found.name}' may not do this: it needs '${required}'`,
      );
    }
    return { name: found.name, role: found.role };
  }
}
