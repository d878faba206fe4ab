/**
 * The narrator: tells, in plain sentences, what is happening on each (venue, instrument).
 * It weighs signals into evidence that fades with event time, moves each instrument's story
 * through `normal → emerging → suspected → confirmed → normal` with hysteresis and dwell
 * times, and emits one {@link NarrativeLine} per transition. Deterministic: the same
 * signals, cases and ticks give the same lines, byte for byte.
 *
 * @module
 */
import { type Observable, Subject } from 'rxjs';
import type { Signal, Typology } from '../core/signal';
import { formatDurationUs } from '../core/time';
import type { TradeWindowStats } from '../engine/market-stats';
import { type NarrativeConfig, type NarrativeConfigInput, NarrativeConfigSchema } from './config';
import { educationFor, typologyTitle } from './education';
import { type NarrativeAction, type NarrativeState, rankOf, transition } from './state-machine';

/** One sentence of the story: a transition of one instrument, with the numbers behind it. */
export interface NarrativeLine {
  /** Event time of the transition, epoch µs. */
  ts: number;
  venue: string;
  instrument: string;
  from: NarrativeState;
  state: NarrativeState;
  action: NarrativeAction;
  /** The typology the line is about (absent for market-wide lines). */
  typology?: Typology;
  /** The case the line announces. */
  caseId?: string;
  /** Accounts involved, the primary suspect first. */
  accounts: string[];
  /** What changed, as a full sentence with its numbers. */
  text: string;
  /** The numbers quoted in `text` (spreadBp, tradesPerSecond, volumeVsBaseline, evidence, …). */
  numbers: Record<string, number>;
  /** What the typology is, how it was recognised, what to check next (first suspected/confirmed line of an episode). */
  education?: string;
}

/** A case as the narrator needs it (the case service passes this when a case opens). */
export interface NarratedCase {
  id: string;
  typology: Typology;
  venue: string;
  instrument: string;
  accounts: readonly string[];
  score: number;
  /** Event time the case opened at, epoch µs. */
  ts: number;
}

/** Read access to the market the narrator describes; an {@link Engine} is one. */
export interface NarratorMarket {
  instruments(): Iterable<{ book: BookView; stats: StatsView }>;
  book(venue: string, instrument: string): BookView | undefined;
  marketStats(venue: string, instrument: string): StatsView | undefined;
}

/** The part of an order book the narrator reads. */
export interface BookView {
  readonly venue: string;
  readonly instrument: string;
  bestBid(): number;
  bestAsk(): number;
}

/** The part of the rolling statistics the narrator reads. */
export interface StatsView {
  readonly tradeCount: number;
  window(now: number, seconds: number): TradeWindowStats;
}

/** Something that can feed the narrator signals and ticks; an {@link Engine} is one. */
export interface NarratorSource {
  onSignal(listener: (signal: Signal) => void): () => void;
  onTick(listener: (now: number) => void): () => void;
}

interface TypologyEvidence {
  evidence: number;
  ts: number;
  signals: number;
  firstTs: number;
  last: Signal;
}

interface Story {
  venue: string;
  instrument: string;
  state: NarrativeState;
  enteredAt: number;
  firstSeen: number;
  announced: boolean;
  byTypology: Map<Typology, TypologyEvidence>;
  /** A case that opened before the evidence reached suspected; told once it does. */
  pendingCase: NarratedCase | undefined;
  episodeStart: number;
  lessonsTold: Set<Typology>;
}

const LN2 = Math.LN2;

/**
 * Tells the story of every instrument the market shows.
 *
 * @example
 * ```ts
 * const engine = createEngine({ detectors });
 * const narrator = new Narrator({ market: engine, config: { halfLifeMs: 10_000 } });
 * narrator.attachTo(engine);
 * narrator.narrative$.subscribe((line) => console.log(line.text));
 * ```
 */
export class Narrator {
  readonly config: NarrativeConfig;
  /** Every line, as it is told. */
  readonly narrative$: Observable<NarrativeLine>;
  private readonly subject = new Subject<NarrativeLine>();
  private readonly market: NarratorMarket | undefined;
  private readonly stories = new Map<string, Story>();
  private readonly listeners: ((line: NarrativeLine) => void)[] = [];
  private history: NarrativeLine[] = [];
  private readonly halfLifeUs: number;

