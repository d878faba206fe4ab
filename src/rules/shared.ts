/**
 * What every rule detector needs to build a signal and keep bounded state: severity from a
 * score, score ramps, number formatting for explanation sentences, evidence references,
 * and an event-time sliding window that evicts.
 *
 * @module
 */
import type { z } from 'zod';
import { ConfigError, describeValue } from '../core/errors';
import type { EventRef, MarketEvent, Side, Trade } from '../core/events';
import { eventRef } from '../core/events';
import type { Severity } from '../core/signal';
import { formatDurationUs } from '../core/time';

/** Score thresholds of the severities: below `medium` a signal is `low`. */
export interface SeverityThresholds {
  /** Lowest score that is `medium`. */
  medium: number;
  /** Lowest score that is `high`. */
  high: number;
}

/**
 * Default severity bands. Rule detectors only emit once every required condition holds, so
 * their scores start near 0.5; 0.65 and 0.85 leave room for "barely over every threshold"
 * (low), "clearly over" (medium) and "far over on every measure" (high).
 */
export const DEFAULT_SEVERITY: Readonly<SeverityThresholds> = { medium: 0.65, high: 0.85 };

/** The severity of a score in 0..1. */
export function severityOf(score: number, thresholds: SeverityThresholds = DEFAULT_SEVERITY): Severity {
  if (score >= thresholds.high) return 'high';
  if (score >= thresholds.medium) return 'medium';
  return 'low';
}

/** `x` clamped to 0..1 (NaN becomes 0). */
export function clamp01(x: number): number {
  return x >= 0 ? (x <= 1 ? x : 1) : 0;
}

/**
 * How far `x` has gone from `low` (0) to `high` (1), clamped: the building block of
 * rule scores ("how far over its threshold is this measure").
 */
export function ramp(x: number, low: number, high: number): number {
  if (!(high > low)) return x >= low ? 1 : 0;
  return clamp01((x - low) / (high - low));
}

/**
 * The score of a detector whose required conditions all hold: 0.5 for "just over every
 * threshold", rising to 1 with the mean of `margins` (each in 0..1, from {@link ramp}).
 */
export function scoreFromMargins(margins: readonly number[]): number {
  if (margins.length === 0) return 0.5;
  let sum = 0;
  for (let i = 0; i < margins.length; i++) sum += clamp01(margins[i] as number);
  return 0.5 + 0.5 * (sum / margins.length);
}

/**
 * A number for an explanation sentence: at most `digits` decimals, trailing zeros dropped,
 * thousands grouped (`48`, `0.5`, `12,500.25`). Keeps small quantities readable
 * (`0.0042` stays `0.0042`).
 */
export function fmtNum(x: number, digits = 2): string {
  if (!Number.isFinite(x)) return String(x);
  const abs = Math.abs(x);
  let decimals = digits;
  // Small values keep two significant digits instead of rounding to 0.
  if (abs > 0 && abs < 1) decimals = Math.max(digits, Math.min(8, 1 - Math.floor(Math.log10(abs))));
  const fixed = x.toFixed(decimals);
  const [whole = '0', frac = ''] = fixed.split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const trimmed = frac.replace(/0+$/, '');
  return trimmed.length > 0 ? `${grouped}.${trimmed}` : grouped;
}

/** A ratio as a percentage for a sentence: `0.962` → `96%`, `0.0042` → `0.42%`. */
export function fmtPct(ratio: number): string {
  const pct = ratio * 100;
  if (!Number.isFinite(pct)) return String(pct);
  return `${fmtNum(pct, Math.abs(pct) >= 10 ? 0 : 1)}%`;
}

/** Basis points for a sentence: `32.5 bps`. */
export function fmtBps(bps: number): string {
  return `${fmtNum(bps, 1)} bps`;
}

/** A duration in µs for a sentence: `850 µs`, `1.80 s`, `3.0 min`. */
export function fmtDuration(us: number): string {
  return formatDurationUs(us);
}

/** `1 order`, `12 orders`: a count with its noun. */
export function plural(count: number, noun: string, nounPlural = `${noun}s`): string {
  return `${fmtNum(count, 0)} ${count === 1 ? noun : nounPlural}`;
}

/** Basis points of `to` relative to `from` (positive when `to` is higher). */
export function bpsChange(from: number, to: number): number {
  return from > 0 ? ((to - from) / from) * 10_000 : 0;
}

