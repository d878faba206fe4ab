/** Draft builders for case tests (no vitest import, so child processes can use them). */
import type { CaseDraft } from '../../src/cases/types';
import type { Signal } from '../../src/core/signal';
import { aSignal } from '../stubs';

/** Builds the draft of a case from signals. */
export function draftOf(id: string, signals: Signal[], extra: Partial<CaseDraft> = {}): CaseDraft {
  const first = signals[0] ?? aSignal();
  return {
    id,
    typology: first.typology,
    instrument: first.instrument,
    venue: first.venue,
    owner: first.owners[0] ?? 'owner-1',
    signals,
    links: [],
    at: Math.max(...signals.map((s) => s.emittedAt), first.emittedAt),
    ...extra,
  };
}