  constructor(options: { config?: NarrativeConfigInput; market?: NarratorMarket } = {}) {
    this.config = NarrativeConfigSchema.parse(options.config ?? {});
    this.market = options.market;
    this.halfLifeUs = this.config.halfLifeMs * 1000;
    this.narrative$ = this.subject.asObservable();
  }

  /** Follows a source's signals and event-time ticks; returns a function that stops. */
  attachTo(source: NarratorSource): () => void {
    const offSignal = source.onSignal((s) => this.onSignal(s));
    const offTick = source.onTick((now) => this.onTime(now));
    return () => {
      offSignal();
      offTick();
    };
  }

  /** Calls `listener` synchronously with every line; returns an unsubscribe function. */
  onLine(listener: (line: NarrativeLine) => void): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  /** The most recent lines, oldest first (at most `historySize`). */
  lines(): readonly NarrativeLine[] {
    return this.history;
  }

  /** Where the story of (venue, instrument) stands. */
  stateOf(venue: string, instrument: string): NarrativeState {
    return this.stories.get(keyOf(venue, instrument))?.state ?? 'normal';
  }

  /** Current evidence of (venue, instrument) at event time `now`. */
  evidenceOf(venue: string, instrument: string, now: number): number {
    const story = this.stories.get(keyOf(venue, instrument));
    return story === undefined ? 0 : this.totalEvidence(story, now);
  }

  /** Weighs a signal into its instrument's evidence; may move the story up one level. */
  onSignal(signal: Signal): void {
    const now = Number.isFinite(signal.emittedAt) ? signal.emittedAt : signal.window.end;
    const story = this.storyOf(signal.venue, signal.instrument, now);
    const weight = this.config.weights[signal.severity] ?? 0;
    const added = weight * signal.score;
    const entry = story.byTypology.get(signal.typology);
    if (entry === undefined) {
      story.byTypology.set(signal.typology, {
        evidence: added,
        ts: now,
        signals: 1,
        firstTs: now,
        last: signal,
      });
    } else {
      entry.evidence = this.decayed(entry.evidence, entry.ts, now) + added;
      entry.ts = Math.max(entry.ts, now);
      entry.signals++;
      entry.last = signal;
    }
    if (story.state !== 'normal' && story.state !== 'emerging') return;
    const evidence = this.totalEvidence(story, now);
    const target = evidence >= this.config.suspectedAt ? 2 : evidence >= this.config.emergingAt ? 1 : 0;
    // One level per signal: a single strong signal can make a story emerge, never suspected.
    if (target <= rankOf(story.state)) return;
    this.move(story, 'escalate', now, this.escalationLine(story, signal, evidence, now));
    if ((story.state as NarrativeState) === 'suspected' && story.pendingCase !== undefined) {
      const pending = story.pendingCase;
      story.pendingCase = undefined;
      this.move(story, 'case_opened', now, this.caseLine(story, pending));
    }
  }

  /** Tells an opened case once its instrument's evidence is at least suspected. */
  onCaseOpened(c: NarratedCase): void {
    const story = this.storyOf(c.venue, c.instrument, c.ts);
    if (story.state === 'suspected' || story.state === 'confirmed') {
      this.move(story, 'case_opened', c.ts, this.caseLine(story, c));
    } else {
      story.pendingCase = c;
    }
  }

  /**
   * Event-time tick: announces instruments that finished warming up and calls the market
   * normal again where evidence has faded and the dwell time has passed.
   */
  onTime(now: number): void {
    if (this.market !== undefined) {
      for (const { book, stats } of this.market.instruments()) {
        const story = this.storyOf(book.venue, book.instrument, now);
        if (story.announced || stats.tradeCount === 0) continue;
        if (now - story.firstSeen < this.config.warmupMs * 1000) continue;
        story.announced = true;
        if (story.state === 'normal') this.move(story, 'warmed_up', now, this.normalLine(story, now));
      }
    }
    for (const story of this.stories.values()) {
      if (story.state === 'normal') continue;
      const dwellMs = story.state === 'confirmed' ? this.config.confirmedDwellMs : this.config.minDwellMs;
      if (now - story.enteredAt < dwellMs * 1000) continue;
      if (this.totalEvidence(story, now) >= this.config.calmBelow) continue;
      this.move(story, 'calmed', now, this.calmLine(story, now));
      story.byTypology.clear();
      story.pendingCase = undefined;
      story.lessonsTold.clear();
    }
  }