/**
 * The evidence reference of an event. For a trade, `account` names the suspect's side of
 * it (the buyer when `side` is buy), so a case shows whose execution it was.
 */
export function evidenceRef(e: MarketEvent, account?: string, side?: Side): EventRef {
  const ref = eventRef(e);
  if (account !== undefined) ref.account = account;
  if (side !== undefined) ref.side = side;
  return ref;
}

/** The account on `side` of a trade, if the feed names it. */
export function tradeAccount(t: Trade, side: Side): string | undefined {
  return side === 'buy' ? t.buyAccount : t.sellAccount;
}

/** The side opposite to `side`. */
export function opposite(side: Side): Side {
  return side === 'buy' ? 'sell' : 'buy';
}

/**
 * At most `max` references: the first `max − 1` and the last one, so a case still shows
 * how an episode began and where it ended. Returns `refs` itself when it is short enough.
 */
export function capEvidence(refs: EventRef[], max: number): EventRef[] {
  if (refs.length <= max) return refs;
  if (max < 2) return refs.slice(0, Math.max(0, max));
  const out = refs.slice(0, max - 1);
  out.push(refs[refs.length - 1] as EventRef);
  return out;
}

/** Key of one book in detector state maps. */
export function bookKey(venue: string, instrument: string): string {
  return `${venue}\u0000${instrument}`;
}

/** Something stamped with event time. */
export interface Timed {
  /** Event time, epoch µs. */
  ts: number;
}

/**
 * An event-time sliding window: a ring buffer of items in arrival order that evicts items
 * older than the window and, as a hard bound, the oldest item when full. Memory never grows
 * beyond `capacity` items, whatever the event rate.
 *
 * @example
 * ```ts
 * const recent = new EventWindow<{ ts: number; qty: number }>(5_000_000, 1024);
 * recent.push({ ts: e.ts, qty: e.qty });
 * recent.evictBefore(e.ts - recent.spanUs);
 * for (let i = 0; i < recent.size; i++) total += recent.get(i).qty;
 * ```
 */
export class EventWindow<T extends Timed> {
  private items: (T | undefined)[];
  private head = 0;
  private count = 0;
  /** Items pushed out because the window was full (not because they aged out). */
  overflowed = 0;

  /**
   * @param spanUs - window length, µs: {@link EventWindow.evictOlderThanSpan} keeps items newer than `now − spanUs`
   * @param capacity - most items kept; the oldest goes when a new one arrives at capacity
   */
  constructor(
    readonly spanUs: number,
    readonly capacity: number,
  ) {
    if (!(capacity >= 1)) throw new RangeError(`EventWindow capacity must be ≥ 1, got ${capacity}`);
    this.items = new Array(Math.min(capacity, 16));
  }

  /** Number of items held. */
  get size(): number {
    return this.count;
  }

  /** The `i`-th item, oldest first (0 ≤ i < size). */
  get(i: number): T {
    return this.items[(this.head + i) % this.items.length] as T;
  }

  /** The oldest item, if any. */
  first(): T | undefined {
    return this.count === 0 ? undefined : this.get(0);
  }

  /** The newest item, if any. */
  last(): T | undefined {
    return this.count === 0 ? undefined : this.get(this.count - 1);
  }

  /** Appends an item (items should arrive in event-time order). */
  push(item: T): void {
    if (this.count === this.capacity) {
      this.items[this.head] = undefined;
      this.head = (this.head + 1) % this.items.length;
      this.count--;
      this.overflowed++;
    } else if (this.count === this.items.length) {
      this.grow();
    }
    this.items[(this.head + this.count) % this.items.length] = item;
    this.count++;
  }

  /** Removes and returns the oldest item, if any. */
  shift(): T | undefined {
    if (this.count === 0) return undefined;
    const oldest = this.items[this.head] as T;
    this.items[this.head] = undefined;
    this.head = (this.head + 1) % this.items.length;
    this.count--;
    return oldest;
  }

  /** Drops items with `ts < cutoff` from the old end; returns how many went. */
  evictBefore(cutoff: number): number {
    let evicted = 0;
    while (this.count > 0) {
      const oldest = this.items[this.head] as T;
      if (oldest.ts >= cutoff) break;
      this.items[this.head] = undefined;
      this.head = (this.head + 1) % this.items.length;
      this.count--;
      evicted++;
    }
    return evicted;
  }

