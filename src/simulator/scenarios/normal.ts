/**
 * `normal`: no manipulation. Injecting it marks a control period, so evaluation can count
 * false alerts on trading known to be clean.
 *
 * @module
 */
import { BaseScenarioParams, defineScenario, US_PER_S } from './scenario';

/** Parameters of `normal`: only the duration matters. */
export const NormalParams = BaseScenarioParams;

/** The `normal` scenario. */
export const normalScenario = defineScenario({
  name: 'normal',
  typology: null,
  description: 'normal trading only: a labelled control period with no manipulation',
  schema: NormalParams,
  plan(params, ctx, startTs) {
    const instrument = params.instrument ?? '*';
    return {
      agent: { wake: () => Number.POSITIVE_INFINITY },
      firstWakeTs: startTs,
      endTs: startTs + Math.round(params.durationS * US_PER_S),
      venue: ctx.market.venue,
      instrument,
      accounts: [],
    };
  },
});
