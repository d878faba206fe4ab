/**
 * Wash trading: trades that change no beneficial ownership, or that are pre-arranged to
 * come back to where they started — fake volume. Four forms:
 * - `wash_self`: one account on both sides;
 * - `wash_colluding`: two accounts of one owner trading with each other;
 * - `wash_round_trip`: two owners, A sells to B and B sells the same quantity back;
 * - `wash_cycle`: three or more owners passing the same quantity around a ring.
 *
 * Every leg is arranged to meet only its partner: the resting order goes one tick inside
 * the spread and the crossing order follows in the same microsecond.
 *
 * @module
 */
import { z } from 'zod';
import type { SimInstrument } from '../market';
import type { Wakeable } from '../scheduler';
import {
  actors,
  BaseScenarioParams,
  crossInsideSpread,
  defineScenario,
  type ScenarioContext,
  US_PER_S,
} from './scenario';

/** Parameters of the wash-trading scenarios. */
export const WashParams = BaseScenarioParams.extend({
  /** Size of each wash trade as a multiple of a typical noise order. */
  sizeMultiple: z.number().positive().max(1_000).default(3),
});

/** Parameters of `wash_cycle`. */
export const WashCycleParams = WashParams.extend({
  /** Owners in the ring (3 or more). */
  ringSize: z.number().int().min(3).max(10).default(3),
});

/**
 * Passes one quantity along `legs` (seller → buyer pairs) in order, one leg per wake,
 * then waits and starts again.
 */
class WashActor implements Wakeable {
  private leg = 0;
  private qty = 0;

  constructor(
    private readonly ctx: ScenarioContext,
    private readonly inst: SimInstrument,
    private readonly legs: readonly (readonly [seller: string, buyer: string])[],
    private readonly sizeMultiple: number,
    private readonly intensity: number,
    private readonly legGapUs: number,
    private readonly endTs: number,
  ) {}

  wake(now: number): number {
    const { ctx, inst } = this;
    const rng = ctx.rng;
    if (this.leg === 0) {
      if (now >= this.endTs) return Number.POSITIVE_INFINITY;
      this.qty = inst.qty(inst.profile.noiseQty * this.sizeMultiple * (0.5 + rng.next()));
    }
    const [seller, buyer] = this.legs[this.leg] as readonly [string, string];
    // Alternate which side rests, so aggressor sides look balanced.
    if (!crossInsideSpread(ctx, inst, now, seller, buyer, this.qty, rng.chance(0.5) ? 'sell' : 'buy')) {
      return now + 100_000;
    }
    this.leg++;
    if (this.leg < this.legs.length) return now + Math.round(this.legGapUs * (0.5 + rng.next()));
    this.leg = 0;
    return now + Math.round((1_500_000 + rng.int(3_000_000)) / this.intensity);
  }
}

type WashForm = 'wash_self' | 'wash_colluding' | 'wash_round_trip' | 'wash_cycle';

function planWash(
  form: WashForm,
  params: z.output<typeof WashCycleParams>,
  ctx: ScenarioContext,
  startTs: number,
) {
  const inst = ctx.market.instrument(params.instrument ?? 'MOON-USDT');
  const pool = ctx.accounts.scenarioAccounts;
  const u = ctx.accounts;
  let accounts: string[];
  let legs: [string, string][];
  let legGapUs = 0;
  switch (form) {
    case 'wash_self':
      accounts = actors(params.accounts, 1, form, () => [ctx.rng.pick(pool)]);
      legs = [[accounts[0] as string, accounts[0] as string]];
      break;
    case 'wash_colluding':
      accounts = actors(params.accounts, 2, form, () => u.sameOwner(ctx.rng, pool, 2));
      legs = [
        [accounts[0] as string, accounts[1] as string],
        [accounts[1] as string, accounts[0] as string],
      ];
      legGapUs = 50_000;
      break;
    case 'wash_round_trip':
      accounts = actors(params.accounts, 2, form, () => u.distinctOwners(ctx.rng, pool, 2));
      legs = [
        [accounts[0] as string, accounts[1] as string],
        [accounts[1] as string, accounts[0] as string],
      ];
      legGapUs = 2_000_000;
      break;
    case 'wash_cycle': {
      const n = params.ringSize;
      accounts = actors(params.accounts, n, form, () => u.distinctOwners(ctx.rng, pool, n));
      legs = accounts.map((a, i) => [a, accounts[(i + 1) % n] as string] as [string, string]);
      legGapUs = 1_500_000;
      break;
    }
  }
  const endTs = startTs + Math.round(params.durationS * US_PER_S);
  return {
    agent: new WashActor(ctx, inst, legs, params.sizeMultiple, params.intensity, legGapUs, endTs),
    firstWakeTs: startTs,
    endTs,
    venue: inst.book.venue,
    instrument: inst.symbol,
    accounts,
  };
}

/** `wash_self`: one account trades with itself. */
export const washSelfScenario = defineScenario({
  name: 'wash_self',
  typology: 'wash_trading',
  description: 'one account buys from and sells to itself',
  schema: WashParams,
  plan: (params, ctx, startTs) => planWash('wash_self', { ...params, ringSize: 3 }, ctx, startTs),
});

/** `wash_colluding`: two accounts of one owner trade with each other. */
export const washColludingScenario = defineScenario({
  name: 'wash_colluding',
  typology: 'wash_trading',
  description: 'two accounts of one beneficial owner trade back and forth',
  schema: WashParams,
  plan: (params, ctx, startTs) => planWash('wash_colluding', { ...params, ringSize: 3 }, ctx, startTs),
});

/** `wash_round_trip`: A sells to B, B sells the same back within seconds. */
export const washRoundTripScenario = defineScenario({
  name: 'wash_round_trip',
  typology: 'wash_trading',
  description: 'two owners pass a quantity A→B→A within seconds, net position zero',
  schema: WashParams,
  plan: (params, ctx, startTs) => planWash('wash_round_trip', { ...params, ringSize: 3 }, ctx, startTs),
});

/** `wash_cycle`: a ring of 3+ owners passes one quantity around. */
export const washCycleScenario = defineScenario({
  name: 'wash_cycle',
  typology: 'wash_trading',
  description: 'three or more owners pass one quantity around a ring A→B→C→A',
  schema: WashCycleParams,
  plan: (params, ctx, startTs) => planWash('wash_cycle', params, ctx, startTs),
});