  /** Drops items older than `now − spanUs`. */
  evictOlderThanSpan(now: number): number {
    return this.evictBefore(now - this.spanUs);
  }

  /** Forgets every item. */
  clear(): void {
    this.items = new Array(Math.min(this.capacity, 16));
    this.head = 0;
    this.count = 0;
    this.overflowed = 0;
  }

  /** The items oldest first, as a new array (for snapshots and emitting). */
  toArray(): T[] {
    const out: T[] = [];
    for (let i = 0; i < this.count; i++) out.push(this.get(i));
    return out;
  }

  /** Replaces the content with `items` (oldest first), e.g. from a snapshot. */
  fill(items: readonly T[]): void {
    this.clear();
    for (const item of items) this.push(item);
  }

  private grow(): void {
    const size = Math.min(this.capacity, this.items.length * 2);
    const next: (T | undefined)[] = new Array(size);
    for (let i = 0; i < this.count; i++) next[i] = this.get(i);
    this.items = next;
    this.head = 0;
  }
}

/**
 * Removes the entries of `map` whose `lastTs` is before `cutoff`: per-account and
 * per-owner state goes when its owner has been quiet, so state follows active
 * participants, not everyone ever seen. Returns how many went.
 */
export function evictIdle<V extends { lastTs: number }>(map: Map<string, V>, cutoff: number): number {
  let evicted = 0;
  for (const [key, value] of map) {
    if (value.lastTs < cutoff) {
      map.delete(key);
      evicted++;
    }
  }
  return evicted;
}

/**
 * Validates a detector's configuration passed to its factory in code, with the same paths
 * `tapewatch.yaml` would show (`detectors.spoofing.minCancelRatio`), so a mistake reads
 * the same wherever it was made.
 *
 * @throws {@link ConfigError} listing every problem, each with its path
 */
export function parseDetectorConfig<S extends z.ZodType>(id: string, schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => {
      const path = ['detectors', id, ...issue.path.map(String)].join('.');
      if (issue.code === 'unrecognized_keys') {
        return {
          path: `${path}.${issue.keys.join(',')}`,
          message: `unknown key(s) ${issue.keys.join(', ')}`,
        };
      }
      const value = valueAt(input, issue.path);
      return { path, message: `${issue.message} (got ${describeValue(value, 40)})` };
    }),
  );
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let value = data;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/**
 * Detector state per (venue, instrument), looked up without building a key string per
 * event: the hot path does two map lookups and allocates nothing once a book is known.
 */
export class BookStates<T> {
  private readonly byVenue = new Map<string, Map<string, T>>();
  private lastVenue = '';
  private lastInstrument = '';
  private last: T | undefined;

  /** @param create - builds the state of a book seen for the first time */
  constructor(private readonly create: (venue: string, instrument: string) => T) {}

  /** The state of (venue, instrument), created on first sight. */
  get(venue: string, instrument: string): T {
    if (this.last !== undefined && instrument === this.lastInstrument && venue === this.lastVenue) {
      return this.last;
    }
    let byInstrument = this.byVenue.get(venue);
    if (byInstrument === undefined) {
      byInstrument = new Map();
      this.byVenue.set(venue, byInstrument);
    }
    let state = byInstrument.get(instrument);
    if (state === undefined) {
      state = this.create(venue, instrument);
      byInstrument.set(instrument, state);
    }
    this.lastVenue = venue;
    this.lastInstrument = instrument;
    this.last = state;
    return state;
  }

  /** The state of (venue, instrument) if it exists. */
  peek(venue: string, instrument: string): T | undefined {
    return this.byVenue.get(venue)?.get(instrument);
  }

  /** Every book's state with its venue and instrument. */
  *entries(): IterableIterator<[venue: string, instrument: string, state: T]> {
    for (const [venue, byInstrument] of this.byVenue) {
      for (const [instrument, state] of byInstrument) yield [venue, instrument, state];
    }
  }

  /** Removes the state of one book. */
  delete(venue: string, instrument: string): void {
    this.byVenue.get(venue)?.delete(instrument);
    if (venue === this.lastVenue && instrument === this.lastInstrument) this.last = undefined;
  }

  /** Forgets every book. */
  clear(): void {
    this.byVenue.clear();
    this.last = undefined;
  }
}
