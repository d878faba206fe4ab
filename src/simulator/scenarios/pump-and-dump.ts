/**
 * `pump_and_dump`: a group quietly accumulates an illiquid token, then buys in rushes —
 * several accounts hitting the ask in the same microsecond — while the hype lifts the
 * price, and finally sells into the buyers it attracted as the price collapses back.
 *
 * The hype is modelled as a temporary offset on the fair value (other traders re-price
 * the token while the pump lasts); the actor removes exactly what it added by the end.
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
  placeMarket,
  type ScenarioContext,
  US_PER_S,
} from './scenario';

/** Parameters of `pump_and_dump`. */
export const PumpAndDumpParams = BaseScenarioParams.extend({
  /** Accounts in the pump group. */
  groupSize: z.number().int().min(1).max(20).default(3),
  /** Peak run-up of the price during the pump, percent (scaled by intensity). */
  runUpPct: z.number().positive().max(500).default(8),
});

/** Share of the duration spent accumulating, pumping and dumping. */
const ACCUMULATE_SHARE = 0.4;
const PUMP_SHARE = 0.2;
const DUMP_SHARE = 0.2;

class PumpAndDumpActor implements Wakeable {
  private sentimentAdded = 0;
  private position = 0;

  constructor(
    private readonly ctx: ScenarioContext,
    private readonly inst: SimInstrument,
    private readonly group: readonly string[],
    private readonly runUpLog: number,
    private readonly startTs: number,
    private readonly endTs: number,
  ) {}

  wake(now: number): number {
    const { ctx, inst, group } = this;
    const rng = ctx.rng;
    const noiseQty = inst.profile.noiseQty;
    const span = this.endTs - this.startTs;
    const pumpStart = this.startTs + span * ACCUMULATE_SHARE;
    const dumpStart = pumpStart + span * PUMP_SHARE;
    const dumpEnd = dumpStart + span * DUMP_SHARE;
    if (now < pumpStart) {
      // Accumulation: small bids at the touch, filled by whoever sells.
      const account = rng.pick(group);
      placeLimit(ctx, inst, now, account, 'buy', inst.bidTicks(), inst.qty(noiseQty * (0.5 + rng.next())));
      return now + 500_000 + rng.int(1_500_000);
    }
    const rushGapUs = 400_000;
    if (now < dumpStart) {
      // The rush: every group account buys in the same microsecond.
      const steps = Math.max(1, Math.floor((dumpStart - pumpStart) / rushGapUs));
      this.addSentiment(this.runUpLog / steps);
      for (const account of group)
        this.position += placeMarket(
          ctx,
          inst,
          now,
          account,
          'buy',
          inst.qty(noiseQty * (2 + 2 * rng.next())),
        );
      return now + rushGapUs;
    }
    if (now < dumpEnd && this.position > 0) {
      const steps = Math.max(1, Math.floor((dumpEnd - now) / rushGapUs));
      this.addSentiment(-this.sentimentAdded / steps);
      const qty = inst.qty(Math.min(this.position, (this.position / steps) * (0.8 + 0.4 * rng.next())));
      this.position -= placeMarket(ctx, inst, now, rng.pick(group), 'sell', qty);
      return now + rushGapUs;
    }
    this.addSentiment(-this.sentimentAdded);
    return Number.POSITIVE_INFINITY;
  }

  private addSentiment(deltaLog: number): void {
    this.inst.fair.addSentiment(deltaLog);
    this.sentimentAdded += deltaLog;
  }
}

/** The `pump_and_dump` scenario. */
export const pumpAndDumpScenario = defineScenario({
  name: 'pump_and_dump',
  typology: 'pump_and_dump',
  description:
    'a group accumulates an illiquid token, buys in same-microsecond rushes during a run-up, then dumps',
  schema: PumpAndDumpParams,
  plan(params, ctx, startTs) {
    const inst = ctx.market.instrument(params.instrument ?? 'MOON-USDT');
    const n = params.groupSize;
    const group = actors(params.accounts, n, 'pump_and_dump', () =>
      ctx.accounts.distinctOwners(ctx.rng, ctx.accounts.scenarioAccounts, n),
    );
    const endTs = startTs + Math.round(params.durationS * US_PER_S);
    const runUpLog = Math.log(1 + (params.runUpPct * params.intensity) / 100);
    return {
      agent: new PumpAndDumpActor(ctx, inst, group, runUpLog, startTs, endTs),
      firstWakeTs: startTs,
      endTs,
      venue: inst.book.venue,
      instrument: inst.symbol,
      accounts: group,
    };
  },
});
