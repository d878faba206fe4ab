/**
 * Order-book maintenance: 2M synthetic events (new, cancel, replace, market order +
 * trade; ~10k resting orders over 5 instruments in steady state) through the engine with
 * one no-op detector, on one core.
 *
 * Measured two ways:
 * - streamed: events arrive in batches of 4,096 freshly generated events, as from an
 *   ingest batch, and only `engine.processBatch` is timed (the target figure);
 * - in memory: one pre-built array of 2M events, timed as a whole.
 * Reference: a loop over the in-memory events that only reads each event's kind.
 */
import type { MarketEvent } from '../src/core/events';
import type { Detector } from '../src/engine/detector';
import { createEngine } from '../src/engine/engine';
import { emit, median, timeRuns } from './lib/result';
import { SyntheticMarket, syntheticEvents } from './synthetic';

const N = 2_000_000;
const BATCH = 4_096;
const RUNS = 7;

let touched = 0;
const noop: Detector = {
  id: 'noop',
  version: '1',
  onEvent() {
    touched++;
  },
  reset() {},
};
const engine = createEngine({ detectors: [noop] });

function streamedRun(): number {
  engine.reset();
  const market = new SyntheticMarket({ instruments: 5, accounts: 200, seed: 42 });
  let n = 0;
  let ms = 0;
  while (n < N) {
    const batch = market.next(BATCH);
    const t0 = performance.now();
    engine.processBatch(batch);
    ms += performance.now() - t0;
    n += batch.length;
  }
  return n / (ms / 1000);
}
const streamed: number[] = [];
for (let run = 0; run < RUNS + 2; run++) {
  const rate = streamedRun();
  if (run >= 2) streamed.push(rate);
}
const resting = engine.stats().restingOrders;

const events: MarketEvent[] = syntheticEvents({ events: N, instruments: 5, accounts: 200, seed: 42 });
const inMemoryMs = median(
  timeRuns(
    () => {
      engine.reset();
      engine.processBatch(events);
    },
    RUNS,
    2,
  ),
);
const counts = { order_new: 0, order_cancel: 0, order_replace: 0, trade: 0, quote: 0 };
const floorMs = median(
  timeRuns(
    () => {
      for (let i = 0; i < events.length; i++) counts[(events[i] as MarketEvent).kind]++;
    },
    RUNS,
    2,
  ),
);
const floor = {
  name: 'loop reading each event kind (in memory)',
  value: N / (floorMs / 1000),
  unit: 'events/s',
};

emit({
  bench: 'engine-book',
  command: 'npm run bench (bench/engine-book.ts)',
  metrics: [
    {
      name: 'order-book maintenance, no-op detector, 2M events streamed in batches of 4,096',
      value: median(streamed),
      unit: 'events/s',
      target: { op: '>=', value: 3_000_000 },
      reference: floor,
      notes: `median of ${RUNS} runs after 2 warm-ups (min ${(Math.min(...streamed) / 1e6).toFixed(2)}M, max ${(Math.max(...streamed) / 1e6).toFixed(2)}M); ${resting} resting orders at the end`,
    },
    {
      name: 'order-book maintenance, no-op detector, 2M events from one in-memory array',
      value: N / (inMemoryMs / 1000),
      unit: 'events/s',
      reference: floor,
      notes: `median of ${RUNS} runs after 2 warm-ups; detector called ${touched} times in all`,
    },
  ],
});
