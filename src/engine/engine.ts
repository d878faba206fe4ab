/**
 * The engine: a synchronous hot loop that keeps the mirror books current and calls every
 * detector on every event. No Promise, no RxJS operator and no per-event allocation on
 * the path of `process`; RxJS appears only as the observable surface for users.
 *
 * @module
 */
import { Subject } from 'rxjs';
import type { MarketEvent } from '../core/events';
import { stableId } from '../core/ids';
import type { Signal, SignalInput } from '../core/signal';
import type { Detector, DetectorContext } from './detector';
import { MarketStats, type MarketStatsSnapshot } from './market-stats';
import { type BookSnapshot, MutableBookUpdate, OrderBook } from './order-book';
import { OwnerMap } from './owners';

/** Default event-time tick: detectors' `onTime` runs at least this often, µs. */
export const DEFAULT_TICK_INTERVAL_US = 100_000;
/** Default horizon `flush()` advances event time by, µs: closes windows up to an hour long. */
export const DEFAULT_FLUSH_HORIZON_US = 3_600_000_000;

/** Options of {@link createEngine}. */
export interface EngineOptions {
  /** Detectors, called in this order for every event. */
  detectors?: readonly Detector[];
  /** Beneficial owners: `{ account: owner }` or a shared {@link OwnerMap}. */
  owners?: Readonly<Record<string, string>> | OwnerMap;
  /** Event-time interval between `onTime` calls, µs (default 100 ms). */
  tickIntervalUs?: number;
  /** How far `flush()` advances event time, µs (default 1 h). */
  flushHorizonUs?: number;
  /**
   * Lateness bound, µs (default 0). Detectors' `onTime` runs at the watermark minus this
   * bound, so an event up to this much older than the newest one still reaches windows that
   * are open. Older events are still applied (nothing is dropped) but counted as
   * `tooLateEvents` and reported to {@link Engine.onLateEvent} listeners.
   */
  latenessUs?: number;
}

/** An event that arrived later than the lateness bound allows. */
export interface LateEvent {
  event: MarketEvent;
  /** The watermark when it arrived, epoch µs. */
  watermark: number;
  /** How far behind the watermark it was, µs. */
  behindUs: number;
}

/** Book and statistics of one (venue, instrument). */
export interface InstrumentState {
  readonly book: OrderBook;
  readonly stats: MarketStats;
}

/** A detector threw; the engine caught it, counted it and went on. */
export interface DetectorFailure {
  detector: string;
  error: unknown;
  /** The event being processed, or undefined when it failed in `onTime`. */
  event: MarketEvent | undefined;
}

/** Counters the engine keeps. */
export interface EngineStats {
  events: number;
  eventsByKind: Record<MarketEvent['kind'], number>;
  /** Events whose `ts` was below the watermark when they arrived (processed anyway). */
  lateEvents: number;
  /** Of those, events older than the watermark minus the lateness bound (processed and reported). */
  tooLateEvents: number;
  signals: number;
  signalsByDetector: Record<string, number>;
  detectorErrors: Record<string, number>;
  books: number;
  restingOrders: number;
  /** Largest event time seen, epoch µs (NaN before the first event). */
  watermark: number;
}

/**
 * The engine's whole state as plain, JSON-safe data: books, rolling statistics, clock,
 * counters and each detector's snapshot. Restoring it into an engine with the same
 * detectors and then processing the rest of a stream gives the same signals as processing
 * the whole stream without interruption.
 */
export interface EngineSnapshot {
  format: 'tapewatch.engine';
  version: 1;
  /** Largest event time seen (null before the first event). */
  watermark: number | null;
  nextTickTs: number | null;
  counters: {
    events: number;
    eventsByKind: Record<MarketEvent['kind'], number>;
    lateEvents: number;
    /** Absent in snapshots written before the lateness bound existed. */
    tooLateEvents?: number;
    signals: number;
    signalsByDetector: Record<string, number>;
    detectorErrors: Record<string, number>;
  };
  instruments: { book: BookSnapshot; stats: MarketStatsSnapshot }[];
  /** Detector id → its snapshot. */
  detectors: Record<string, { version: string; state: unknown }>;
}

