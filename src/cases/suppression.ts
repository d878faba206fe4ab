/**
 * False-positive feedback: when an analyst closes a case as a false positive, the owner's
 * signals of that typology are suppressed for a while. The list is synchronous and in memory
 * so a detector or the case manager can ask it on the hot path.
 *
 * @module
 */
import type { Typology } from '../core/signal';
import type { Suppression } from './types';

/** Default suppression after a false-positive resolution: 7 days of event time. */
export const DEFAULT_SUPPRESSION_US = 7 * 24 * 3600 * 1_000_000;

/**
 * Suppressions by (owner, typology), each with an event-time expiry.
 *
 * @example
 * ```ts
 * const list = new SuppressionList(await store.suppressions());
 * if (list.isSuppressed('owner-7', 'spoofing', event.ts)) return; // an analyst said: false positive
 * ```
 */
export class SuppressionList {
  private readonly untilByKey = new Map<string, number>();
  private readonly all: Suppression[] = [];

  constructor(entries: Iterable<Suppression> = []) {
    for (const s of entries) this.add(s);
  }

  /** Adds a suppression; overlapping ones for the same pair keep the latest expiry. */
  add(s: Suppression): void {
    const key = keyOf(s.owner, s.typology);
    const current = this.untilByKey.get(key);
    if (current === undefined || s.until > current) this.untilByKey.set(key, s.until);
    this.all.push({ ...s });
  }

  /** Whether `owner`'s signals of `typology` at event time `ts` are suppressed. */
  isSuppressed(owner: string, typology: Typology, ts: number): boolean {
    const until = this.untilByKey.get(keyOf(owner, typology));
    return until !== undefined && ts < until;
  }

  /** Every suppression added, in insertion order. */
  entries(): Suppression[] {
    return this.all.map((s) => ({ ...s }));
  }

  /** Number of suppressed (owner, typology) pairs, lapsed ones included. */
  get size(): number {
    return this.untilByKey.size;
  }
}

function keyOf(owner: string, typology: string): string {
  return `${owner}\u0000${typology}`;
}
