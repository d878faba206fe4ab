/**
 * Noise traders: uninformed order flow arriving as a Poisson process — market orders,
 * and limit orders near the touch that are cancelled when they expire. One agent per
 * instrument draws each order's account from the noise-trader pool.
 *
 * @module
 */
import type { Side } from '../../core/events';
import type { SeededRandom } from '../../core/random';
import type { SimInstrument, SimMarket } from '../market';
import type { Wakeable } from '../scheduler';

/** Mean lifetime of a noise limit order, µs. */
const MEAN_LIFETIME_US = 6_000_000;
/** Log-normal spread of order sizes: a few orders are several times the typical size. */
const SIZE_SIGMA = 0.9;

/** The noise order flow of one instrument. */
export class NoiseTraders implements Wakeable {
  private readonly liveIds: string[] = [];
  private readonly expiries: number[] = [];

  constructor(
    private readonly market: SimMarket,
    private readonly instrument: SimInstrument,
    private readonly accounts: readonly string[],
    private readonly rng: SeededRandom,
  ) {}

  wake(now: number): number {
    const rng = this.rng;
    const inst = this.instrument;
    const profile = inst.profile;
    this.expire(now);
    const side: Side = rng.chance(0.5) ? 'buy' : 'sell';
    const qty = inst.qty(profile.noiseQty * Math.exp(SIZE_SIGMA * rng.normal()));
    const account = rng.pick(this.accounts);
    const id = this.market.nextOrderId();
    if (rng.chance(profile.noiseMarketShare)) {
      inst.book.market(now, id, account, side, qty);
    } else {
      const bid = inst.bidTicks();
      const ask = inst.askTicks();
      // From one tick inside the spread to four behind the touch, never crossing.
      const offset = rng.int(6) - 1;
      const k = side === 'buy' ? Math.min(bid - offset, ask - 1) : Math.max(ask + offset, bid + 1);
      if (k > 0 && inst.book.limit(now, id, account, side, inst.price(k), qty) > 0) {
        this.liveIds.push(id);
        this.expiries.push(now + Math.floor(rng.exponential(1 / MEAN_LIFETIME_US)));
      }
    }
    return now + 1 + Math.floor(rng.exponential(profile.noiseRatePerSecond / 1e6));
  }

  /** Cancels every order past its lifetime (filled ones are simply forgotten). */
  private expire(now: number): void {
    const ids = this.liveIds;
    const expiries = this.expiries;
    let kept = 0;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i] as string;
      const expiry = expiries[i] as number;
      if (this.instrument.book.order(id) === undefined) continue;
      if (expiry <= now) {
        this.instrument.book.cancel(now, id);
        continue;
      }
      ids[kept] = id;
      expiries[kept] = expiry;
      kept++;
    }
    ids.length = kept;
    expiries.length = kept;
  }
}