/** The engine. Create it with {@link createEngine}. */
export interface Engine {
  /** Applies one event to the books and runs every detector on it. Synchronous. */
  process(e: MarketEvent): void;
  /** {@link Engine.process} for each event, in order. */
  processBatch(events: readonly MarketEvent[]): void;
  /**
   * Moves the stream clock to `now` exactly as an event at `now` would (detectors' `onTime`
   * runs only when a tick boundary is crossed), without processing an event. A partition
   * engine calls it to follow the clock of the whole stream while seeing only its own
   * instruments' events, so its windows close when a single engine's would.
   */
  observeTime(now: number): void;
  /**
   * Processes `e` as the event of a stream whose watermark, counting `e`, is `now`
   * (`now >= e.ts`): {@link Engine.observeTime} then {@link Engine.process}. An event with
   * `e.ts < now` counts as late, as it would in an engine that had seen the whole stream.
   */
  processAt(e: MarketEvent, now: number): void;
  /** Advances event time without an event (a heartbeat, or a source's clock). */
  advanceTo(ts: number): void;
  /** Declares the end of the stream: advances event time by the flush horizon so windows close. */
  flush(): void;
  /** Calls `listener` synchronously for every signal; returns an unsubscribe function. */
  onSignal(listener: (signal: Signal) => void): () => void;
  /** Calls `listener` when a detector throws; returns an unsubscribe function. */
  onDetectorError(listener: (failure: DetectorFailure) => void): () => void;
  /** Calls `listener` for every event older than the lateness bound; returns an unsubscribe function. */
  onLateEvent(listener: (late: LateEvent) => void): () => void;
  /**
   * Calls `listener` with the tick's event time after detectors' `onTime` ran, so services
   * that follow event time (the narrator) see the same clock as detectors. Returns an
   * unsubscribe function.
   */
  onTick(listener: (now: number) => void): () => void;
  /** Every processed event (emits only while observed). */
  readonly events$: Subject<MarketEvent>;
  /** Every emitted signal. */
  readonly signals$: Subject<Signal>;
  /** Beneficial-owner map shared with detectors. */
  readonly owners: OwnerMap;
  /** The detectors, in call order. */
  readonly detectors: readonly Detector[];
  /** Book of (venue, instrument), if any event has reached it. */
  book(venue: string, instrument: string): OrderBook | undefined;
  /** Rolling trade statistics of (venue, instrument), if any event has reached it. */
  marketStats(venue: string, instrument: string): MarketStats | undefined;
  /** Every (venue, instrument) seen so far. */
  instruments(): IterableIterator<InstrumentState>;
  /** Counters. */
  stats(): EngineStats;
  /** Forgets books, statistics, time and every detector's state. */
  reset(): void;
  /**
   * The whole state, for checkpoints.
   *
   * @throws when a detector has no `snapshot()` (its state could not be restored)
   */
  snapshot(): EngineSnapshot;
  /**
   * Replaces the whole state with a snapshot taken from an engine with the same detectors.
   *
   * @throws when the snapshot's detectors or versions do not match this engine's
   */
  restore(snapshot: EngineSnapshot): void;
}

/**
 * Creates an engine.
 *
 * @example
 * ```ts
 * import { createEngine } from 'tapewatch';
 * const engine = createEngine({ detectors: [myDetector], owners: { acctA: 'alice', acctB: 'alice' } });
 * engine.onSignal((s) => console.log(s.explanation));
 * for (const e of events) engine.process(e);
 * engine.flush();
 * ```
 */
export function createEngine(options: EngineOptions = {}): Engine {
  return new SurveillanceEngine(options);
}

const NO_EVENT_KINDS = (): Record<MarketEvent['kind'], number> => ({
  order_new: 0,
  order_cancel: 0,
  order_replace: 0,
  trade: 0,
  quote: 0,
});

