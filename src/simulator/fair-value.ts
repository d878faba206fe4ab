/**
 * The hidden "true" price every agent trades around: a log-price random walk with
 * Student-t shocks whose variance is the product of a fast GARCH(1,1) component
 * (Bollerslev 1986; seconds) and a slow stochastic-volatility regime (a log-variance AR(1)
 * with a ten-minute half-life). The t shocks give fat tails, the two variance components
 * volatility clustering from seconds to hours — stylized facts of returns (Cont 2001)
 * that a Gaussian walk lacks.
 *
 * @module
 */
import type { SeededRandom } from '../core/random';

/** GARCH(1,1) persistence: α + β close to 1, as estimated on crypto returns. */
const GARCH_ALPHA = 0.08;
const GARCH_BETA = 0.9;
/** Degrees of freedom of the shocks: 4 gives kurtosis well above a normal's. */
const SHOCK_DOF = 4;
/** The variance of a t(ν) draw is ν/(ν−2); shocks are scaled to unit variance. */
const SHOCK_SCALE = Math.sqrt((SHOCK_DOF - 2) / SHOCK_DOF);
/** Half-life of the slow volatility regime, µs. */
const REGIME_HALF_LIFE_US = 600_000_000;
/** Stationary standard deviation of the regime's log volatility: calm and hectic hours differ by ~3×. */
const REGIME_LOG_VOL_SD = 0.5;

/** A fair-value process stepped at a fixed event-time interval. */
export class FairValue {
  /** Current fair value. */
  value: number;
  /**
   * A temporary log-price offset set by scenarios (e.g. the hype of a pump), added on
   * top of the walk; 0 in normal trading.
   */
  sentiment = 0;
  private logPrice: number;
  private variance: number;
  private readonly longRunVariance: number;
  private readonly omega: number;
  /** Log volatility of the slow regime (stationary mean 0). */
  private regime = 0;
  private readonly regimePersistence: number;
  private readonly regimeShockSd: number;

  /**
   * @param startPrice - fair value at the start
   * @param volPerSqrtSecond - long-run volatility of log price per √s
   * @param stepUs - interval between {@link FairValue.step} calls, µs
   */
  constructor(
    readonly startPrice: number,
    readonly volPerSqrtSecond: number,
    readonly stepUs: number,
  ) {
    this.logPrice = Math.log(startPrice);
    this.value = startPrice;
    this.longRunVariance = volPerSqrtSecond * volPerSqrtSecond * (stepUs / 1e6);
    this.omega = this.longRunVariance * (1 - GARCH_ALPHA - GARCH_BETA);
    this.variance = this.longRunVariance;
    this.regimePersistence = 0.5 ** (stepUs / REGIME_HALF_LIFE_US);
    this.regimeShockSd = REGIME_LOG_VOL_SD * Math.sqrt(1 - this.regimePersistence ** 2);
  }

  /** Advances one step. */
  step(rng: SeededRandom): void {
    this.regime = this.regimePersistence * this.regime + this.regimeShockSd * rng.normal();
    // exp(2h − 2σ²) has mean 1, so the long-run variance stays what the profile says.
    const regimeScale = Math.exp(this.regime - REGIME_LOG_VOL_SD * REGIME_LOG_VOL_SD);
    const unitShock = Math.sqrt(this.variance) * rng.studentT(SHOCK_DOF) * SHOCK_SCALE;
    const shock = unitShock * regimeScale;
    this.logPrice += shock;
    this.variance = this.omega + GARCH_ALPHA * unitShock * unitShock + GARCH_BETA * this.variance;
    this.value = Math.exp(this.logPrice + this.sentiment);
  }

  /** Adds to the sentiment offset (log units) and updates the value at once. */
  addSentiment(deltaLog: number): void {
    this.sentiment += deltaLog;
    this.value = Math.exp(this.logPrice + this.sentiment);
  }

  /** Back to the start price and long-run variance. */
  reset(): void {
    this.logPrice = Math.log(this.startPrice);
    this.variance = this.longRunVariance;
    this.regime = 0;
    this.sentiment = 0;
    this.value = this.startPrice;
  }
}
