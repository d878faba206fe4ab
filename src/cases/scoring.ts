/**
 * How a case's score and summary fields follow from its signals. One place, so every store
 * and the case manager agree on the numbers.
 *
 * @module
 */
import type { EventRef } from '../core/events';
import type { Severity, Signal } from '../core/signal';
import type { Case, Priority } from './types';

/**
 * Weight of each severity in the rule component. A detector's `high` is its own strongest
 * claim, so it counts fully; `low` still counts a third so many weak signals never outrank one strong one.
 */
export const SEVERITY_WEIGHT: Readonly<Record<Severity, number>> = { low: 1 / 3, medium: 2 / 3, high: 1 };

/**
 * How far the anomaly model alone can raise a rule case: the ML score corroborates a rule
 * (it saw the owner behave unusually on independent features) but never decides alone.
 */
export const ML_WEIGHT = 0.5;

const SEVERITY_RANK: Readonly<Record<Severity, number>> = { low: 0, medium: 1, high: 2 };

/** The typology of the Isolation Forest's signals; it feeds the ML component, not the rule one. */
export const ANOMALY_TYPOLOGY = 'anomaly';

/** The rule component of one signal: its own score scaled halfway toward its severity weight. */
export function ruleComponent(signal: Signal): number {
  return clamp01(0.5 * clamp01(signal.score) + 0.5 * SEVERITY_WEIGHT[signal.severity]);
}

/**
 * Combined case score: `1 − (1 − rule)·(1 − ML_WEIGHT·ml)`, a noisy-or in which the ML score
 * raises a rule case toward 1 but only up to half the remaining distance. A case with no
 * rule signal (an anomaly case) scores its ML score.
 */
export function combineScores(ruleScore: number, mlScore: number | undefined): number {
  const ml = mlScore === undefined ? 0 : clamp01(mlScore);
  if (ruleScore <= 0) return ml;
  return clamp01(1 - (1 - clamp01(ruleScore)) * (1 - ML_WEIGHT * ml));
}

/** Severity → the priority a new case starts with. */
export function priorityFor(severity: Severity): Priority {
  return severity;
}

/** The more severe of two severities. */
export function maxSeverity(a: Severity, b: Severity): Severity {
  return SEVERITY_RANK[b] > SEVERITY_RANK[a] ? b : a;
}

function evidenceKey(ref: EventRef): string {
  return `${ref.kind}\u0000${ref.venue}\u0000${ref.id ?? ''}\u0000${ref.ts}\u0000${ref.seq ?? ''}`;
}

/**
 * Recomputes every field derived from the attached signals (window, accounts, evidence,
 * severity, rule and combined score). Returns a new case; the input is not changed.
 */
export function withDerivedFields(c: Case): Case {
  const signals = c.signals;
  let ruleScore = 0;
  let mlFromSignals: number | undefined;
  let severity: Severity = 'low';
  let start = Number.POSITIVE_INFINITY;
  let end = Number.NEGATIVE_INFINITY;
  const accounts: string[] = [];
  const seenAccounts = new Set<string>();
  const evidence: EventRef[] = [];
  const seenEvidence = new Set<string>();
  for (let i = 0; i < signals.length; i++) {
    const s = signals[i] as Signal;
    if (s.window.start < start) start = s.window.start;
    if (s.window.end > end) end = s.window.end;
    severity = i === 0 ? s.severity : maxSeverity(severity, s.severity);
    if (s.typology === ANOMALY_TYPOLOGY) {
      mlFromSignals = Math.max(mlFromSignals ?? 0, clamp01(s.score));
    } else {
      ruleScore = Math.max(ruleScore, ruleComponent(s));
    }
    for (const a of s.accounts) {
      if (!seenAccounts.has(a)) {
        seenAccounts.add(a);
        accounts.push(a);
      }
    }
    for (const ref of s.evidence) {
      const key = evidenceKey(ref);
      if (!seenEvidence.has(key)) {
        seenEvidence.add(key);
        evidence.push(ref);
      }
    }
  }
  evidence.sort((a, b) => a.ts - b.ts || (a.seq ?? 0) - (b.seq ?? 0));
  let mlScore = c.mlScore;
  if (mlFromSignals !== undefined) mlScore = Math.max(mlScore ?? 0, mlFromSignals);
  const next: Case = {
    ...c,
    window: signals.length > 0 ? { start, end } : c.window,
    accounts: signals.length > 0 ? accounts : c.accounts,
    evidence,
    severity: signals.length > 0 ? severity : c.severity,
    ruleScore,
    score: combineScores(ruleScore, mlScore),
  };
  if (mlScore !== undefined) next.mlScore = mlScore;
  return next;
}

function clamp01(x: number): number {
  if (!Number.isFinite(x)) return 0;
  return x < 0 ? 0 : x > 1 ? 1 : x;
}
