/**
 * `spoofing` and `layering`: an actor rests a genuine order on one side, then places
 * large orders on the other side just outside the touch to make the book look heavy
 * there, trades on the genuine side while they rest, and cancels them. Layering is the
 * same with several price levels at once (DESIGN §4; CFTC and MAR definitions).
 *
 * @module
 */
import { z } from 'zod';
import type { Side } from '../../core/events';
import type { SimInstrument } from '../market';
import { opposite } from '../market';
import type { Wakeable } from '../scheduler';
import {
  actors,
  BaseScenarioParams,
  defineScenario,
  placeLimit,
  placeMarket,
  type ScenarioContext,
  US_PER_S,
} from './scenario';

/** Parameters of `spoofing`. */
export const SpoofingParams = BaseScenarioParams.extend({
  /** Side of the fake orders; the genuine trading is on the other side. */
  spoofSide: z.enum(['buy', 'sell']).default('sell'),
  /** Size of each fake order as a multiple of a market maker's quote. */
  sizeMultiple: z.number().positive().max(1_000).default(8),
  /**
   * Ticks beyond the touch the first fake order sits. Default: the instrument's typical
   * one-second fair-value move (at least one tick), so the orders look real but are
   * unlikely to be hit in the second before they are cancelled.
   */
  distanceTicks: z.number().int().min(0).max(10_000).optional(),
});

/** Parameters of `layering`: spoofing over several levels. */
export const LayeringParams = SpoofingParams.extend({
  /** Number of price levels layered. */
  levels: z.number().int().min(2).max(20).default(4),
});

type Phase = 'genuine' | 'spoof' | 'execute' | 'cancel';

/** One spoofing/layering actor: cycles genuine order → fake orders → execution → cancel. */
class SpoofingActor implements Wakeable {
  private phase: Phase = 'genuine';
  private genuineId = '';
  private spoofIds: string[] = [];
  private readonly genuineSide: Side;

  constructor(
    private readonly ctx: ScenarioContext,
    private readonly inst: SimInstrument,
    private readonly account: string,
    private readonly spoofSide: Side,
    private readonly levels: number,
    private readonly sizeMultiple: number,
    private readonly distanceTicks: number,
    private readonly intensity: number,
    private readonly endTs: number,
  ) {
    this.genuineSide = opposite(spoofSide);
  }

  wake(now: number): number {
    const { ctx, inst } = this;
    const rng = ctx.rng;
    const book = inst.book;
    const profile = inst.profile;
    switch (this.phase) {
      case 'genuine': {
        if (now >= this.endTs) return Number.POSITIVE_INFINITY;
        // Joins the touch on the genuine side: the order the fake pressure should fill.
        const k = this.genuineSide === 'buy' ? inst.bidTicks() : inst.askTicks();
        this.genuineId = placeLimit(
          ctx,
          inst,
          now,
          this.account,
          this.genuineSide,
          k,
          inst.qty(profile.noiseQty * 2),
        );
        this.phase = 'spoof';
        return now + 20_000 + rng.int(80_000);
      }
      case 'spoof': {
        const touch = this.spoofSide === 'sell' ? inst.askTicks() : inst.bidTicks();
        const direction = this.spoofSide === 'sell' ? 1 : -1;
        this.spoofIds = [];
        for (let level = 0; level < this.levels; level++) {
          const k = touch + direction * (this.distanceTicks + level);
          const qty = inst.qty(profile.mmQty * this.sizeMultiple * (0.8 + 0.4 * rng.next()));
          this.spoofIds.push(placeLimit(ctx, inst, now, this.account, this.spoofSide, k, qty));
        }
        this.phase = 'execute';
        return now + 100_000 + rng.int(300_000);
      }
      case 'execute': {
        // Trades on the genuine side while the fake orders rest.
        placeMarket(ctx, inst, now, this.account, this.genuineSide, inst.qty(profile.noiseQty * 2));
        this.phase = 'cancel';
        return now + 100_000 + rng.int(400_000);
      }
      case 'cancel': {
        for (const id of this.spoofIds) book.cancel(now, id);
        book.cancel(now, this.genuineId);
        this.spoofIds = [];
        this.phase = 'genuine';
        return now + Math.round((1_000_000 + rng.int(3_000_000)) / this.intensity);
      }
    }
  }
}

function planSpoofing(
  params: z.output<typeof LayeringParams>,
  levels: number,
  ctx: ScenarioContext,
  startTs: number,
  name: string,
) {
  const inst = ctx.market.instrument(params.instrument ?? 'ETH-USDT');
  const [account] = actors(params.accounts, 1, name, () => [ctx.rng.pick(ctx.accounts.scenarioAccounts)]) as [
    string,
  ];
  const endTs = startTs + Math.round(params.durationS * US_PER_S);
  const oneSecondMoveTicks =
    inst.profile.startPrice * inst.profile.volPerSqrtSecond * inst.profile.ticksPerUnit;
  const distanceTicks = params.distanceTicks ?? Math.max(1, Math.ceil(oneSecondMoveTicks));
  return {
    agent: new SpoofingActor(
      ctx,
      inst,
      account,
      params.spoofSide,
      levels,
      params.sizeMultiple,
      distanceTicks,
      params.intensity,
      endTs,
    ),
    firstWakeTs: startTs,
    endTs,
    venue: inst.book.venue,
    instrument: inst.symbol,
    accounts: [account],
  };
}

/** The `spoofing` scenario. */
export const spoofingScenario = defineScenario({
  name: 'spoofing',
  typology: 'spoofing',
  description:
    'large orders one tick outside the touch, cancelled within ~2 s while the same account trades the other side',
  schema: SpoofingParams,
  plan: (params, ctx, startTs) => planSpoofing({ ...params, levels: 1 }, 1, ctx, startTs, 'spoofing'),
});

/** The `layering` scenario. */
export const layeringScenario = defineScenario({
  name: 'layering',
  typology: 'layering',
  description:
    'large orders on several levels beyond the touch, cancelled together after trading the other side',
  schema: LayeringParams,
  plan: (params, ctx, startTs) => planSpoofing(params, params.levels, ctx, startTs, 'layering'),
});
