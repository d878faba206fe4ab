import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { Trade } from '../../src/core/events';
import { DexConfigSchema } from '../../src/ingest/dex/dex-config';
import { DexPoller } from '../../src/ingest/dex/rpc-poller';
import type { RpcLog } from '../../src/ingest/dex/swap-decoder';

const here = dirname(fileURLToPath(import.meta.url));
const fixture = JSON.parse(readFileSync(join(here, 'fixtures', 'swaps.json'), 'utf8')) as { logs: RpcLog[] };
const [v2Buy, , v2Sell, v3Front, v3Victim] = fixture.logs as RpcLog[];

/** A tiny chain behind a JSON-RPC endpoint: the test moves its head and rewrites blocks. */
class FakeNode {
  head = 0;
  /** block → logs in it */
  readonly logs = new Map<number, RpcLog[]>();
  /** block → version, bumped when a reorganisation replaces the block */
  readonly versions = new Map<number, number>();
  readonly calls: string[] = [];
  server: Server | undefined;

  put(block: number, log: RpcLog, logIndex: number): void {
    const list = this.logs.get(block) ?? [];
    list.push({ ...log, blockNumber: `0x${block.toString(16)}`, logIndex: `0x${logIndex.toString(16)}` });
    this.logs.set(block, list);
  }

  reorg(block: number, replacement: RpcLog[]): void {
    this.logs.set(
      block,
      replacement.map((l, i) => ({
        ...l,
        blockNumber: `0x${block.toString(16)}`,
        logIndex: `0x${i.toString(16)}`,
      })),
    );
    this.versions.set(block, (this.versions.get(block) ?? 0) + 1);
  }

  private hash(block: number): string {
    return `0x${block.toString(16).padStart(56, '0')}${(this.versions.get(block) ?? 0).toString(16).padStart(8, '0')}`;
  }

  private answer(method: string, params: unknown[]): unknown {
    this.calls.push(method);
    switch (method) {
      case 'eth_blockNumber':
        return `0x${this.head.toString(16)}`;
      case 'eth_getBlockByNumber': {
        const n = Number.parseInt(params[0] as string, 16);
        if (n > this.head) return null;
        return {
          number: params[0],
          hash: this.hash(n),
          timestamp: `0x${(1_700_000_000 + n * 12).toString(16)}`,
        };
      }
      case 'eth_getLogs': {
        const f = params[0] as { fromBlock: string; toBlock: string; address: string[]; topics: string[][] };
        const from = Number.parseInt(f.fromBlock, 16);
        const to = Number.parseInt(f.toBlock, 16);
        const out: RpcLog[] = [];
        for (let b = from; b <= to; b++) {
          for (const log of this.logs.get(b) ?? []) {
            if (f.address.includes(log.address) && f.topics[0]?.includes(log.topics[0] as string))
              out.push(log);
          }
        }
        return out;
      }
      default:
        throw new Error(`unexpected ${method}`);
    }
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        const { id, method, params } = JSON.parse(body) as { id: number; method: string; params: unknown[] };
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ jsonrpc: '2.0', id, result: this.answer(method, params) }));
      });
    });
    await new Promise<void>((r) => this.server?.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
}

const nodes: FakeNode[] = [];
afterEach(async () => {
  for (const n of nodes.splice(0)) await new Promise((r) => n.server?.close(r));
});

const pools = [
  {
    address: '0xB4e16d0168e52d35CaCD2c6185b44281Ec28C9Dc',
    version: 'v2',
    token0: { symbol: 'USDC', decimals: 6 },
    token1: { symbol: 'WETH', decimals: 18 },
    base: 'token1',
  },
  {
    address: '0x88e6A0c2dDD26FEEb64F039a2c41296FcB3f5640',
    version: 'v3',
    token0: { symbol: 'USDC', decimals: 6 },
    token1: { symbol: 'WETH', decimals: 18 },
    base: 'token1',
  },
] as const;

describe('JSON-RPC poller', () => {
  it('reads only confirmed blocks, so a swap orphaned by a shallow reorg never reaches the sink', async () => {
    const node = new FakeNode();
    nodes.push(node);
    const url = await node.start();
    node.put(101, v2Buy as RpcLog, 3);
    node.put(108, v3Front as RpcLog, 0);
    node.put(109, v3Victim as RpcLog, 0); // will be orphaned
    node.head = 110;
    const trades: Trade[] = [];
    const poller = new DexPoller({
      config: DexConfigSchema.parse({
        pools,
        rpc: { url, confirmations: 3, fromBlock: 100, maxBlockRange: 5 },
      }),
      sink: (t) => trades.push(...t),
    });
    // Confirmed head 107: two rounds (100–104, 105–107), the first not caught up.
    expect(await poller.pollOnce()).toBe(false);
    expect(await poller.pollOnce()).toBe(true);
    expect(trades.map((t) => t.block)).toEqual([101]);
    expect(trades[0]?.ts).toBe((1_700_000_000 + 101 * 12) * 1_000_000);
    // Block 109 is replaced before it is confirmed: the victim swap becomes a sell.
    node.reorg(109, [v2Sell as RpcLog]);
    node.head = 113;
    expect(await poller.pollOnce()).toBe(true);
    expect(trades.map((t) => `${t.block}:${t.venue.slice(4, 10)}:${t.aggressor}`)).toEqual([
      '101:0xb4e1:buy',
      '108:0x88e6:buy',
      '109:0xb4e1:sell',
    ]);
    expect(poller.cursor).toBe(111);
    expect(poller.counters).toMatchObject({ trades: 3, deepReorgs: 0 });
  });

  it('reports a reorganisation deeper than the confirmation depth instead of merging it silently', async () => {
    const node = new FakeNode();
    nodes.push(node);
    const url = await node.start();
    node.put(5, v2Buy as RpcLog, 0);
    node.head = 10;
    const errors: Error[] = [];
    const poller = new DexPoller({
      config: DexConfigSchema.parse({ pools, rpc: { url, confirmations: 2, fromBlock: 0 } }),
      sink: () => {},
      onError: (e) => errors.push(e),
    });
    await poller.pollOnce();
    node.reorg(8, []);
    node.head = 11;
    await poller.pollOnce();
    expect(poller.counters.deepReorgs).toBe(1);
    expect(errors[0]?.message).toMatch(/block 8 changed .* deeper than 2 confirmations/);
  });

  it('runs in the background, retries after a failed round and stops', async () => {
    const node = new FakeNode();
    nodes.push(node);
    const url = await node.start();
    node.head = 20;
    node.put(15, v2Buy as RpcLog, 0);
    const trades: Trade[] = [];
    const poller = new DexPoller({
      config: DexConfigSchema.parse({
        pools,
        rpc: { url: 'http://127.0.0.1:9/', confirmations: 0, fromBlock: 10, pollIntervalMs: 50 },
      }),
      sink: (t) => trades.push(...t),
    });
    poller.start();
    const start = Date.now();
    while (poller.counters.failedPolls === 0 && Date.now() - start < 5000)
      await new Promise((r) => setTimeout(r, 20));
    await poller.stop();
    expect(poller.counters.failedPolls).toBeGreaterThan(0);
    const working = new DexPoller({
      config: DexConfigSchema.parse({
        pools,
        rpc: { url, confirmations: 0, fromBlock: 10, pollIntervalMs: 50 },
      }),
      sink: (t) => trades.push(...t),
    });
    working.start();
    while (trades.length === 0 && Date.now() - start < 5000) await new Promise((r) => setTimeout(r, 20));
    await working.stop();
    expect(trades.map((t) => t.block)).toEqual([15]);
  });
});