class SurveillanceEngine implements Engine {
  readonly events$ = new Subject<MarketEvent>();
  readonly signals$ = new Subject<Signal>();
  readonly owners: OwnerMap;
  readonly detectors: readonly Detector[];

  private readonly timeDetectors: readonly Detector[];
  private readonly tickIntervalUs: number;
  private readonly flushHorizonUs: number;
  private readonly initialSnapshots: readonly unknown[];
  /**
   * State by instrument symbol: the first venue seen for a symbol sits here directly, so
   * the common case is one lookup; other venues of the same symbol go to `otherVenues`.
   */
  private readonly byInstrument = new Map<string, InstrumentState>();
  private readonly otherVenues = new Map<string, InstrumentState>();
  private readonly allStates: InstrumentState[] = [];
  /** What the event being processed did to its book; shared with detectors via the context. */
  readonly bookUpdate = new MutableBookUpdate();
  private readonly ctx: EngineContext;
  private readonly signalListeners: ((s: Signal) => void)[] = [];
  private readonly errorListeners: ((f: DetectorFailure) => void)[] = [];
  private readonly tickListeners: ((now: number) => void)[] = [];

  private watermark = Number.NaN;
  private nextTickTs = Number.NEGATIVE_INFINITY;
  private eventCount = 0;
  private eventsByKind = NO_EVENT_KINDS();
  private lateEvents = 0;
  private tooLateEvents = 0;
  private readonly latenessUs: number;
  private readonly lateListeners: ((late: LateEvent) => void)[] = [];
  private signalCount = 0;
  private signalsByDetector: Record<string, number> = {};
  private detectorErrors: Record<string, number> = {};
  /** Detector whose call is in progress; signals are attributed to it. */
  current: Detector | undefined;

  constructor(options: EngineOptions) {
    this.owners = options.owners instanceof OwnerMap ? options.owners : new OwnerMap(options.owners ?? {});
    this.detectors = [...(options.detectors ?? [])];
    const ids = new Set<string>();
    for (const d of this.detectors) {
      if (ids.has(d.id)) throw new Error(`two detectors share the id '${d.id}'; ids must be unique`);
      ids.add(d.id);
    }
    this.timeDetectors = this.detectors.filter((d) => d.onTime !== undefined);
    this.tickIntervalUs = positiveOr(options.tickIntervalUs, DEFAULT_TICK_INTERVAL_US, 'tickIntervalUs');
    this.flushHorizonUs = positiveOr(options.flushHorizonUs, DEFAULT_FLUSH_HORIZON_US, 'flushHorizonUs');
    const lateness = options.latenessUs ?? 0;
    if (!(Number.isFinite(lateness) && lateness >= 0))
      throw new RangeError(`latenessUs = ${lateness}: expected a finite number of µs ≥ 0`);
    this.latenessUs = lateness;
    this.initialSnapshots = this.detectors.map((d) => d.snapshot?.());
    this.ctx = new EngineContext(this);
  }

  process(e: MarketEvent): void {
    const ts = e.ts;
    if (ts > this.watermark || this.watermark !== this.watermark) {
      this.watermark = ts;
      this.ctx.now = ts;
      const closeAt = ts - this.latenessUs;
      if (closeAt >= this.nextTickTs) this.tick(closeAt);
    } else if (ts < this.watermark) {
      this.lateEvents++;
      if (ts < this.watermark - this.latenessUs) this.reportLate(e);
    }

    const state = this.stateOf(e.venue, e.instrument);
    const update = this.bookUpdate;
    update.reset();
    const counts = this.eventsByKind;
    switch (e.kind) {
      case 'order_new':
        state.book.applyNew(e, update);
        counts.order_new++;
        break;
      case 'order_cancel':
        state.book.applyCancel(e, update);
        counts.order_cancel++;
        break;
      case 'order_replace':
        state.book.applyReplace(e, update);
        counts.order_replace++;
        break;
      case 'trade':
        state.book.applyTrade(e, update);
        state.stats.addTrade(e);
        counts.trade++;
        break;
      case 'quote':
        state.book.applyQuote(e);
        counts.quote++;
        break;
    }
    this.eventCount++;

    const detectors = this.detectors;
    const ctx = this.ctx;
    for (let i = 0; i < detectors.length; i++) {
      const d = detectors[i] as Detector;
      this.current = d;
      try {
        d.onEvent(e, ctx);
      } catch (error) {
        this.fail(d, error, e);
      }
    }
    this.current = undefined;
    if (this.events$.observed) this.events$.next(e);
  }

