/**
 * A constant-product AMM pool (x·y = k with a fee on the input), the DEX venue of the
 * simulator.
 *
 * @module
 */

/** Result of a swap, in base and quote units. */
export interface SwapResult {
  /** Base units that moved (out of the pool on a buy, into it on a sell). */
  baseQty: number;
  /** Quote units that moved the other way (paid in on a buy, paid out on a sell). */
  quoteQty: number;
  /** Execution price, quote per base. */
  price: number;
}

/**
 * Constant-product pool: reserves `base` and `quote`; the fee is kept by the pool (it
 * raises k, as in Uniswap v2).
 *
 * @example
 * ```ts
 * const pool = new AmmPool(1_000, 3_000_000, 0.003);
 * const r = pool.buyBase(10); // pay quote, receive 10 base
 * r.price > 3_000;            // slippage plus fee
 * ```
 */
export class AmmPool {
  constructor(
    public base: number,
    public quote: number,
    readonly fee: number,
  ) {
    if (!(base > 0 && quote > 0))
      throw new RangeError(`pool reserves must be > 0 (base ${base}, quote ${quote})`);
    if (!(fee >= 0 && fee < 1)) throw new RangeError(`pool fee must be in [0, 1), got ${fee}`);
  }

  /** Marginal price, quote per base. */
  get price(): number {
    return this.quote / this.base;
  }

  /** Buys exactly `baseOut` base; the quote paid in includes the fee. */
  buyBase(baseOut: number): SwapResult {
    if (!(baseOut > 0 && baseOut < this.base)) {
      throw new RangeError(`buyBase(${baseOut}): must be > 0 and below the base reserve ${this.base}`);
    }
    const k = this.base * this.quote;
    const quoteInAfterFee = k / (this.base - baseOut) - this.quote;
    const quoteIn = quoteInAfterFee / (1 - this.fee);
    this.base -= baseOut;
    this.quote += quoteIn;
    return { baseQty: baseOut, quoteQty: quoteIn, price: quoteIn / baseOut };
  }

  /** Sells exactly `baseIn` base for quote (fee taken from the input). */
  sellBase(baseIn: number): SwapResult {
    if (!(baseIn > 0)) throw new RangeError(`sellBase(${baseIn}): must be > 0`);
    const effective = baseIn * (1 - this.fee);
    const quoteOut = (this.quote * effective) / (this.base + effective);
    this.base += baseIn;
    this.quote -= quoteOut;
    return { baseQty: baseIn, quoteQty: quoteOut, price: quoteOut / baseIn };
  }

  /**
   * The signed base amount an arbitrageur trades to bring the marginal price to
   * `target` (positive = buy base from the pool), ignoring the fee.
   */
  baseToReach(target: number): number {
    const k = this.base * this.quote;
    const baseAtTarget = Math.sqrt(k / target);
    return this.base - baseAtTarget;
  }
}
