/**
 * The contract between the engine and a detector.
 *
 * @module
 */
import type { MarketEvent } from '../core/events';
import type { SignalInput } from '../core/signal';
import type { MarketStats } from './market-stats';
import type { BookUpdate, OrderBook } from './order-book';
import type { OwnerMap } from './owners';

/**
 * Read access to the engine's shared state, handed to every detector call.
 * Valid only during the call: do not keep it.
 */
export interface DetectorContext {
  /** The engine's watermark: the largest event time seen, epoch µs. */
  readonly now: number;
  /** What the event being processed did to its book (reused object; read it, don't keep it). */
  readonly update: Readonly<BookUpdate>;
  /** The mirror book of (venue, instrument), if any event has reached it. */
  book(venue: string, instrument: string): OrderBook | undefined;
  /** Rolling trade statistics of (venue, instrument), if any event has reached it. */
  stats(venue: string, instrument: string): MarketStats | undefined;
  /** Beneficial owners of accounts. */
  readonly owners: OwnerMap;
  /** Beneficial owner of `account` (the account itself when unmapped). */
  ownerOf(account: string): string;
  /** Emits a signal on behalf of the calling detector. */
  emit(signal: SignalInput): void;
}

/**
 * A detector: a synchronous state machine over events. `onEvent` runs once per event
 * after the book has been updated; `onTime` runs when event time advances by a tick, so
 * windows close even on an instrument that went quiet.
 *
 * @example
 * ```ts
 * const bigTrades: Detector = {
 *   id: 'big-trades', version: '1',
 *   onEvent(e, ctx) {
 *     if (e.kind === 'trade' && e.qty > 100) ctx.emit({ ... });
 *   },
 * };
 * const engine = createEngine({ detectors: [bigTrades] });
 * ```
 */
export interface Detector {
  /** Stable identifier (`spoofing`); the key of its section in `tapewatch.yaml`. */
  readonly id: string;
  /** Bumps whenever the logic changes; part of signal and case IDs. */
  readonly version: string;
  /** Called for every event, after the order book reflects it. May call `ctx.emit`. */
  onEvent(e: MarketEvent, ctx: DetectorContext): void;
  /**
   * Called when event time advances: every event with `ts < now` has been delivered.
   * Close windows that end at or before `now` here.
   */
  onTime?(now: number, ctx: DetectorContext): void;
  /** Serializable state for checkpoints. */
  snapshot?(): unknown;
  /** Restores state from {@link Detector.snapshot}. */
  restore?(state: unknown): void;
  /** Forgets all state, as if newly created. */
  reset?(): void;
  /**
   * True when the detector's state spans instruments, so it cannot run on a partition of
   * the instruments. Partitioned engines refuse such detectors.
   */
  readonly spansInstruments?: boolean;
}
