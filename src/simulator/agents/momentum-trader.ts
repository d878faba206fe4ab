/**
 * A momentum trader: buys after the price has risen and sells after it has fallen over a
 * short lookback — the crowd that momentum ignition and pump-and-dump schemes exploit.
 *
 * @module
 */
import type { SeededRandom } from '../../core/random';
import type { SimInstrument, SimMarket } from '../market';
import type { Wakeable } from '../scheduler';

/** Samples of the last price kept; with a ~1 s wake the lookback is about this many seconds. */
const LOOKBACK_SAMPLES = 5;
/** A move beyond this many standard deviations of the fair value over the lookback triggers a trade. */
const TRIGGER_SIGMAS = 2.5;
/** Order size as a multiple of the instrument's typical noise order. */
const SIZE_MULTIPLE = 3;

/** One momentum trader on one instrument. */
export class MomentumTrader implements Wakeable {
  private readonly prices: number[] = [];

  constructor(
    private readonly market: SimMarket,
    private readonly instrument: SimInstrument,
    readonly account: string,
    private readonly rng: SeededRandom,
  ) {}

  wake(now: number): number {
    const inst = this.instrument;
    const last = inst.book.lastTradePrice;
    if (last === last) {
      this.prices.push(last);
      if (this.prices.length > LOOKBACK_SAMPLES) this.prices.shift();
      const first = this.prices[0] as number;
      const move = Math.log(last / first);
      const threshold = TRIGGER_SIGMAS * inst.profile.volPerSqrtSecond * Math.sqrt(LOOKBACK_SAMPLES);
      if (this.prices.length === LOOKBACK_SAMPLES && Math.abs(move) > threshold && this.rng.chance(0.5)) {
        const qty = inst.qty(inst.profile.noiseQty * SIZE_MULTIPLE * (0.5 + this.rng.next()));
        inst.book.market(now, this.market.nextOrderId(), this.account, move > 0 ? 'buy' : 'sell', qty);
      }
    }
    return now + 500_000 + Math.floor(this.rng.exponential(1 / 1_000_000));
  }
}