  processBatch(events: readonly MarketEvent[]): void {
    for (let i = 0; i < events.length; i++) this.process(events[i] as MarketEvent);
  }

  observeTime(now: number): void {
    if (now > this.watermark || this.watermark !== this.watermark) {
      this.watermark = now;
      this.ctx.now = now;
      const closeAt = now - this.latenessUs;
      if (closeAt >= this.nextTickTs) this.tick(closeAt);
    }
  }

  processAt(e: MarketEvent, now: number): void {
    this.observeTime(now);
    this.process(e);
  }

  advanceTo(ts: number): void {
    if (!Number.isFinite(ts)) throw new RangeError(`advanceTo(${ts}): expected a finite epoch-µs time`);
    if (ts > this.watermark || this.watermark !== this.watermark) {
      this.watermark = ts;
      this.ctx.now = ts;
      this.tick(ts - this.latenessUs);
    }
  }

  flush(): void {
    if (this.watermark === this.watermark)
      this.advanceTo(this.watermark + this.latenessUs + this.flushHorizonUs);
  }

  onLateEvent(listener: (late: LateEvent) => void): () => void {
    this.lateListeners.push(listener);
    return () => {
      const i = this.lateListeners.indexOf(listener);
      if (i >= 0) this.lateListeners.splice(i, 1);
    };
  }

  private reportLate(event: MarketEvent): void {
    this.tooLateEvents++;
    const late = { event, watermark: this.watermark, behindUs: this.watermark - event.ts };
    for (const listener of this.lateListeners) listener(late);
  }

  onSignal(listener: (signal: Signal) => void): () => void {
    this.signalListeners.push(listener);
    return () => {
      const i = this.signalListeners.indexOf(listener);
      if (i >= 0) this.signalListeners.splice(i, 1);
    };
  }

  onDetectorError(listener: (failure: DetectorFailure) => void): () => void {
    this.errorListeners.push(listener);
    return () => {
      const i = this.errorListeners.indexOf(listener);
      if (i >= 0) this.errorListeners.splice(i, 1);
    };
  }

  book(venue: string, instrument: string): OrderBook | undefined {
    return this.stateOfExisting(venue, instrument)?.book;
  }

  marketStats(venue: string, instrument: string): MarketStats | undefined {
    return this.stateOfExisting(venue, instrument)?.stats;
  }

  onTick(listener: (now: number) => void): () => void {
    this.tickListeners.push(listener);
    return () => {
      const i = this.tickListeners.indexOf(listener);
      if (i >= 0) this.tickListeners.splice(i, 1);
    };
  }

  stateOfExisting(venue: string, instrument: string): InstrumentState | undefined {
    const state = this.byInstrument.get(instrument);
    if (state === undefined || state.book.venue === venue) return state;
    return this.otherVenues.get(venueKey(venue, instrument));
  }

  instruments(): IterableIterator<InstrumentState> {
    return this.allStates.values();
  }

  stats(): EngineStats {
    let books = 0;
    let restingOrders = 0;
    for (const state of this.instruments()) {
      books++;
      restingOrders += state.book.size;
    }
    return {
      events: this.eventCount,
      eventsByKind: { ...this.eventsByKind },
      lateEvents: this.lateEvents,
      tooLateEvents: this.tooLateEvents,
      signals: this.signalCount,
      signalsByDetector: { ...this.signalsByDetector },
      detectorErrors: { ...this.detectorErrors },
      books,
      restingOrders,
      watermark: this.watermark,
    };
  }