  /** Forgets every story and the history (subscriptions stay). */
  reset(): void {
    this.stories.clear();
    this.history = [];
  }

  private storyOf(venue: string, instrument: string, now: number): Story {
    const key = keyOf(venue, instrument);
    let story = this.stories.get(key);
    if (story === undefined) {
      story = {
        venue,
        instrument,
        state: 'normal',
        enteredAt: now,
        firstSeen: now,
        announced: false,
        byTypology: new Map(),
        pendingCase: undefined,
        episodeStart: now,
        lessonsTold: new Set(),
      };
      this.stories.set(key, story);
    }
    return story;
  }

  private move(
    story: Story,
    action: NarrativeAction,
    now: number,
    content: Omit<NarrativeLine, 'ts' | 'venue' | 'instrument' | 'from' | 'state' | 'action'>,
  ): void {
    const from = story.state;
    const state = transition(from, action);
    if (from === 'normal' && state !== 'normal') story.episodeStart = now;
    if (state !== from) story.enteredAt = now;
    story.state = state;
    const line: NarrativeLine = {
      ts: now,
      venue: story.venue,
      instrument: story.instrument,
      from,
      state,
      action,
      ...content,
    };
    if ((state === 'suspected' || state === 'confirmed') && this.config.education && line.typology) {
      if (!story.lessonsTold.has(line.typology)) {
        story.lessonsTold.add(line.typology);
        line.education = educationFor(line.typology);
      }
    }
    this.history.push(line);
    if (this.history.length > this.config.historySize) this.history.shift();
    for (const listener of this.listeners) listener(line);
    this.subject.next(line);
  }

  private decayed(evidence: number, since: number, now: number): number {
    if (!(now > since)) return evidence;
    return evidence * Math.exp((-LN2 * (now - since)) / this.halfLifeUs);
  }

  private totalEvidence(story: Story, now: number): number {
    let total = 0;
    for (const e of story.byTypology.values()) total += this.decayed(e.evidence, e.ts, now);
    return total;
  }

  /** The typology with the most evidence now (ties: the one seen first). */
  private dominant(story: Story, now: number): [Typology, TypologyEvidence] | undefined {
    let best: [Typology, TypologyEvidence] | undefined;
    let bestEvidence = -1;
    for (const [typology, e] of story.byTypology) {
      const value = this.decayed(e.evidence, e.ts, now);
      if (value > bestEvidence) {
        bestEvidence = value;
        best = [typology, e];
      }
    }
    return best;
  }

  private marketNumbers(story: Story, now: number): Record<string, number> {
    const out: Record<string, number> = {};
    const book = this.market?.book(story.venue, story.instrument);
    if (book !== undefined) {
      const bid = book.bestBid();
      const ask = book.bestAsk();
      if (bid > 0 && ask > bid) out.spreadBp = round(((ask - bid) / ((ask + bid) / 2)) * 10_000, 2);
    }
    const stats = this.market?.marketStats(story.venue, story.instrument);
    if (stats !== undefined && stats.tradeCount > 0) {
      out.tradesPerSecond = round(stats.window(now, 10).trades / 10, 1);
      // Baseline: the seconds before the last five, as many as the narrator has watched (at
      // most 55, the rest of the statistics' minute); under 10 s of history says nothing.
      const baselineSeconds = Math.min(55, Math.floor((now - story.firstSeen) / 1e6) - 5);
      if (baselineSeconds >= 10) {
        const recent = stats.window(now, 5).volume;
        const baselinePerSecond = (stats.window(now, baselineSeconds + 5).volume - recent) / baselineSeconds;
        if (baselinePerSecond > 0) out.volumeVsBaseline = round(recent / 5 / baselinePerSecond, 1);
      }
    }
    return out;
  }

