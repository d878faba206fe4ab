/**
 * Signals: what detectors emit. A signal is one detector's claim about one window of one
 * instrument, with the numbers and the evidence behind it.
 *
 * @module
 */
import type { EventRef } from './events';

/** Severity of a signal, from the detector's own thresholds. */
export type Severity = 'low' | 'medium' | 'high';

/** Manipulation typologies tapewatch knows. `anomaly` is the Isolation Forest's. */
export const TYPOLOGIES = [
  'spoofing',
  'layering',
  'wash_trading',
  'pump_and_dump',
  'quote_stuffing',
  'marking_the_close',
  'momentum_ignition',
  'dex_sandwich',
  'anomaly',
] as const;

/** One of {@link TYPOLOGIES}. Custom detectors may use their own strings. */
export type Typology = (typeof TYPOLOGIES)[number] | (string & {});

/** Event-time interval `[start, end]`, epoch microseconds. */
export interface TimeWindow {
  start: number;
  end: number;
}

/** What a detector passes to `ctx.emit`; the engine adds `id`, `detector` and `version`. */
export interface SignalInput {
  typology: Typology;
  venue: string;
  instrument: string;
  /** Accounts involved, the primary suspect first. */
  accounts: string[];
  /** Beneficial owners of `accounts`, in the same order (filled by the engine when absent). */
  owners?: string[];
  window: TimeWindow;
  /** Confidence 0..1. */
  score: number;
  severity: Severity;
  /** The numbers that triggered the signal (`cancelRatio: 0.96`). */
  metrics: Record<string, number>;
  /** The events the claim rests on. */
  evidence: EventRef[];
  /** One full sentence with the numbers, for a human. */
  explanation: string;
}

/** A signal as delivered to listeners. */
export interface Signal extends SignalInput {
  /** Deterministic: hash of detector, version, venue, instrument, first account and window start. */
  id: string;
  /** Detector id (`spoofing`). */
  detector: string;
  /** Detector version; bumps when its logic changes. */
  version: string;
  owners: string[];
  /** Event time at which it was emitted (the engine's watermark). */
  emittedAt: number;
}
