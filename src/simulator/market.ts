/**
 * The simulated market: the order-book instruments (matching book + fair value + profile)
 * and the DEX pool, shared by every agent and scenario.
 *
 * @module
 */
import type { Side } from '../core/events';
import type { SeededRandom } from '../core/random';
import type { DexVenue } from './dex-venue';
import { FairValue } from './fair-value';
import type { InstrumentProfile } from './instruments';
import { MatchingBook, type MatchingSink } from './matching-engine';
import type { Wakeable } from './scheduler';

/** Event-time step of every fair-value walk, µs. */
export const FAIR_VALUE_STEP_US = 100_000;

/** One order-book instrument of the simulated venue. */
export class SimInstrument {
  readonly book: MatchingBook;
  readonly fair: FairValue;
  readonly symbol: string;

  constructor(
    readonly profile: InstrumentProfile,
    venue: string,
    sink: MatchingSink,
    emitQuotes: boolean,
  ) {
    this.symbol = profile.symbol;
    this.book = new MatchingBook({
      venue,
      instrument: profile.symbol,
      sink,
      emitQuotes,
      tradeIdPrefix: `${profile.symbol}-t`,
    });
    this.fair = new FairValue(profile.startPrice, profile.volPerSqrtSecond, FAIR_VALUE_STEP_US);
  }

  /** Price of `k` ticks: exact decimal prices, since `ticksPerUnit` is an integer. */
  price(k: number): number {
    return k / this.profile.ticksPerUnit;
  }

  /** Nearest tick count of a price. */
  ticks(price: number): number {
    return Math.round(price * this.profile.ticksPerUnit);
  }

  /** Rounds a quantity to whole lots, at least one lot. */
  qty(units: number): number {
    const lots = this.profile.lotsPerUnit;
    const n = Math.round(units * lots);
    return (n < 1 ? 1 : n) / lots;
  }

  /** Fair value in ticks (fractional). */
  fairTicks(): number {
    return this.fair.value * this.profile.ticksPerUnit;
  }

  /** Best bid in ticks, or the fair value's floor minus one when the side is empty. */
  bidTicks(): number {
    const b = this.book.bestBid();
    return b === b ? this.ticks(b) : Math.floor(this.fairTicks()) - 1;
  }

  /** Best ask in ticks, or the fair value's ceiling plus one when the side is empty. */
  askTicks(): number {
    const a = this.book.bestAsk();
    return a === a ? this.ticks(a) : Math.ceil(this.fairTicks()) + 1;
  }

  /** Mid price (fair value when a side is empty). */
  mid(): number {
    const b = this.book.bestBid();
    const a = this.book.bestAsk();
    return b === b && a === a ? (a + b) / 2 : this.fair.value;
  }

  /** Back to the start: empty book, fair value at its start price. */
  reset(): void {
    this.book.reset();
    this.fair.reset();
  }
}

/** Steps one instrument's fair value at {@link FAIR_VALUE_STEP_US}. */
export class FairValueDriver implements Wakeable {
  constructor(
    private readonly fair: FairValue,
    private readonly rng: SeededRandom,
  ) {}

  wake(now: number): number {
    this.fair.step(this.rng);
    return now + FAIR_VALUE_STEP_US;
  }
}

/** Everything agents trade on, plus the order-ID counter. */
export class SimMarket {
  readonly bySymbol = new Map<string, SimInstrument>();
  private orderSeq = 0;

  constructor(
    readonly venue: string,
    readonly instruments: readonly SimInstrument[],
    readonly dex: DexVenue | undefined,
  ) {
    for (const i of instruments) this.bySymbol.set(i.symbol, i);
  }

  /** A new order ID, unique within the run. */
  nextOrderId(): string {
    return `o${++this.orderSeq}`;
  }

  /** The instrument with `symbol`; throws a RangeError naming the known ones otherwise. */
  instrument(symbol: string): SimInstrument {
    const found = this.bySymbol.get(symbol);
    if (found === undefined) {
      throw new RangeError(
        `unknown instrument '${symbol}' (simulated: ${[...this.bySymbol.keys()].join(', ')})`,
      );
    }
    return found;
  }

  /** Restarts order IDs. */
  resetIds(): void {
    this.orderSeq = 0;
  }
}

/** The other side. */
export function opposite(side: Side): Side {
  return side === 'buy' ? 'sell' : 'buy';
}
