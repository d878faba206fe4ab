/**
 * The `ingest.dex` section of tapewatch.yaml: which pools to read, their token order and
 * decimals, and the optional JSON-RPC poller.
 *
 * @module
 */
import { z } from 'zod';

const address = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/, 'a 20-byte hex address (0x followed by 40 hex digits)')
  .transform((a) => a.toLowerCase());

/** One token of a pool, in the pool's own order (token0, token1). */
export const TokenConfigSchema = z.strictObject({
  /** Symbol used in the instrument name (`WETH`). */
  symbol: z.string().min(1).max(32),
  /** ERC-20 decimals: raw amounts are divided by 10^decimals. */
  decimals: z.number().int().min(0).max(36),
});

/** One pool. */
export const PoolConfigSchema = z.strictObject({
  /** Pool (pair) contract address. */
  address,
  /** `v2`: Uniswap v2 pair `Swap`; `v3`: Uniswap v3 pool `Swap`. Forks with the same events work too. */
  version: z.enum(['v2', 'v3']),
  /** The pool's token0 and token1 (token0 has the lower address, as the factory sorts them). */
  token0: TokenConfigSchema,
  token1: TokenConfigSchema,
  /**
   * Which token is the traded asset (quantity); the other is the quote, and price is quote
   * per base. Required: the pool's token order says nothing about which is which.
   */
  base: z.enum(['token0', 'token1']),
  /** Instrument name; default `BASE-QUOTE` from the symbols. */
  instrument: z.string().min(1).max(64).optional(),
});

/** Schema of `ingest.dex`. */
export const DexConfigSchema = z.strictObject({
  /** Chain name used in `venue` (`eth:0x88e6…`). */
  chain: z.string().min(1).max(32).default('eth'),
  pools: z.array(PoolConfigSchema).default([]),
  /** Optional poller of a node the user runs (`eth_getLogs`). */
  rpc: z
    .strictObject({
      /** HTTP JSON-RPC endpoint. */
      url: z.url(),
      /**
       * Blocks behind the head a log must be before it is read. Logs in younger blocks can
       * be dropped by a reorganisation; 12 blocks is the depth Ethereum users have long
       * used for value transfers (finality proper takes two epochs, ~64 blocks).
       */
      confirmations: z.number().int().min(0).max(10_000).default(12),
      /** Time between polls when caught up, ms. */
      pollIntervalMs: z.number().int().min(50).max(600_000).default(4000),
      /** Most blocks per `eth_getLogs` call (providers cap the range). */
      maxBlockRange: z.number().int().min(1).max(100_000).default(1000),
      /** First block to read; default the first confirmed block at start. */
      fromBlock: z.number().int().nonnegative().optional(),
    })
    .optional(),
});

/** A validated `ingest.dex` section. */
export type DexConfig = z.output<typeof DexConfigSchema>;
/** Input form of {@link DexConfig}. */
export type DexConfigInput = z.input<typeof DexConfigSchema>;
/** A validated pool. */
export type PoolConfig = z.output<typeof PoolConfigSchema>;
