/**
 * An informed trader: knows the fair value and takes every resting order priced through
 * it by more than a small edge — stale quotes left behind when the value moved. This is
 * latency arbitrage, and it is what ties the traded price to the fair value.
 *
 * @module
 */
import type { SeededRandom } from '../../core/random';
import type { SimInstrument, SimMarket } from '../market';
import type { Wakeable } from '../scheduler';

/** Minimum edge, in ticks through the fair value, before a resting order is worth taking. */
const MIN_EDGE_TICKS = 1;
/** Largest order, as a multiple of the instrument's typical noise order. */
const MAX_SIZE_MULTIPLE = 20;
/** Mean interval between looks at the book, µs. */
const MEAN_WAKE_US = 400_000;
/** Levels examined per side. */
const LEVELS_EXAMINED = 10;

/** One informed trader on one instrument. */
export class InformedTrader implements Wakeable {
  constructor(
    private readonly market: SimMarket,
    private readonly instrument: SimInstrument,
    readonly account: string,
    private readonly rng: SeededRandom,
  ) {}

  wake(now: number): number {
    const inst = this.instrument;
    const fair = inst.fairTicks();
    const maxQty = inst.profile.noiseQty * MAX_SIZE_MULTIPLE;
    if (fair - inst.askTicks() > MIN_EDGE_TICKS) {
      const qty = this.mispricedQty('sell', fair - MIN_EDGE_TICKS, maxQty);
      if (qty > 0) inst.book.market(now, this.market.nextOrderId(), this.account, 'buy', inst.qty(qty));
    } else if (inst.bidTicks() - fair > MIN_EDGE_TICKS) {
      const qty = this.mispricedQty('buy', fair + MIN_EDGE_TICKS, maxQty);
      if (qty > 0) inst.book.market(now, this.market.nextOrderId(), this.account, 'sell', inst.qty(qty));
    }
    return now + 50_000 + Math.floor(this.rng.exponential(1 / MEAN_WAKE_US));
  }

  /** Quantity resting on `side` at prices through `limitTicks`, capped. */
  private mispricedQty(side: 'buy' | 'sell', limitTicks: number, maxQty: number): number {
    const inst = this.instrument;
    let qty = 0;
    for (const [price, levelQty] of inst.book.levels(side, LEVELS_EXAMINED)) {
      const k = inst.ticks(price);
      if (side === 'sell' ? k >= limitTicks : k <= limitTicks) break;
      qty += levelQty;
      if (qty >= maxQty) return maxQty;
    }
    return qty;
  }
}
