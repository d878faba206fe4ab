/**
 * Folds signals into cases. Synchronous and deterministic: the same signals in the same
 * order give the same drafts with the same case ids, so a replay or a restarted worker
 * upserts the cases it made before instead of opening new ones.
 *
 * @module
 */
import type { MarketEvent } from '../core/events';
import { stableId } from '../core/ids';
import type { Signal, Typology } from '../core/signal';
import type { MarketContextRecorder } from './market-context';
import { ANOMALY_TYPOLOGY } from './scoring';
import type { SuppressionList } from './suppression';
import type { CaseDraft, MlFeature } from './types';

/** The owner of a case built from market-wide signals that name no account. */
export const MARKET_OWNER = '(market)';

/** New cases between two sweeps of cases too old to be joined or linked. */
export const SWEEP_EVERY = 1024;

/** Options of {@link CaseManager}. */
export interface CaseManagerOptions {
  /**
   * A signal joins an existing case of the same (typology, instrument, owner) when its window
   * starts at most this long after the case's window ends. Default 5 minutes: long enough to
   * gather one episode's repeated signals, short enough that the next day's is a new case.
   */
  mergeWindowUs?: number;
  /** Cases of other typologies on the same owner are linked within this gap. Default 1 hour. */
  linkWindowUs?: number;
  /** Analysts' false-positive feedback; suppressed signals open no case (they are counted). */
  suppressions?: SuppressionList;
  /** Source of the price/volume context kept with each case. */
  recorder?: MarketContextRecorder;
  /** Context span on each side of the case window. Default 60 s. */
  contextPaddingUs?: number;
  /** Bars in a case's context. Default 60. */
  contextBars?: number;
}

/** Counters of a {@link CaseManager}. */
export interface CaseManagerStats {
  signals: number;
  casesOpened: number;
  merged: number;
  suppressed: number;
  drafts: number;
}

interface OpenCase {
  id: string;
  typology: Typology;
  instrument: string;
  venue: string;
  owner: string;
  windowStart: number;
  windowEnd: number;
}

interface MlSighting {
  score: number;
  features: MlFeature[];
  windowEnd: number;
}

/** JSON-safe state of a {@link CaseManager}, for checkpoints. */
export interface CaseManagerSnapshot {
  /** Every case the manager still tracks. */
  cases: OpenCase[];
  /** (typology, instrument, owner) key → id of the case new signals join. */
  open: [string, string][];
  /** Owner → ids of recent cases, for links. */
  owners: [string, string[]][];
  ml: [string, MlSighting][];
  watermark: number;
  stats: CaseManagerStats;
}

/**
 * The case id for a case first opened by `signal`: a hash of typology, instrument, primary
 * owner, window start and detector version (DESIGN §2).
 */
export function caseIdFor(signal: Signal, owner: string): string {
  return stableId('case_', [
    signal.typology,
    signal.instrument,
    owner,
    signal.window.start,
    `${signal.detector}@${signal.version}`,
  ]);
}

/** The owner a signal is about: its first owner, else its first account, else {@link MARKET_OWNER}. */
export function primaryOwner(signal: Signal): string {
  return signal.owners[0] ?? signal.accounts[0] ?? MARKET_OWNER;
}

/**
 * Turns signals into case drafts for a {@link CaseStore}.
 *
 * - Same (typology, instrument, owner) within `mergeWindowUs` → one case.
 * - A new case on an owner who has cases of other typologies → both sides get a link.
 * - Anomaly-model signals open their own cases and lend their score (and top features) to
 *   the owner's rule cases on that instrument, which raises the combined score.
 *
 * @example
 * ```ts
 * const manager = new CaseManager({ mergeWindowUs: 300_000_000 });
 * engine.onSignal((s) => pending.push(...manager.onSignal(s)));
 * await store.upsert(pending);
 * ```
 */
export class CaseManager {
  private readonly mergeWindowUs: number;
  private readonly linkWindowUs: number;
  private readonly contextPaddingUs: number;
  private readonly contextBars: number;
  private readonly suppressions: SuppressionList | undefined;
  private readonly recorder: MarketContextRecorder | undefined;
  /** Latest case per (typology, instrument, owner). */
  private readonly openByKey = new Map<string, OpenCase>();
  /** Latest cases per owner, for links. */
  private readonly byOwner = new Map<string, OpenCase[]>();
  /** Latest anomaly score per (instrument, owner). */
  private readonly mlByKey = new Map<string, MlSighting>();
  /** Newest signal emission time seen (event time). */
  private watermark = Number.MIN_SAFE_INTEGER;
  private newCasesSinceSweep = 0;
  private readonly counters: CaseManagerStats = {
    signals: 0,
    casesOpened: 0,
    merged: 0,
    suppressed: 0,
    drafts: 0,
  };

