/**
 * `marking_the_close`: aggressive buying in the last seconds before a fixing (a candle
 * close, a settlement price) to lift the closing price. Closes fall on every multiple of
 * the simulator's `closeIntervalS` (epoch-aligned, 300 s by default); the actor marks each
 * close whose window begins within the episode, at least one.
 *
 * @module
 */
import { z } from 'zod';
import type { SimInstrument } from '../market';
import type { Wakeable } from '../scheduler';
import {
  actors,
  BaseScenarioParams,
  defineScenario,
  placeMarket,
  type ScenarioContext,
  US_PER_S,
} from './scenario';

/** Parameters of `marking_the_close`. */
export const MarkingTheCloseParams = BaseScenarioParams.extend({
  /** Seconds before each close in which the actor buys. */
  windowS: z.number().positive().max(3_600).default(30),
  /** Aggressive orders per window (scaled by intensity). */
  ordersPerWindow: z.number().int().min(1).max(10_000).default(10),
  /** Largest order, as a multiple of a typical noise order. */
  maxSizeMultiple: z.number().positive().max(1_000).default(30),
});

class CloseMarker implements Wakeable {
  private close: number;
  private sentInWindow = 0;

  constructor(
    private readonly ctx: ScenarioContext,
    private readonly inst: SimInstrument,
    private readonly account: string,
    private readonly params: z.output<typeof MarkingTheCloseParams>,
    firstClose: number,
    private readonly lastClose: number,
  ) {
    this.close = firstClose;
  }

  wake(now: number): number {
    const { ctx, inst, params } = this;
    const perWindow = Math.max(1, Math.round(params.ordersPerWindow * params.intensity));
    const windowUs = Math.round(params.windowS * US_PER_S);
    // Each buy takes the two best ask levels: the price steps up into the close.
    let qty = 0;
    for (const [, levelQty] of inst.book.levels('sell', 2)) qty += levelQty;
    qty = Math.min(qty, inst.profile.noiseQty * params.maxSizeMultiple);
    placeMarket(ctx, inst, now, this.account, 'buy', inst.qty(qty > 0 ? qty : inst.profile.noiseQty));
    this.sentInWindow++;
    if (this.sentInWindow < perWindow) {
      // The last order lands a millisecond before the close.
      const remaining = this.close - 1_000 - now;
      return now + Math.max(1, Math.floor(remaining / (perWindow - this.sentInWindow)));
    }
    this.sentInWindow = 0;
    this.close += ctx.closeIntervalUs;
    if (this.close > this.lastClose) return Number.POSITIVE_INFINITY;
    return this.close - windowUs;
  }
}

/** The `marking_the_close` scenario. */
export const markingTheCloseScenario = defineScenario({
  name: 'marking_the_close',
  typology: 'marking_the_close',
  description: 'aggressive buys stepping the price up in the last 30 s before each fixing (candle close)',
  schema: MarkingTheCloseParams,
  plan(params, ctx, startTs) {
    const inst = ctx.market.instrument(params.instrument ?? 'DOGE-USDT');
    const [account] = actors(params.accounts, 1, 'marking_the_close', () => [
      ctx.rng.pick(ctx.accounts.scenarioAccounts),
    ]) as [string];
    const interval = ctx.closeIntervalUs;
    const windowUs = Math.round(params.windowS * US_PER_S);
    if (windowUs >= interval)
      throw new RangeError(`windowS ${params.windowS} must be shorter than the close interval`);
    const firstClose = Math.ceil((startTs + windowUs) / interval) * interval;
    const durationUs = Math.round(params.durationS * US_PER_S);
    // Every close whose window starts inside the episode, and at least the first.
    const lastClose = Math.max(
      firstClose,
      Math.floor((startTs + durationUs + windowUs) / interval) * interval,
    );
    return {
      agent: new CloseMarker(ctx, inst, account, params, firstClose, lastClose),
      firstWakeTs: firstClose - windowUs,
      endTs: lastClose,
      venue: inst.book.venue,
      instrument: inst.symbol,
      accounts: [account],
    };
  },
});