  reset(): void {
    this.byInstrument.clear();
    this.otherVenues.clear();
    this.allStates.length = 0;
    this.watermark = Number.NaN;
    this.ctx.now = Number.NaN;
    this.nextTickTs = Number.NEGATIVE_INFINITY;
    this.eventCount = 0;
    this.eventsByKind = NO_EVENT_KINDS();
    this.lateEvents = 0;
    this.tooLateEvents = 0;
    this.signalCount = 0;
    this.signalsByDetector = {};
    this.detectorErrors = {};
    for (let i = 0; i < this.detectors.length; i++) {
      const d = this.detectors[i] as Detector;
      if (d.reset !== undefined) d.reset();
      else if (d.restore !== undefined && d.snapshot !== undefined) d.restore(this.initialSnapshots[i]);
      else {
        throw new Error(
          `detector '${d.id}' cannot be reset: it implements neither reset() nor snapshot()/restore()`,
        );
      }
    }
  }

  snapshot(): EngineSnapshot {
    const detectors: EngineSnapshot['detectors'] = {};
    for (const d of this.detectors) {
      if (d.snapshot === undefined) {
        throw new Error(`detector '${d.id}' has no snapshot(): the engine's state cannot be checkpointed`);
      }
      detectors[d.id] = { version: d.version, state: d.snapshot() };
    }
    return {
      format: 'tapewatch.engine',
      version: 1,
      watermark: finiteOrNull(this.watermark),
      nextTickTs: finiteOrNull(this.nextTickTs),
      counters: {
        events: this.eventCount,
        eventsByKind: { ...this.eventsByKind },
        lateEvents: this.lateEvents,
        tooLateEvents: this.tooLateEvents,
        signals: this.signalCount,
        signalsByDetector: { ...this.signalsByDetector },
        detectorErrors: { ...this.detectorErrors },
      },
      instruments: this.allStates.map((s) => ({ book: s.book.snapshot(), stats: s.stats.snapshot() })),
      detectors,
    };
  }

  restore(snapshot: EngineSnapshot): void {
    if (snapshot.format !== 'tapewatch.engine' || snapshot.version !== 1) {
      throw new Error(
        `not an engine snapshot of version 1 (format ${String(snapshot.format)}, version ${String(snapshot.version)})`,
      );
    }
    for (const d of this.detectors) {
      const saved = snapshot.detectors[d.id];
      if (saved === undefined) throw new Error(`snapshot has no state for detector '${d.id}'`);
      if (saved.version !== d.version) {
        throw new Error(
          `snapshot of detector '${d.id}' is version ${saved.version}, this engine runs ${d.version}`,
        );
      }
      if (d.restore === undefined) throw new Error(`detector '${d.id}' has no restore()`);
    }
    const extra = Object.keys(snapshot.detectors).filter((id) => !this.detectors.some((d) => d.id === id));
    if (extra.length > 0) throw new Error(`snapshot has detectors this engine lacks: ${extra.join(', ')}`);
    this.reset();
    this.watermark = snapshot.watermark ?? Number.NaN;
    this.ctx.now = this.watermark;
    this.nextTickTs = snapshot.nextTickTs ?? Number.NEGATIVE_INFINITY;
    const c = snapshot.counters;
    this.eventCount = c.events;
    this.eventsByKind = { ...c.eventsByKind };
    this.lateEvents = c.lateEvents;
    this.tooLateEvents = c.tooLateEvents ?? 0;
    this.signalCount = c.signals;
    this.signalsByDetector = { ...c.signalsByDetector };
    this.detectorErrors = { ...c.detectorErrors };
    for (const { book, stats } of snapshot.instruments) {
      const state = this.stateOf(book.venue, book.instrument);
      state.book.restore(book);
      state.stats.restore(stats);
    }
    for (const d of this.detectors) (d.restore as (s: unknown) => void)(snapshot.detectors[d.id]?.state);
  }

