/**
 * A market maker: quotes both sides at several levels around its estimate of the fair
 * value and requotes often — cancel and re-enter, or replace — as the estimate moves.
 * Thousands of cancels per trade and short order lifetimes are legitimate here: this is
 * the look-alike a spoofing detector must not flag.
 *
 * @module
 */
import type { SeededRandom } from '../../core/random';
import type { SimInstrument, SimMarket } from '../market';
import type { Wakeable } from '../scheduler';

/** Share of requotes done as cancel + new order rather than an in-place replace. */
const CANCEL_AND_REENTER_SHARE = 0.5;
/** Weight of the newest fair value in the maker's smoothed estimate (it lags the truth). */
const ESTIMATE_WEIGHT = 0.5;
/** Ticks between consecutive quote levels. */
const LEVEL_GAP_TICKS = 1;

/** One two-sided, multi-level quoting agent on one instrument. */
export class MarketMaker implements Wakeable {
  private readonly bidIds: string[];
  private readonly askIds: string[];
  private readonly bidTicks: number[];
  private readonly askTicks: number[];
  private estimate = Number.NaN;

  constructor(
    private readonly market: SimMarket,
    private readonly instrument: SimInstrument,
    readonly account: string,
    private readonly rng: SeededRandom,
  ) {
    const levels = instrument.profile.mmLevels;
    this.bidIds = new Array<string>(levels).fill('');
    this.askIds = new Array<string>(levels).fill('');
    this.bidTicks = new Array<number>(levels).fill(0);
    this.askTicks = new Array<number>(levels).fill(0);
  }

  wake(now: number): number {
    const inst = this.instrument;
    const profile = inst.profile;
    const fair = inst.fairTicks();
    this.estimate =
      this.estimate !== this.estimate ? fair : this.estimate + ESTIMATE_WEIGHT * (fair - this.estimate);
    // Each maker leans a tick either way now and then, so makers do not all sit at one price.
    const lean = this.rng.int(3) - 1;
    const half = profile.mmHalfSpreadTicks;
    let innerBid = Math.floor(this.estimate) - half + lean;
    let innerAsk = Math.ceil(this.estimate) + half + lean;
    // Post-only, as makers quote: never cross a resting quote (stale ones are left for takers).
    const bestAsk = inst.askTicks();
    const bestBid = inst.bidTicks();
    if (innerBid >= bestAsk) innerBid = bestAsk - 1;
    if (innerAsk <= bestBid) innerAsk = bestBid + 1;
    for (let level = 0; level < profile.mmLevels; level++) {
      this.quote(now, level, true, innerBid - level * LEVEL_GAP_TICKS);
      this.quote(now, level, false, innerAsk + level * LEVEL_GAP_TICKS);
    }
    return now + 1 + Math.floor(this.rng.exponential(1 / (profile.mmRequoteMs * 1000)));
  }

  private quote(now: number, level: number, isBid: boolean, k: number): void {
    const ids = isBid ? this.bidIds : this.askIds;
    const ks = isBid ? this.bidTicks : this.askTicks;
    const inst = this.instrument;
    const book = inst.book;
    const id = ids[level] as string;
    const isLive = id !== '' && book.order(id) !== undefined;
    if (isLive && ks[level] === k) return;
    const qty = inst.qty(inst.profile.mmQty * (0.5 + this.rng.next()) * (1 + level * 0.5));
    if (isLive && !this.rng.chance(CANCEL_AND_REENTER_SHARE)) {
      book.replace(now, id, inst.price(k), qty);
      ks[level] = k;
      return;
    }
    if (isLive) book.cancel(now, id);
    const newId = this.market.nextOrderId();
    ids[level] = newId;
    ks[level] = k;
    book.limit(now, newId, this.account, isBid ? 'buy' : 'sell', inst.price(k), qty);
  }
}
