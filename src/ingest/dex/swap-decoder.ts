/**
 * Uniswap v2 and v3 `Swap` logs, as `eth_getLogs` returns them, → `trade` events.
 *
 * ABI decoding is viem's; the event layouts are the pools' own:
 *
 * - v2 pair: `Swap(address indexed sender, uint256 amount0In, uint256 amount1In,
 *   uint256 amount0Out, uint256 amount1Out, address indexed to)`
 * - v3 pool: `Swap(address indexed sender, address indexed recipient, int256 amount0,
 *   int256 amount1, uint160 sqrtPriceX96, uint128 liquidity, int24 tick)`; amounts are
 *   the pool's balance change, so a negative amount left the pool.
 *
 * A trade's quantity is the base token's amount, its price the quote amount per base unit
 * (the swap's own execution price, decimals applied), the aggressor `buy` when the base
 * token left the pool. The wallet is the swap's recipient (`to` / `recipient`): the
 * address the bought tokens went to. `sender` is usually a router contract, not a person.
 *
 * @module
 */
import { decodeAbiParameters, type Hex, hexToBigInt, parseAbiParameters } from 'viem';
import { InvalidEventError } from '../../core/errors';
import type { Trade } from '../../core/events';
import { tryParseEvent, validateEvent } from '../../core/validate';
import type { DexConfig, PoolConfig } from './dex-config';

/** `keccak256("Swap(address,uint256,uint256,uint256,uint256,address)")`: Uniswap v2 pair. */
export const UNISWAP_V2_SWAP_TOPIC = '0xd78ad95fa46c994b6551d0da85fc275fe613ce37657fb8d5e3d130840159d822';
/** `keccak256("Swap(address,address,int256,int256,uint160,uint128,int24)")`: Uniswap v3 pool. */
export const UNISWAP_V3_SWAP_TOPIC = '0xc42079f94a6350d7e6235f29174924f928cc2ac818eb64fed8004e115fbcca67';

const V2_DATA = parseAbiParameters(
  'uint256 amount0In, uint256 amount1In, uint256 amount0Out, uint256 amount1Out',
);
const V3_DATA = parseAbiParameters(
  'int256 amount0, int256 amount1, uint160 sqrtPriceX96, uint128 liquidity, int24 tick',
);

/** A log as `eth_getLogs` returns it (hex quantities). `blockTimestamp` is returned by newer nodes. */
export interface RpcLog {
  address: string;
  topics: string[];
  data: string;
  blockNumber: string | null;
  transactionHash: string | null;
  logIndex: string | null;
  blockHash?: string | null;
  transactionIndex?: string | null;
  removed?: boolean;
  blockTimestamp?: string;
}

/** Result of decoding one log. */
export type SwapDecodeResult =
  | { ok: true; trade: Trade }
  | { ok: false; errors: InvalidEventError[] }
  /** Not a swap of a configured pool (another event, another contract): skipped, not an error. */
  | { ok: 'skip' };

/** Pool lookup prepared once from the configuration. */
interface PreparedPool {
  config: PoolConfig;
  venue: string;
  instrument: string;
  topic: string;
  baseIs0: boolean;
  baseScale: number;
  quoteScale: number;
}

function hexToNumber(hex: string | null | undefined): number | undefined {
  if (typeof hex !== 'string' || !/^0x[0-9a-fA-F]+$/.test(hex)) return undefined;
  const n = Number.parseInt(hex, 16);
  return Number.isSafeInteger(n) ? n : undefined;
}

/** A 32-byte topic holding an address → the checksum-free lower-case address. */
function topicAddress(topic: string | undefined): string | undefined {
  if (topic === undefined || topic.length !== 66) return undefined;
  return `0x${topic.slice(26).toLowerCase()}`;
}

/**
 * The 32-byte words of static ABI data (every Swap field is static), read with viem's
 * `hexToBigInt`: `signed` words are two's complement. Only the amounts are needed, and
 * for a well-formed log this is what `decodeAbiParameters` computes, several times
 * faster (it walks a generic cursor over bytes); anything not exactly `words` words long
 * goes through `decodeAbiParameters` for its error.
 */
function staticWords(data: string, words: number, read: number, signed: boolean): bigint[] | undefined {
  if (data.length !== 2 + 64 * words || !HEX_DATA.test(data)) return undefined;
  const out: bigint[] = [];
  for (let i = 0; i < read; i++) {
    out.push(hexToBigInt(`0x${data.slice(2 + 64 * i, 66 + 64 * i)}`, { signed, size: 32 }));
  }
  return out;
}

const HEX_DATA = /^0x[0-9a-fA-F]*$/;

/** |a| / 10^decimals as a float, exact for the integer part up to 2^53. */
function scaled(amount: bigint, scale: number): number {
  const abs = amount < 0n ? -amount : amount;
  return Number(abs) / scale;
}

/**
 * Decodes swap logs of the configured pools.
 *
 * @example
 * ```ts
 * const decoder = new SwapDecoder({ chain: 'eth', pools: [{ address: '0x88e6…', version: 'v3',
 *   token0: { symbol: 'USDC', decimals: 6 }, token1: { symbol: 'WETH', decimals: 18 }, base: 'token1' }] });
 * const r = decoder.decode(log, (block) => timestamps.get(block));
 * if (r.ok === true) engine.process(r.trade);
 * ```
 */