  constructor(options: CaseManagerOptions = {}) {
    this.mergeWindowUs = nonNegative('mergeWindowUs', options.mergeWindowUs ?? 300_000_000);
    this.linkWindowUs = nonNegative('linkWindowUs', options.linkWindowUs ?? 3_600_000_000);
    this.contextPaddingUs = nonNegative('contextPaddingUs', options.contextPaddingUs ?? 60_000_000);
    this.contextBars = nonNegative('contextBars', options.contextBars ?? 60);
    this.suppressions = options.suppressions;
    this.recorder = options.recorder;
  }

  /** Feeds market context; call for every event (only trades are kept). */
  onEvent(e: MarketEvent): void {
    this.recorder?.record(e);
  }

  /** Folds one signal; returns the drafts to upsert, in order (empty when suppressed). */
  onSignal(signal: Signal): CaseDraft[] {
    this.counters.signals++;
    if (signal.emittedAt > this.watermark) this.watermark = signal.emittedAt;
    const owner = primaryOwner(signal);
    if (this.suppressions?.isSuppressed(owner, signal.typology, signal.window.start)) {
      this.counters.suppressed++;
      return [];
    }
    const drafts: CaseDraft[] = [];
    const key = `${signal.typology}\u0000${signal.instrument}\u0000${owner}`;
    let open = this.openByKey.get(key);
    let links: string[] = [];
    if (open !== undefined && signal.window.start <= open.windowEnd + this.mergeWindowUs) {
      if (signal.window.start < open.windowStart) open.windowStart = signal.window.start;
      if (signal.window.end > open.windowEnd) open.windowEnd = signal.window.end;
      this.counters.merged++;
    } else {
      open = {
        id: caseIdFor(signal, owner),
        typology: signal.typology,
        instrument: signal.instrument,
        venue: signal.venue,
        owner,
        windowStart: signal.window.start,
        windowEnd: signal.window.end,
      };
      this.openByKey.set(key, open);
      this.counters.casesOpened++;
      if (++this.newCasesSinceSweep >= SWEEP_EVERY) {
        this.newCasesSinceSweep = 0;
        this.sweep();
      }
      links = this.linkOwnerCases(open, drafts, signal.emittedAt);
    }
    const draft: CaseDraft = {
      id: open.id,
      typology: open.typology,
      instrument: open.instrument,
      venue: open.venue,
      owner,
      signals: [signal],
      links,
      at: signal.emittedAt,
    };
    const mlKey = `${signal.instrument}\u0000${owner}`;
    if (signal.typology === ANOMALY_TYPOLOGY) {
      const sighting: MlSighting = {
        score: signal.score,
        features: featuresOf(signal),
        windowEnd: signal.window.end,
      };
      const previous = this.mlByKey.get(mlKey);
      if (
        previous === undefined ||
        signal.window.end - previous.windowEnd > this.mergeWindowUs ||
        sighting.score >= previous.score
      ) {
        this.mlByKey.set(mlKey, sighting);
      }
      if (owner !== MARKET_OWNER) this.lendMlScore(owner, signal, sighting, drafts);
    } else {
      const sighting = this.mlByKey.get(mlKey);
      if (
        sighting !== undefined &&
        Math.abs(signal.window.start - sighting.windowEnd) <= this.mergeWindowUs
      ) {
        draft.mlScore = sighting.score;
        draft.mlFeatures = sighting.features;
      }
    }
    if (this.recorder !== undefined) {
      const context = this.recorder.context(
        open.instrument,
        { start: open.windowStart, end: open.windowEnd },
        this.contextPaddingUs,
        this.contextBars,
      );
      if (context !== undefined) draft.context = context;
    }
    // The case's own draft goes first so link drafts never name a case the store lacks.
    drafts.unshift(draft);
    this.counters.drafts += drafts.length;
    return drafts;
  }

  /** Links a new case with the owner's recent cases of other typologies; returns its links. */
  private linkOwnerCases(created: OpenCase, drafts: CaseDraft[], at: number): string[] {
    const recent = this.byOwner.get(created.owner) ?? [];
    const kept: OpenCase[] = [];
    const links: string[] = [];
    for (const other of recent) {
      // Forget cases that ended too long ago to be linked (keeps the list short).
      if (created.windowStart - other.windowEnd > this.linkWindowUs) continue;
      kept.push(other);
      if (other.typology === created.typology || created.owner === MARKET_OWNER) continue;
      links.push(other.id);
      drafts.push({
        id: other.id,
        typology: other.typology,
        instrument: other.instrument,
        venue: other.venue,
        owner: other.owner,
        signals: [],
        links: [created.id],
        at,
      });
    }
    kept.push(created);
    this.byOwner.set(created.owner, kept);
    return links;
  }

