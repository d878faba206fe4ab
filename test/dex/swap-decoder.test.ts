import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { encodeAbiParameters, pad, parseAbiParameters, toEventSelector } from 'viem';
import { describe, expect, it } from 'vitest';
import type { Trade } from '../../src/core/events';
import { DexConfigSchema } from '../../src/ingest/dex/dex-config';
import {
  type RpcLog,
  SwapDecoder,
  UNISWAP_V2_SWAP_TOPIC,
  UNISWAP_V3_SWAP_TOPIC,
} from '../../src/ingest/dex/swap-decoder';

const here = dirname(fileURLToPath(import.meta.url));
const fixture = JSON.parse(readFileSync(join(here, 'fixtures', 'swaps.json'), 'utf8')) as {
  blockTime: Record<string, number>;
  logs: (RpcLog & { note: string })[];
};

const USDC = { symbol: 'USDC', decimals: 6 };
const WETH = { symbol: 'WETH', decimals: 18 };
const V2 = '0xB4e16d0168e52d35CaCD2c6185b44281Ec28C9Dc';
const V3 = '0x88e6A0c2dDD26FEEb64F039a2c41296FcB3f5640';
const config = DexConfigSchema.parse({
  chain: 'eth',
  pools: [
    { address: V2, version: 'v2', token0: USDC, token1: WETH, base: 'token1' },
    { address: V3, version: 'v3', token0: USDC, token1: WETH, base: 'token1' },
  ],
});
const timeOf = (block: number) => fixture.blockTime[String(block)];

describe('Uniswap swap logs → trades', () => {
  it('uses the topic hashes of the real event signatures', () => {
    expect(toEventSelector('Swap(address,uint256,uint256,uint256,uint256,address)')).toBe(
      UNISWAP_V2_SWAP_TOPIC,
    );
    expect(toEventSelector('Swap(address,address,int256,int256,uint160,uint128,int24)')).toBe(
      UNISWAP_V3_SWAP_TOPIC,
    );
  });

  it('decodes the recorded fixtures: v2 buy and sell, a v3 sandwich in one block; skips a Sync; rejects bad data', () => {
    const decoder = new SwapDecoder(config);
    const results = fixture.logs.map((log) => decoder.decode(log, timeOf));
    const trades = results.filter((r): r is { ok: true; trade: Trade } => r.ok === true).map((r) => r.trade);
    expect(results.map((r) => r.ok)).toEqual([true, 'skip', true, true, true, true, false]);
    expect(
      trades.map((t) => [
        t.venue.slice(0, 10),
        t.instrument,
        t.aggressor,
        t.qty,
        +t.price.toFixed(6),
        t.buyAccount ?? t.sellAccount,
      ]),
    ).toEqual([
      ['eth:0xb4e1', 'WETH-USDC', 'buy', 1.5, 2000, `0x${'11'.repeat(20)}`],
      ['eth:0xb4e1', 'WETH-USDC', 'sell', 2, 1995, `0x${'22'.repeat(20)}`],
      ['eth:0x88e6', 'WETH-USDC', 'buy', 10, 2001, `0x${'aa'.repeat(20)}`],
      ['eth:0x88e6', 'WETH-USDC', 'buy', 5, 2006, `0x${'bb'.repeat(20)}`],
      ['eth:0x88e6', 'WETH-USDC', 'sell', 10, 2004, `0x${'aa'.repeat(20)}`],
    ]);
    const first = trades[0] as Trade;
    expect(first).toMatchObject({
      kind: 'trade',
      ts: 1_705_173_443_000_000,
      venue: 'eth:0xb4e16d0168e52d35cacd2c6185b44281ec28c9dc',
      block: 19_000_000,
      logIndex: 10,
      txHash: fixture.logs[0]?.transactionHash,
      tradeId: `${fixture.logs[0]?.transactionHash}:10`,
    });
    const bad = results[6];
    expect(bad?.ok === false && bad.errors[0]?.field).toBe('data');
  });

  it('rejects a log removed by a reorganisation and a swap without a block time, naming the field', () => {
    const decoder = new SwapDecoder(config);
    const log = fixture.logs[0] as RpcLog;
    const removed = decoder.decode({ ...log, removed: true }, timeOf);
    expect(removed.ok === false && removed.errors[0]?.field).toBe('removed');
    const untimed = decoder.decode(log);
    expect(untimed.ok === false && untimed.errors[0]?.reason).toMatch(/no block time for block 19000000/);
    // A node that returns blockTimestamp needs no lookup.
    const timed = decoder.decode({ ...log, blockTimestamp: '0x65a2a5c3' });
    expect(timed.ok === true && timed.trade.ts).toBe(0x65a2a5c3 * 1_000_000);
  });

  it('recovers quantity, side and price of any v3 swap encoded with viem (property)', () => {
    const decoder = new SwapDecoder(config);
    const data = parseAbiParameters('int256, int256, uint160, uint128, int24');
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: 10n ** 30n }),
        fc.bigInt({ min: 1n, max: 10n ** 15n }),
        fc.boolean(),
        (wethRaw, usdcRaw, isBuy) => {
          const log: RpcLog = {
            address: V3.toLowerCase(),
            topics: [
              UNISWAP_V3_SWAP_TOPIC,
              pad('0x01', { size: 32 }),
              pad(`0x${'cd'.repeat(20)}`, { size: 32 }),
            ],
            data: encodeAbiParameters(data, [
              isBuy ? usdcRaw : -usdcRaw,
              isBuy ? -wethRaw : wethRaw,
              1n,
              1n,
              0,
            ]),
            blockNumber: '0x1',
            transactionHash: `0x${'ab'.repeat(32)}`,
            logIndex: '0x0',
          };
          const r = decoder.decode(log, () => 1);
          const qty = Number(wethRaw) / 1e18;
          const price = Number(usdcRaw) / 1e6 / qty;
          // Tiny swaps can fall outside the event model's price range: those must be rejected, not mangled.
          if (price > 1e15) {
            expect(r.ok).toBe(false);
            return;
          }
          expect(r.ok).toBe(true);
          if (r.ok !== true) return;
          expect(r.trade.aggressor).toBe(isBuy ? 'buy' : 'sell');
          expect(r.trade.qty).toBeCloseTo(qty, 12);
          expect(r.trade.price / price).toBeCloseTo(1, 9);
          expect(isBuy ? r.trade.buyAccount : r.trade.sellAccount).toBe(`0x${'cd'.repeat(20)}`);
        },
      ),
    );
  });
});
