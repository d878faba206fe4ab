/**
 * `quote_stuffing`: bursts of hundreds of orders far from the touch, each cancelled
 * within milliseconds — message traffic meant to slow other participants' feeds, with
 * almost no intent to trade.
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
  placeLimit,
  type ScenarioContext,
  US_PER_S,
} from './scenario';

/** Parameters of `quote_stuffing`. */
export const QuoteStuffingParams = BaseScenarioParams.extend({
  /** Orders per burst (scaled by intensity). */
  ordersPerBurst: z.number().int().min(10).max(100_000).default(200),
  /** Seconds between the starts of bursts. */
  burstEveryS: z.number().positive().max(3_600).default(3),
  /** Gap between consecutive orders of a burst, µs. */
  orderGapUs: z.number().int().min(1).max(1_000_000).default(100),
  /** Each order is cancelled this many orders later. */
  cancelAfterOrders: z.number().int().min(1).max(1_000).default(10),
});

class QuoteStuffer implements Wakeable {
  private sent = 0;
  private live: string[] = [];

  constructor(
    private readonly ctx: ScenarioContext,
    private readonly inst: SimInstrument,
    private readonly account: string,
    private readonly params: z.output<typeof QuoteStuffingParams>,
    private readonly endTs: number,
  ) {}

  wake(now: number): number {
    const { ctx, inst, params } = this;
    const rng = ctx.rng;
    const perBurst = Math.round(params.ordersPerBurst * params.intensity);
    if (this.sent === 0 && now >= this.endTs) return Number.POSITIVE_INFINITY;
    if (this.sent < perBurst) {
      const isBuy = rng.chance(0.5);
      const away = 10 + rng.int(20);
      const k = isBuy ? inst.bidTicks() - away : inst.askTicks() + away;
      if (k > 0)
        this.live.push(
          placeLimit(
            ctx,
            inst,
            now,
            this.account,
            isBuy ? 'buy' : 'sell',
            k,
            inst.qty(inst.profile.noiseQty),
          ),
        );
      if (this.live.length > params.cancelAfterOrders) inst.book.cancel(now, this.live.shift() as string);
      this.sent++;
      return now + params.orderGapUs;
    }
    for (const id of this.live) inst.book.cancel(now, id);
    this.live = [];
    this.sent = 0;
    return now + Math.round((params.burstEveryS * US_PER_S) / params.intensity);
  }
}

/** The `quote_stuffing` scenario. */
export const quoteStuffingScenario = defineScenario({
  name: 'quote_stuffing',
  typology: 'quote_stuffing',
  description: 'bursts of hundreds of far-from-touch orders, each cancelled within a millisecond or two',
  schema: QuoteStuffingParams,
  plan(params, ctx, startTs) {
    const inst = ctx.market.instrument(params.instrument ?? 'BTC-USDT');
    const [account] = actors(params.accounts, 1, 'quote_stuffing', () => [
      ctx.rng.pick(ctx.accounts.scenarioAccounts),
    ]) as [string];
    const endTs = startTs + Math.round(params.durationS * US_PER_S);
    return {
      agent: new QuoteStuffer(ctx, inst, account, params, endTs),
      firstWakeTs: startTs,
      endTs,
      venue: inst.book.venue,
      instrument: inst.symbol,
      accounts: [account],
    };
  },
});
