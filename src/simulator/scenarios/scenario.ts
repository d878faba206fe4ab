/**
 * What a scenario is: a zod schema of its parameters and a plan that puts a labelled
 * actor into the simulated market.
 *
 * @module
 */
import { z } from 'zod';
import type { Side } from '../../core/events';
import type { SeededRandom } from '../../core/random';
import type { Typology } from '../../core/signal';
import type { AccountUniverse } from '../accounts';
import type { SimInstrument, SimMarket } from '../market';
import type { Wakeable } from '../scheduler';

/** Every scenario the simulator can inject. */
export const SCENARIO_NAMES = [
  'normal',
  'spoofing',
  'layering',
  'wash_self',
  'wash_colluding',
  'wash_round_trip',
  'wash_cycle',
  'pump_and_dump',
  'quote_stuffing',
  'marking_the_close',
  'momentum_ignition',
  'dex_sandwich',
  'dex_wash',
] as const;

/** One of {@link SCENARIO_NAMES}. */
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

/** Parameters every scenario takes. */
export const BaseScenarioParams = z.object({
  /** Instrument to act on; each scenario has a fitting default (illiquid for pumps and wash). */
  instrument: z.string().min(1).optional(),
  /** Scales how often and how hard the actor acts (1 = the documented typical case). */
  intensity: z.number().positive().max(10).default(1),
  /** How long the episode lasts, seconds of event time. */
  durationS: z.number().positive().max(86_400).default(60),
  /** Actor accounts (wallets for DEX scenarios); by default drawn from the accounts normal trading never uses. */
  accounts: z.array(z.string().min(1)).min(1).optional(),
  /** Delay from the injection to the episode's start, seconds of event time. */
  startInS: z.number().nonnegative().max(86_400).default(0),
});

/** Validated base parameters. */
export type BaseScenarioParamsOutput = z.output<typeof BaseScenarioParams>;

/** What a scenario is given when it is planned. */
export interface ScenarioContext {
  readonly market: SimMarket;
  readonly accounts: AccountUniverse;
  /** The episode's own generator. */
  readonly rng: SeededRandom;
  /** Tag every order of the actor carries; the simulator turns it into the label. */
  readonly tag: number;
  /** Interval of the venue's fixings (candle closes), µs; closes fall on multiples of it. */
  readonly closeIntervalUs: number;
}

/** An actor ready to be scheduled, and what the ground truth says about it. */
export interface ScenarioPlan {
  agent: Wakeable;
  /** Event time of the actor's first wake-up. */
  firstWakeTs: number;
  /** Planned end of the episode. */
  endTs: number;
  venue: string;
  instrument: string;
  /** The actor's accounts (the manipulators; victims are not listed). */
  accounts: string[];
}

/** A scenario: name, typology it exercises, parameter schema and planner. */
export interface ScenarioDefinition<S extends z.ZodObject = z.ZodObject> {
  readonly name: ScenarioName;
  /** The detector typology this scenario exercises; null for `normal`. */
  readonly typology: Typology | null;
  /** One line for docs and `--help`. */
  readonly description: string;
  readonly schema: S;
  plan(params: z.output<S>, ctx: ScenarioContext, startTs: number): ScenarioPlan;
}

/** Keeps a definition's schema and planner types tied together. */
export function defineScenario<S extends z.ZodObject>(
  definition: ScenarioDefinition<S>,
): ScenarioDefinition<S> {
  return definition;
}

/** Places a tagged limit order; returns its ID. */
export function placeLimit(
  ctx: ScenarioContext,
  inst: SimInstrument,
  now: number,
  account: string,
  side: Side,
  k: number,
  qty: number,
): string {
  const id = ctx.market.nextOrderId();
  inst.book.limit(now, id, account, side, inst.price(k), qty, ctx.tag);
  return id;
}

/** Places a tagged market order; returns the filled quantity. */
export function placeMarket(
  ctx: ScenarioContext,
  inst: SimInstrument,
  now: number,
  account: string,
  side: Side,
  qty: number,
): number {
  return inst.book.market(now, ctx.market.nextOrderId(), account, side, qty, ctx.tag);
}

/**
 * A pre-arranged trade: `seller` rests a sell one tick inside the spread and `buyer`
 * crosses it at once, so the two orders can only meet each other. Returns false (nothing
 * sent) when the spread is too tight to fit a price between bid and ask.
 */
export function crossInsideSpread(
  ctx: ScenarioContext,
  inst: SimInstrument,
  now: number,
  seller: string,
  buyer: string,
  qty: number,
  restingSide: Side,
): boolean {
  const bid = inst.bidTicks();
  const ask = inst.askTicks();
  if (ask - bid < 2) return false;
  const k = restingSide === 'sell' ? ask - 1 : bid + 1;
  if (restingSide === 'sell') {
    placeLimit(ctx, inst, now, seller, 'sell', k, qty);
    placeLimit(ctx, inst, now, buyer, 'buy', k, qty);
  } else {
    placeLimit(ctx, inst, now, buyer, 'buy', k, qty);
    placeLimit(ctx, inst, now, seller, 'sell', k, qty);
  }
  return true;
}

/** The actors: the user's accounts when given (at least `n`), else `pick()`. */
export function actors(
  given: readonly string[] | undefined,
  n: number,
  scenario: string,
  pick: () => string[],
): string[] {
  if (given === undefined) return pick();
  if (given.length < n) throw new RangeError(`${scenario} needs ${n} account(s), got ${given.length}`);
  return given.slice(0, n);
}

/** Microseconds in a second. */
export const US_PER_S = 1_000_000;
