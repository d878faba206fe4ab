/**
 * DEX: decode Uniswap v2 and v3 Swap logs (eth_getLogs shape, held in memory) into
 * validated trades with viem's ABI decoding, 200k logs, half v2 and half v3.
 *
 * Reference: viem's decodeAbiParameters alone over the same logs' data.
 */
import { decodeAbiParameters, encodeAbiParameters, type Hex, pad, parseAbiParameters, toHex } from 'viem';
import { SeededRandom } from '../src/core/random';
import { DexConfigSchema } from '../src/ingest/dex/dex-config';
import {
  type RpcLog,
  SwapDecoder,
  UNISWAP_V2_SWAP_TOPIC,
  UNISWAP_V3_SWAP_TOPIC,
} from '../src/ingest/dex/swap-decoder';
import { emit, median } from './lib/result';

const N = 200_000;
const V2 = '0xb4e16d0168e52d35cacd2c6185b44281ec28c9dc';
const V3 = '0x88e6a0c2ddd26feeb64f039a2c41296fcb3f5640';
const token = { USDC: { symbol: 'USDC', decimals: 6 }, WETH: { symbol: 'WETH', decimals: 18 } };
const config = DexConfigSchema.parse({
  pools: [
    { address: V2, version: 'v2', token0: token.USDC, token1: token.WETH, base: 'token1' },
    { address: V3, version: 'v3', token0: token.USDC, token1: token.WETH, base: 'token1' },
  ],
});
const v2 = parseAbiParameters('uint256, uint256, uint256, uint256');
const v3 = parseAbiParameters('int256, int256, uint160, uint128, int24');
const rng = new SeededRandom(11);
const logs: RpcLog[] = [];
for (let i = 0; i < N; i++) {
  const weth = BigInt(Math.floor(rng.next() * 1e6) + 1) * 10n ** 12n;
  const usdc = (weth * 2000n) / 10n ** 12n;
  const buy = rng.next() < 0.5;
  const wallet = pad(toHex(i + 1), { size: 32 });
  const isV2 = i % 2 === 0;
  logs.push({
    address: isV2 ? V2 : V3,
    topics: [isV2 ? UNISWAP_V2_SWAP_TOPIC : UNISWAP_V3_SWAP_TOPIC, pad('0x01', { size: 32 }), wallet],
    data: isV2
      ? encodeAbiParameters(v2, buy ? [usdc, 0n, 0n, weth] : [0n, weth, usdc, 0n])
      : encodeAbiParameters(v3, [buy ? usdc : -usdc, buy ? -weth : weth, 1n << 96n, 10n ** 18n, 0]),
    blockNumber: toHex(19_000_000 + (i >> 4)),
    transactionHash: pad(toHex(i), { size: 32 }),
    logIndex: toHex(i & 15),
    blockTimestamp: toHex(1_705_000_000 + (i >> 4) * 12),
  });
}

const decoder = new SwapDecoder(config);
const decodeMs: number[] = [];
for (let run = 0; run < 4; run++) {
  const t0 = performance.now();
  let ok = 0;
  for (let i = 0; i < N; i++) if (decoder.decode(logs[i] as RpcLog).ok === true) ok++;
  if (run > 0) decodeMs.push(performance.now() - t0);
  if (ok !== N) throw new Error(`expected ${N} trades, got ${ok}`);
}
const abiMs: number[] = [];
for (let run = 0; run < 4; run++) {
  const t0 = performance.now();
  let n = 0;
  for (let i = 0; i < N; i++) {
    const log = logs[i] as RpcLog;
    if (decodeAbiParameters(i % 2 === 0 ? v2 : v3, log.data as Hex).length > 0) n++;
  }
  if (run > 0) abiMs.push(performance.now() - t0);
  if (n !== N) throw new Error('reference miscounted');
}

emit({
  bench: 'dex-decode',
  command: 'npm run bench -- dex (bench/dex-decode.ts)',
  metrics: [
    {
      name: 'DEX: Uniswap v2/v3 Swap logs → validated trades, 200k logs',
      value: N / (median(decodeMs) / 1000),
      unit: 'logs/s',
      target: { op: '>=', value: 100_000 },
      reference: {
        name: 'viem decodeAbiParameters alone',
        value: N / (median(abiMs) / 1000),
        unit: 'logs/s',
      },
    },
  ],
});