export class SwapDecoder {
  private readonly pools = new Map<string, PreparedPool>();
  readonly chain: string;

  constructor(config: Pick<DexConfig, 'chain' | 'pools'>) {
    this.chain = config.chain;
    for (const pool of config.pools) {
      const base = pool.base === 'token0' ? pool.token0 : pool.token1;
      const quote = pool.base === 'token0' ? pool.token1 : pool.token0;
      this.pools.set(pool.address, {
        config: pool,
        venue: `${config.chain}:${pool.address}`,
        instrument: pool.instrument ?? `${base.symbol}-${quote.symbol}`,
        topic: pool.version === 'v2' ? UNISWAP_V2_SWAP_TOPIC : UNISWAP_V3_SWAP_TOPIC,
        baseIs0: pool.base === 'token0',
        baseScale: 10 ** base.decimals,
        quoteScale: 10 ** quote.decimals,
      });
    }
  }

  /** Addresses of the configured pools (for an `eth_getLogs` filter). */
  get addresses(): string[] {
    return [...this.pools.keys()];
  }

  /**
   * Decodes one log. `timestampOf(block)` gives the block's time in epoch seconds when the
   * log has no `blockTimestamp`.
   */
  decode(log: RpcLog, timestampOf?: (block: number) => number | undefined): SwapDecodeResult {
    const pool = this.pools.get(typeof log.address === 'string' ? log.address.toLowerCase() : '');
    const topics = log.topics;
    if (pool === undefined || !Array.isArray(topics) || topics[0]?.toLowerCase() !== pool.topic) {
      return { ok: 'skip' };
    }
    const where = `${pool.venue} tx ${log.transactionHash ?? '?'} log ${log.logIndex ?? '?'}`;
    const block = hexToNumber(log.blockNumber);
    const logIndex = hexToNumber(log.logIndex);
    if (log.removed === true) {
      return {
        ok: false,
        errors: [
          new InvalidEventError('removed', true, 'the log was removed by a chain reorganisation', where),
        ],
      };
    }
    let amount0: bigint;
    let amount1: bigint;
    let wallet: string | undefined;
    try {
      if (pool.config.version === 'v2') {
        const [in0, in1, out0, out1] =
          staticWords(log.data, 4, 4, false) ?? decodeAbiParameters(V2_DATA, log.data as Hex);
        // Net flow into the pool, as v3 reports it: positive in, negative out.
        amount0 = (in0 as bigint) - (out0 as bigint);
        amount1 = (in1 as bigint) - (out1 as bigint);
        wallet = topicAddress(topics[2]);
      } else {
        const [a0, a1] = staticWords(log.data, 5, 2, true) ?? decodeAbiParameters(V3_DATA, log.data as Hex);
        amount0 = a0 as bigint;
        amount1 = a1 as bigint;
        wallet = topicAddress(topics[2]);
      }
    } catch (error) {
      const reason = (error as Error).message.split('\n')[0] ?? 'undecodable';
      return {
        ok: false,
        errors: [
          new InvalidEventError(
            'data',
            log.data,
            `not ABI-encoded ${pool.config.version} Swap data: ${reason}`,
            where,
          ),
        ],
      };
    }
    const baseAmount = pool.baseIs0 ? amount0 : amount1;
    const quoteAmount = pool.baseIs0 ? amount1 : amount0;
    const qty = scaled(baseAmount, pool.baseScale);
    const quoteQty = scaled(quoteAmount, pool.quoteScale);
    // The base token left the pool: the swapper bought it.
    const aggressor = baseAmount < 0n ? 'buy' : 'sell';
    const seconds =
      hexToNumber(log.blockTimestamp) ?? (block === undefined ? undefined : timestampOf?.(block));
    const raw: Record<string, unknown> = {
      kind: 'trade',
      ts: seconds === undefined ? undefined : seconds * 1_000_000,
      venue: pool.venue,
      instrument: pool.instrument,
      tradeId: `${log.transactionHash ?? '?'}:${logIndex ?? '?'}`,
      price: qty > 0 ? quoteQty / qty : 0,
      qty,
      aggressor,
      txHash: log.transactionHash ?? undefined,
      block,
      logIndex,
    };
    if (wallet !== undefined) raw[aggressor === 'buy' ? 'buyAccount' : 'sellAccount'] = wallet;
    const fast = tryParseEvent(raw);
    if (fast !== undefined) return { ok: true, trade: fast as Trade };
    const r = validateEvent(raw, where);
    if (r.ok) return { ok: true, trade: r.event as Trade };
    return {
      ok: false,
      errors: r.errors.map((e) =>
        e.field === 'ts' && e.value === undefined
          ? new InvalidEventError(
              'ts',
              undefined,
              `no block time for block ${block ?? '?'} (the log has no blockTimestamp)`,
              where,
            )
          : e,
      ),
    };
  }
}