  /** Raises the ML score of the owner's rule cases on the signal's instrument. */
  private lendMlScore(owner: string, signal: Signal, sighting: MlSighting, drafts: CaseDraft[]): void {
    const recent = this.byOwner.get(owner);
    if (recent === undefined) return;
    for (const c of recent) {
      if (c.typology === ANOMALY_TYPOLOGY || c.instrument !== signal.instrument) continue;
      if (Math.abs(signal.window.start - c.windowEnd) > this.mergeWindowUs) continue;
      drafts.push({
        id: c.id,
        typology: c.typology,
        instrument: c.instrument,
        venue: c.venue,
        owner: c.owner,
        signals: [],
        links: [],
        mlScore: sighting.score,
        mlFeatures: sighting.features,
        at: signal.emittedAt,
      });
    }
  }

  /**
   * Drops cases too old to take a signal or a link. Runs every {@link SWEEP_EVERY} new cases,
   * driven by event time, so memory stays bounded on an endless stream and replays stay identical.
   */
  private sweep(): void {
    const horizon = this.watermark - Math.max(this.mergeWindowUs, this.linkWindowUs);
    for (const [key, c] of this.openByKey) if (c.windowEnd < horizon) this.openByKey.delete(key);
    for (const [owner, list] of this.byOwner) {
      const kept = list.filter((c) => c.windowEnd >= horizon);
      if (kept.length === 0) this.byOwner.delete(owner);
      else this.byOwner.set(owner, kept);
    }
    for (const [key, m] of this.mlByKey) if (m.windowEnd < horizon) this.mlByKey.delete(key);
  }

  /** Counters since construction (or restore). */
  stats(): CaseManagerStats {
    return { ...this.counters };
  }

  /** The manager's state as JSON-safe data. */
  snapshot(): CaseManagerSnapshot {
    const byId = new Map<string, OpenCase>();
    for (const c of this.openByKey.values()) byId.set(c.id, c);
    for (const list of this.byOwner.values()) for (const c of list) byId.set(c.id, c);
    return {
      cases: [...byId.values()].map((c) => ({ ...c })),
      open: [...this.openByKey.entries()].map(([k, c]) => [k, c.id]),
      owners: [...this.byOwner.entries()].map(([o, list]) => [o, list.map((c) => c.id)]),
      ml: [...this.mlByKey.entries()].map(([k, v]) => [
        k,
        { ...v, features: v.features.map((f) => ({ ...f })) },
      ]),
      watermark: this.watermark,
      stats: this.stats(),
    };
  }

  /** Replaces the state with a snapshot's. */
  restore(snapshot: CaseManagerSnapshot): void {
    this.clearState();
    const byId = new Map<string, OpenCase>();
    for (const c of snapshot.cases) byId.set(c.id, { ...c });
    for (const [key, id] of snapshot.open) {
      const c = byId.get(id);
      if (c !== undefined) this.openByKey.set(key, c);
    }
    for (const [owner, ids] of snapshot.owners) {
      const list: OpenCase[] = [];
      for (const id of ids) {
        const c = byId.get(id);
        if (c !== undefined) list.push(c);
      }
      this.byOwner.set(owner, list);
    }
    for (const [k, v] of snapshot.ml)
      this.mlByKey.set(k, { ...v, features: v.features.map((f) => ({ ...f })) });
    this.watermark = snapshot.watermark;
    Object.assign(this.counters, snapshot.stats);
  }

  /** Forgets every tracked case, sighting and recorded trade (simulator reset). Counters stay. */
  reset(): void {
    this.clearState();
    this.recorder?.clear();
  }

  private clearState(): void {
    this.openByKey.clear();
    this.byOwner.clear();
    this.mlByKey.clear();
    this.watermark = Number.MIN_SAFE_INTEGER;
    this.newCasesSinceSweep = 0;
  }
}

/** The anomaly signal's metrics are its top features (the detector orders them by influence). */
function featuresOf(signal: Signal): MlFeature[] {
  const out: MlFeature[] = [];
  for (const name of Object.keys(signal.metrics)) out.push({ name, value: signal.metrics[name] as number });
  return out;
}

function nonNegative(field: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) {
    throw new RangeError(`CaseManager option ${field} must be a non-negative number, got ${value}`);
  }
  return value;
}
