/**
 * `momentum_ignition`: a rapid sequence of aggressive buys that sweeps the ask and moves
 * the price, to set off momentum traders; the actor then sells its position into the
 * buying it provoked — the reversal by the same owner that gives the scheme away.
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

/** Parameters of `momentum_ignition`. */
export const MomentumIgnitionParams = BaseScenarioParams.extend({
  /** Aggressive orders per ignition (scaled by intensity). */
  ignitionOrders: z.number().int().min(1).max(1_000).default(6),
  /** Ticks each ignition order lifts the price target by. */
  levelsPerOrder: z.number().int().min(1).max(50).default(3),
  /** Seconds between ignitions. */
  cycleS: z.number().positive().max(3_600).default(12),
});

type Phase = 'ignite' | 'unwind';

/** Largest single ignition order, as a multiple of a typical noise order. */
const MAX_ORDER_MULTIPLE = 50;

class Igniter implements Wakeable {
  private phase: Phase = 'ignite';
  private sent = 0;
  private position = 0;
  private startAskTicks = 0;

  constructor(
    private readonly ctx: ScenarioContext,
    private readonly inst: SimInstrument,
    private readonly account: string,
    private readonly params: z.output<typeof MomentumIgnitionParams>,
    private readonly endTs: number,
  ) {}

  wake(now: number): number {
    const { ctx, inst, params } = this;
    const rng = ctx.rng;
    if (this.phase === 'ignite') {
      if (this.sent === 0 && now >= this.endTs) return Number.POSITIVE_INFINITY;
      // Each order takes everything up to a target that climbs from the first order's ask,
      // so liquidity refilled between orders is bought too and the price ratchets up.
      if (this.sent === 0) this.startAskTicks = inst.askTicks();
      const targetTicks = this.startAskTicks + (this.sent + 1) * params.levelsPerOrder - 1;
      let qty = 0;
      for (const [price, levelQty] of inst.book.levels('sell', 100)) {
        if (inst.ticks(price) > targetTicks) break;
        qty += levelQty;
      }
      qty = Math.min(qty, inst.profile.noiseQty * MAX_ORDER_MULTIPLE);
      this.position += placeMarket(
        ctx,
        inst,
        now,
        this.account,
        'buy',
        inst.qty(qty > 0 ? qty : inst.profile.noiseQty),
      );
      this.sent++;
      if (this.sent < Math.max(1, Math.round(params.ignitionOrders * params.intensity)))
        return now + 20_000 + rng.int(30_000);
      this.sent = 0;
      this.phase = 'unwind';
      // Give the momentum crowd time to react before selling into it.
      return now + 1_500_000 + rng.int(1_500_000);
    }
    const chunk = inst.qty(Math.max(this.position / 2, inst.profile.noiseQty));
    this.position -= placeMarket(
      ctx,
      inst,
      now,
      this.account,
      'sell',
      Math.min(chunk, inst.qty(this.position)),
    );
    if (this.position > 1 / inst.profile.lotsPerUnit / 2) return now + 200_000 + rng.int(300_000);
    this.position = 0;
    this.phase = 'ignite';
    return now + Math.round(params.cycleS * US_PER_S * (0.7 + 0.6 * rng.next()));
  }
}

/** The `momentum_ignition` scenario. */
export const momentumIgnitionScenario = defineScenario({
  name: 'momentum_ignition',
  typology: 'momentum_ignition',
  description: 'a burst of ask-sweeping buys to trigger momentum traders, then selling into them',
  schema: MomentumIgnitionParams,
  plan(params, ctx, startTs) {
    const inst = ctx.market.instrument(params.instrument ?? 'SOL-USDT');
    const [account] = actors(params.accounts, 1, 'momentum_ignition', () => [
      ctx.rng.pick(ctx.accounts.scenarioAccounts),
    ]) as [string];
    const endTs = startTs + Math.round(params.durationS * US_PER_S);
    return {
      agent: new Igniter(ctx, inst, account, params, endTs),
      firstWakeTs: startTs,
      endTs,
      venue: inst.book.venue,
      instrument: inst.symbol,
      accounts: [account],
    };
  },
});
