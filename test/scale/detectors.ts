/**
 * Small per-instrument detectors for the scale-out tests: they use every part of the
 * detector contract a partition must reproduce (event-time windows closed by `onTime`,
 * `ctx.now`, the book, snapshot/restore). Worker threads and NATS workers load this module
 * and call {@link createDetectors}.
 */
import { eventRef, type MarketEvent } from '../../src/core/events';
import type { Detector, DetectorContext } from '../../src/engine/detector';

interface TradeWindow {
  venue: string;
  instrument: string;
  start: number;
  trades: number;
  volume: number;
  first: MarketEvent | undefined;
}

/** Counts trades per (venue, instrument) in fixed event-time windows; flags busy windows when they close. */
export function tradeBurst(windowUs = 1_000_000, minTrades = 6): Detector {
  let windows = new Map<string, TradeWindow>();
  const close = (w: TradeWindow, ctx: DetectorContext) => {
    if (w.trades >= minTrades && w.first !== undefined) {
      ctx.emit({
        typology: 'pump_and_dump',
        venue: w.venue,
        instrument: w.instrument,
        accounts: [],
        window: { start: w.start, end: w.start + windowUs },
        score: Math.min(1, w.trades / (4 * minTrades)),
        severity: w.trades >= 2 * minTrades ? 'high' : 'low',
        metrics: { trades: w.trades, volume: w.volume, closedAt: ctx.now },
        evidence: [eventRef(w.first)],
        explanation: `${w.trades} trades on ${w.instrument} within one window.`,
      });
    }
  };
  return {
    id: 'trade-burst',
    version: '1',
    onEvent(e, ctx) {
      if (e.kind !== 'trade') return;
      const key = `${e.venue}|${e.instrument}`;
      const start = Math.floor(e.ts / windowUs) * windowUs;
      let w = windows.get(key);
      if (w !== undefined && w.start !== start) {
        close(w, ctx);
        w = undefined;
      }
      if (w === undefined) {
        w = { venue: e.venue, instrument: e.instrument, start, trades: 0, volume: 0, first: e };
        windows.set(key, w);
      }
      w.trades++;
      w.volume += e.qty;
    },
    onTime(now, ctx) {
      for (const [key, w] of windows) {
        if (w.start + windowUs <= now) {
          close(w, ctx);
          windows.delete(key);
        }
      }
    },
    snapshot: () => [...windows.entries()].map(([k, w]) => [k, structuredClone(w)]),
    restore(state) {
      windows = new Map(structuredClone(state as [string, TradeWindow][]));
    },
    reset() {
      windows = new Map();
    },
  };
}

/** Flags large limit orders with the book around them and the stream clock at that moment. */
export function largeOrder(minQty = 10): Detector {
  let seen = 0;
  return {
    id: 'large-order',
    version: '1',
    onEvent(e, ctx) {
      if (e.kind !== 'order_new' || e.qty < minQty) return;
      seen++;
      const book = ctx.book(e.venue, e.instrument);
      ctx.emit({
        typology: 'layering',
        venue: e.venue,
        instrument: e.instrument,
        accounts: [e.account],
        window: { start: e.ts, end: ctx.now },
        score: 0.5,
        severity: 'medium',
        metrics: {
          qty: e.qty,
          now: ctx.now,
          bestBid: finiteOr0(book?.bestBid()),
          resting: book?.orderCountOf(e.account) ?? 0,
          lateByUs: ctx.now - e.ts,
        },
        evidence: [eventRef(e)],
        explanation: `${e.account} placed ${e.qty} on ${e.instrument}.`,
      });
    },
    snapshot: () => ({ seen }),
    restore(state) {
      seen = (state as { seen: number }).seen;
    },
  };
}

/** A detector whose state spans instruments: partitioned engines must refuse it. */
export function crossInstrument(): Detector {
  return { id: 'cross-instrument', version: '1', spansInstruments: true, onEvent() {} };
}

/** The detector set the scale-out tests run, fresh each call. */
export function createDetectors(): Detector[] {
  return [tradeBurst(), largeOrder()];
}

function finiteOr0(n: number | undefined): number {
  return n !== undefined && Number.isFinite(n) ? n : 0;
}

/** A detector set that cannot be partitioned (for the refusal tests). */
export function createSpanningDetectors(): Detector[] {
  return [tradeBurst(), crossInstrument()];
}
