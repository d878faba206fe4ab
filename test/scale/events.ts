/** Seeded multi-instrument streams for the scale-out tests, with some late events mixed in. */
import { syntheticEvents } from '../../bench/synthetic';
import type { MarketEvent } from '../../src/core/events';
import { SeededRandom } from '../../src/core/random';

/** A busy stream over `instruments` instruments; `lateShare` of events arrive up to 0.5 s late. */
export function scaleStream(count: number, seed: number, instruments = 8, lateShare = 0.02): MarketEvent[] {
  const events = syntheticEvents({
    events: count,
    instruments,
    accounts: 40,
    seed,
    meanGapUs: 2_000,
    targetDepth: 200,
  });
  const rng = new SeededRandom(seed + 1);
  for (let i = 1; i < events.length; i++) {
    // Only resting-order events are made late: a late trade would be applied before its
    // market order and the book would reject it, which is not what these tests are about.
    const e = events[i] as MarketEvent;
    if (e.kind === 'order_new' && e.type === 'limit' && rng.chance(lateShare)) {
      events[i] = { ...e, ts: e.ts - 1 - rng.int(500_000) };
    }
  }
  return events;
}