  private normalLine(
    story: Story,
    now: number,
  ): Omit<NarrativeLine, 'ts' | 'venue' | 'instrument' | 'from' | 'state' | 'action'> {
    const numbers = this.marketNumbers(story, now);
    return {
      accounts: [],
      numbers,
      text: `Normal trading detected on ${story.instrument}${marketPhrase(numbers, ': ')}.`,
    };
  }

  private escalationLine(
    story: Story,
    signal: Signal,
    evidence: number,
    now: number,
  ): Omit<NarrativeLine, 'ts' | 'venue' | 'instrument' | 'from' | 'state' | 'action'> {
    const numbers = {
      ...this.marketNumbers(story, now),
      evidence: round(evidence, 2),
      score: round(signal.score, 2),
    };
    const accounts = [...signal.accounts];
    if (story.state === 'normal') {
      return {
        typology: signal.typology,
        accounts,
        numbers,
        text:
          `Abnormal behavior emerging on ${story.instrument}: ${typologyTitle(signal.typology).toLowerCase()} signal` +
          `${accountPhrase(accounts, ' from ')}, score ${fixed(signal.score, 2)} (${signal.severity})` +
          `${marketPhrase(numbers, '; ')}. ${signal.explanation}`,
      };
    }
    const [typology, entry] = this.dominant(story, now) ?? [signal.typology, undefined];
    const signals = entry?.signals ?? 1;
    const spanUs = entry === undefined ? 0 : now - entry.firstTs;
    const last = entry?.last ?? signal;
    const suspects = [...last.accounts];
    return {
      typology,
      accounts: suspects,
      numbers: { ...numbers, signals },
      text:
        `${typologyTitle(typology)} suspected on ${story.instrument}${accountPhrase(suspects, ': ')}` +
        ` — ${signals} signal${signals === 1 ? '' : 's'} in ${formatDurationUs(spanUs)}, evidence ${fixed(evidence, 2)}` +
        ` (threshold ${fixed(this.config.suspectedAt, 2)}). ${last.explanation}`,
    };
  }

  private caseLine(
    story: Story,
    c: NarratedCase,
  ): Omit<NarrativeLine, 'ts' | 'venue' | 'instrument' | 'from' | 'state' | 'action'> {
    const accounts = [...c.accounts];
    return {
      typology: c.typology,
      caseId: c.id,
      accounts,
      numbers: { score: round(c.score, 2) },
      text:
        `Case ${c.id} opened: ${typologyTitle(c.typology).toLowerCase()} on ${story.instrument}` +
        `${accountPhrase(accounts, ', ')}, score ${fixed(c.score, 2)}.`,
    };
  }

  private calmLine(
    story: Story,
    now: number,
  ): Omit<NarrativeLine, 'ts' | 'venue' | 'instrument' | 'from' | 'state' | 'action'> {
    const numbers = {
      ...this.marketNumbers(story, now),
      episodeSeconds: round((now - story.episodeStart) / 1e6, 1),
    };
    return {
      accounts: [],
      numbers,
      text:
        `Market returned to normal on ${story.instrument} after ${formatDurationUs(now - story.episodeStart)}` +
        `${marketPhrase(numbers, ': ')}.`,
    };
  }
}

function keyOf(venue: string, instrument: string): string {
  return `${venue}\u0000${instrument}`;
}

function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

function fixed(n: number, digits: number): string {
  return n.toFixed(digits);
}

/** `prefix` + "spread 0.8 bp, 42 trades/s, volume 9.0× baseline", or '' when nothing is known. */
function marketPhrase(numbers: Record<string, number>, prefix: string): string {
  const parts: string[] = [];
  if (numbers.spreadBp !== undefined) parts.push(`spread ${fixed(numbers.spreadBp, 1)} bp`);
  if (numbers.tradesPerSecond !== undefined) parts.push(`${fixed(numbers.tradesPerSecond, 1)} trades/s`);
  if (numbers.volumeVsBaseline !== undefined)
    parts.push(`volume ${fixed(numbers.volumeVsBaseline, 1)}× baseline`);
  return parts.length === 0 ? '' : `${prefix}${parts.join(', ')}`;
}

function accountPhrase(accounts: readonly string[], prefix: string): string {
  if (accounts.length === 0) return '';
  return `${prefix}account${accounts.length === 1 ? '' : 's'} ${accounts.join(', ')}`;
}
