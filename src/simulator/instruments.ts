/**
 * Instrument profiles of the simulated market: price grid, fair-value dynamics and how
 * many agents of each kind trade it.
 *
 * @module
 */

/** Everything the simulator needs to know to trade one order-book instrument. */
export interface InstrumentProfile {
  /** Symbol (`BTC-USDT`). */
  symbol: string;
  /** Starting fair value. */
  startPrice: number;
  /** Price increments per unit of price: 10 → tick 0.1. Integer, so prices are `k / ticksPerUnit`. */
  ticksPerUnit: number;
  /** Quantity increments per unit: 1000 → lot 0.001. Integer. */
  lotsPerUnit: number;
  /**
   * Long-run volatility of the fair value's log price per √second. BTC near 50% a year is
   * about 9e-5 per √s; small caps several times that.
   */
  volPerSqrtSecond: number;
  /** Market makers quoting it. */
  marketMakers: number;
  /** Levels each market maker quotes per side. */
  mmLevels: number;
  /** Typical size of one market-maker quote, in units of the base asset. */
  mmQty: number;
  /** Half spread of a market maker's innermost quote, in ticks. */
  mmHalfSpreadTicks: number;
  /** Mean interval between a market maker's requotes, ms. */
  mmRequoteMs: number;
  /** Noise-trader order arrivals per second (Poisson). */
  noiseRatePerSecond: number;
  /** Share of noise orders that are market orders. */
  noiseMarketShare: number;
  /** Typical size of a noise order, units of the base asset. */
  noiseQty: number;
  /** Momentum traders following it. */
  momentumTraders: number;
  /** Informed traders trading it. */
  informedTraders: number;
}

/**
 * The default order-book instruments: three liquid majors, a mid-cap and an illiquid
 * small-cap token (few market makers, wide spread, jumpy fair value, thin flow).
 */
export const DEFAULT_INSTRUMENTS: readonly InstrumentProfile[] = [
  {
    symbol: 'BTC-USDT',
    startPrice: 60_000,
    ticksPerUnit: 10,
    lotsPerUnit: 10_000,
    volPerSqrtSecond: 9e-5,
    marketMakers: 4,
    mmLevels: 5,
    mmQty: 0.5,
    mmHalfSpreadTicks: 2,
    mmRequoteMs: 150,
    noiseRatePerSecond: 8,
    noiseMarketShare: 0.3,
    noiseQty: 0.1,
    momentumTraders: 3,
    informedTraders: 2,
  },
  {
    symbol: 'ETH-USDT',
    startPrice: 3_000,
    ticksPerUnit: 100,
    lotsPerUnit: 10_000,
    volPerSqrtSecond: 1.1e-4,
    marketMakers: 4,
    mmLevels: 5,
    mmQty: 5,
    mmHalfSpreadTicks: 2,
    mmRequoteMs: 170,
    noiseRatePerSecond: 6,
    noiseMarketShare: 0.3,
    noiseQty: 1,
    momentumTraders: 3,
    informedTraders: 2,
  },
  {
    symbol: 'SOL-USDT',
    startPrice: 150,
    ticksPerUnit: 100,
    lotsPerUnit: 100,
    volPerSqrtSecond: 1.5e-4,
    marketMakers: 3,
    mmLevels: 5,
    mmQty: 50,
    mmHalfSpreadTicks: 1,
    mmRequoteMs: 200,
    noiseRatePerSecond: 5,
    noiseMarketShare: 0.3,
    noiseQty: 10,
    momentumTraders: 2,
    informedTraders: 1,
  },
  {
    symbol: 'DOGE-USDT',
    startPrice: 0.15,
    ticksPerUnit: 100_000,
    lotsPerUnit: 1,
    volPerSqrtSecond: 2e-4,
    marketMakers: 3,
    mmLevels: 4,
    mmQty: 20_000,
    mmHalfSpreadTicks: 1,
    mmRequoteMs: 250,
    noiseRatePerSecond: 4,
    noiseMarketShare: 0.3,
    noiseQty: 5_000,
    momentumTraders: 2,
    informedTraders: 1,
  },
  {
    symbol: 'MOON-USDT',
    startPrice: 0.5,
    ticksPerUnit: 10_000,
    lotsPerUnit: 1,
    volPerSqrtSecond: 4e-4,
    marketMakers: 2,
    mmLevels: 3,
    mmQty: 2_000,
    mmHalfSpreadTicks: 3,
    mmRequoteMs: 400,
    noiseRatePerSecond: 1,
    noiseMarketShare: 0.35,
    noiseQty: 500,
    momentumTraders: 1,
    informedTraders: 1,
  },
];

/** Profile of the constant-product DEX pool. */
export interface DexPoolProfile {
  /** Chain and pool address; the events' venue is `<chain>:<address>`. */
  chain: string;
  address: string;
  /** Instrument symbol of the pool (`WETH-USDC`): base then quote. */
  symbol: string;
  /** Starting fair value, quote per base. */
  startPrice: number;
  /** Base reserve at start; the quote reserve follows from the price. */
  baseReserve: number;
  /** Swap fee as a fraction (0.003 = 30 bp). */
  fee: number;
  /** Block interval, ms. */
  blockMs: number;
  /** Noise swaps per block (Poisson mean). */
  swapsPerBlock: number;
  /** Typical noise swap size, units of base. */
  swapQty: number;
  /** Fair-value volatility per √second. */
  volPerSqrtSecond: number;
}

/** The default DEX pool: a WETH/USDC pool with 12 s blocks and a 0.3 % fee. */
export const DEFAULT_DEX_POOL: DexPoolProfile = {
  chain: 'eth',
  address: '0x88e6a0c2ddd26feeb64f039a2c41296fcb3f5640',
  symbol: 'WETH-USDC',
  startPrice: 3_000,
  baseReserve: 5_000,
  fee: 0.003,
  blockMs: 12_000,
  swapsPerBlock: 3,
  swapQty: 2,
  volPerSqrtSecond: 1.1e-4,
};