  /** Called by the context on behalf of the current detector. */
  emit(input: SignalInput): void {
    const d = this.current;
    if (d === undefined) throw new Error('ctx.emit called outside a detector call');
    const primary = input.accounts[0] ?? '';
    const owners = input.owners ?? input.accounts.map((a) => this.owners.ownerOf(a));
    const score = input.score >= 0 ? (input.score <= 1 ? input.score : 1) : 0;
    const signal: Signal = {
      ...input,
      score,
      owners,
      id: stableId('S-', [d.id, d.version, input.venue, input.instrument, primary, input.window.start]),
      detector: d.id,
      version: d.version,
      emittedAt: this.watermark,
    };
    this.signalCount++;
    this.signalsByDetector[d.id] = (this.signalsByDetector[d.id] ?? 0) + 1;
    for (let i = 0; i < this.signalListeners.length; i++) {
      (this.signalListeners[i] as (s: Signal) => void)(signal);
    }
    if (this.signals$.observed) this.signals$.next(signal);
  }

  private tick(now: number): void {
    const detectors = this.timeDetectors;
    const ctx = this.ctx;
    for (let i = 0; i < detectors.length; i++) {
      const d = detectors[i] as Detector;
      this.current = d;
      try {
        (d.onTime as NonNullable<Detector['onTime']>)(now, ctx);
      } catch (error) {
        this.fail(d, error, undefined);
      }
    }
    this.current = undefined;
    this.nextTickTs = (Math.floor(now / this.tickIntervalUs) + 1) * this.tickIntervalUs;
    const listeners = this.tickListeners;
    for (let i = 0; i < listeners.length; i++) (listeners[i] as (now: number) => void)(now);
  }

  private fail(d: Detector, error: unknown, event: MarketEvent | undefined): void {
    this.detectorErrors[d.id] = (this.detectorErrors[d.id] ?? 0) + 1;
    for (const listener of this.errorListeners) listener({ detector: d.id, error, event });
  }

  private stateOf(venue: string, instrument: string): InstrumentState {
    const state = this.byInstrument.get(instrument);
    if (state !== undefined && state.book.venue === venue) return state;
    if (state === undefined) return this.addState(venue, instrument, this.byInstrument, instrument);
    const key = venueKey(venue, instrument);
    return this.otherVenues.get(key) ?? this.addState(venue, instrument, this.otherVenues, key);
  }

  private addState(
    venue: string,
    instrument: string,
    into: Map<string, InstrumentState>,
    key: string,
  ): InstrumentState {
    const state = { book: new OrderBook(venue, instrument), stats: new MarketStats() };
    into.set(key, state);
    this.allStates.push(state);
    return state;
  }
}

function finiteOrNull(n: number): number | null {
  return Number.isFinite(n) ? n : null;
}

function venueKey(venue: string, instrument: string): string {
  return `${venue}\u0000${instrument}`;
}

/** The single {@link DetectorContext} of an engine, reused across calls. */
class EngineContext implements DetectorContext {
  now = Number.NaN;
  readonly update: MutableBookUpdate;
  readonly owners: OwnerMap;

  constructor(private readonly engine: SurveillanceEngine) {
    this.update = engine.bookUpdate;
    this.owners = engine.owners;
  }

  book(venue: string, instrument: string): OrderBook | undefined {
    return this.engine.book(venue, instrument);
  }

  stats(venue: string, instrument: string): MarketStats | undefined {
    return this.engine.stateOfExisting(venue, instrument)?.stats;
  }

  ownerOf(account: string): string {
    return this.owners.ownerOf(account);
  }

  emit(signal: SignalInput): void {
    this.engine.emit(signal);
  }
}

function positiveOr(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) {
    throw new RangeError(`${name} must be a positive number of microseconds, got ${value}`);
  }
  return value;
}
