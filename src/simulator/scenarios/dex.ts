/**
 * DEX scenarios on the simulator's constant-product pool:
 * - `dex_sandwich`: a wallet sees a victim's large buy in the mempool, buys just before it
 *   in the same block (higher gas), and sells just after it (the victim paid the slippage);
 * - `dex_wash`: two wallets of one owner buy and sell the same amount in the same block,
 *   block after block — volume with no change of ownership.
 *
 * @module
 */
import { z } from 'zod';
import type { DexVenue } from '../dex-venue';
import type { Wakeable } from '../scheduler';
import { actors, BaseScenarioParams, defineScenario, type ScenarioContext, US_PER_S } from './scenario';

/** Parameters of `dex_sandwich`. */
export const DexSandwichParams = BaseScenarioParams.extend({
  /** Victim swap size, multiples of a typical swap. */
  victimMultiple: z.number().positive().max(1_000).default(10),
  /** Front-run size, multiples of a typical swap. */
  frontRunMultiple: z.number().positive().max(1_000).default(5),
  /** Blocks between sandwiches (divided by intensity, at least 1). */
  everyBlocks: z.number().int().min(1).max(10_000).default(2),
});

/** Parameters of `dex_wash`. */
export const DexWashParams = BaseScenarioParams.extend({
  /** Wash size, multiples of a typical swap. */
  sizeMultiple: z.number().positive().max(1_000).default(3),
});

/** Gas priority of the sandwich: above any normal swap (noise swaps draw 1–100). */
const FRONT_RUN_PRIORITY = 1_000;

function dexOf(ctx: ScenarioContext): DexVenue {
  const dex = ctx.market.dex;
  if (dex === undefined) throw new RangeError('the simulator runs without a DEX pool (dex: false)');
  return dex;
}

class Sandwicher implements Wakeable {
  constructor(
    private readonly ctx: ScenarioContext,
    private readonly dex: DexVenue,
    private readonly attacker: string,
    private readonly victims: readonly string[],
    private readonly params: z.output<typeof DexSandwichParams>,
    private readonly endTs: number,
  ) {}

  wake(now: number): number {
    if (now >= this.endTs) return Number.POSITIVE_INFINITY;
    const { ctx, dex, params } = this;
    const rng = ctx.rng;
    const swapQty = dex.profile.swapQty;
    const front = swapQty * params.frontRunMultiple * (0.8 + 0.4 * rng.next());
    const tag = ctx.tag;
    dex.submit({ wallet: this.attacker, side: 'buy', baseQty: front, priority: FRONT_RUN_PRIORITY, tag });
    dex.submit({
      wallet: rng.pick(this.victims),
      side: 'buy',
      baseQty: swapQty * params.victimMultiple * (0.8 + 0.4 * rng.next()),
      priority: FRONT_RUN_PRIORITY - 1,
      tag,
    });
    dex.submit({
      wallet: this.attacker,
      side: 'sell',
      baseQty: front,
      priority: FRONT_RUN_PRIORITY - 2,
      tag,
    });
    const blocks = Math.max(1, Math.round(params.everyBlocks / params.intensity));
    return now + blocks * dex.profile.blockMs * 1000;
  }
}

class DexWasher implements Wakeable {
  private flip = false;

  constructor(
    private readonly ctx: ScenarioContext,
    private readonly dex: DexVenue,
    private readonly wallets: readonly [string, string],
    private readonly params: z.output<typeof DexWashParams>,
    private readonly endTs: number,
  ) {}

  wake(now: number): number {
    if (now >= this.endTs) return Number.POSITIVE_INFINITY;
    const { ctx, dex, params } = this;
    const rng = ctx.rng;
    const qty = dex.profile.swapQty * params.sizeMultiple * (0.5 + rng.next());
    const [a, b] = this.flip ? [this.wallets[1], this.wallets[0]] : this.wallets;
    this.flip = !this.flip;
    // Adjacent gas prices: the two legs land next to each other in the block.
    const priority = rng.uniform(1, 100);
    dex.submit({ wallet: a, side: 'buy', baseQty: qty, priority, tag: ctx.tag });
    dex.submit({ wallet: b, side: 'sell', baseQty: qty, priority: priority - 1e-6, tag: ctx.tag });
    const blocks = Math.max(1, Math.round(1 / params.intensity));
    return now + blocks * dex.profile.blockMs * 1000;
  }
}

/** The `dex_sandwich` scenario. */
export const dexSandwichScenario = defineScenario({
  name: 'dex_sandwich',
  typology: 'dex_sandwich',
  description: 'a wallet front-runs and back-runs a victim swap in the same block',
  schema: DexSandwichParams,
  plan(params, ctx, startTs) {
    const dex = dexOf(ctx);
    const [attacker] = actors(params.accounts, 1, 'dex_sandwich', () => [
      ctx.rng.pick(ctx.accounts.scenarioWallets),
    ]) as [string];
    const endTs = startTs + Math.round(params.durationS * US_PER_S);
    return {
      agent: new Sandwicher(ctx, dex, attacker, ctx.accounts.noiseWallets, params, endTs),
      firstWakeTs: startTs,
      endTs,
      venue: dex.venue,
      instrument: dex.symbol,
      accounts: [attacker],
    };
  },
});

/** The `dex_wash` scenario. */
export const dexWashScenario = defineScenario({
  name: 'dex_wash',
  typology: 'wash_trading',
  description: 'two wallets of one owner buy and sell the same amount in the same block, block after block',
  schema: DexWashParams,
  plan(params, ctx, startTs) {
    const dex = dexOf(ctx);
    const wallets = actors(params.accounts, 2, 'dex_wash', () =>
      ctx.accounts.sameOwner(ctx.rng, ctx.accounts.scenarioWallets, 2),
    ) as [string, string];
    const endTs = startTs + Math.round(params.durationS * US_PER_S);
    return {
      agent: new DexWasher(ctx, dex, wallets, params, endTs),
      firstWakeTs: startTs,
      endTs,
      venue: dex.venue,
      instrument: dex.symbol,
      accounts: [...wallets],
    };
  },
});
