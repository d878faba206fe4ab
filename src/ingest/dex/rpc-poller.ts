/**
 * A poller of the user's own Ethereum node: `eth_getLogs` over the configured pools,
 * reading only blocks at least `confirmations` behind the head so that a chain
 * reorganisation shallower than that never reaches the engine.
 *
 * Each round: `eth_blockNumber`; the confirmed head is `head - confirmations`; the logs of
 * the next unread range up to it are fetched (at most `maxBlockRange` blocks per call),
 * block times come from the log's `blockTimestamp` or `eth_getBlockByNumber`, and the
 * decoded trades go to the sink in (block, logIndex) order. Before reading on, it checks
 * that the last block it read is still on the chain (same hash); if not, a reorganisation
 * deeper than `confirmations` happened: it is counted and reported, never silently merged.
 *
 * @module
 */
import type { InvalidEventError } from '../../core/errors';
import type { Trade } from '../../core/events';
import type { IngestStats } from '../../core/ingest-stats';
import type { DexConfig } from './dex-config';
import { type RpcLog, SwapDecoder, UNISWAP_V2_SWAP_TOPIC, UNISWAP_V3_SWAP_TOPIC } from './swap-decoder';

/** A JSON-RPC error answer or a transport failure. */
export class JsonRpcError extends Error {
  override readonly name = 'JsonRpcError';
  constructor(
    readonly method: string,
    readonly code: number | undefined,
    message: string,
  ) {
    super(`${method}: ${message}${code === undefined ? '' : ` (code ${code})`}`);
  }
}

/** Minimal JSON-RPC over HTTP with Node's fetch. */
export class JsonRpcClient {
  private id = 0;
  constructor(
    readonly url: string,
    private readonly timeoutMs = 30_000,
  ) {}

  async call<T>(method: string, params: unknown[]): Promise<T> {
    let response: Response;
    try {
      response = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: ++this.id, method, params }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new JsonRpcError(method, undefined, `request failed: ${(error as Error).message}`);
    }
    if (!response.ok) throw new JsonRpcError(method, response.status, `HTTP ${response.status}`);
    const body = (await response.json()) as { result?: T; error?: { code: number; message: string } };
    if (body.error !== undefined) throw new JsonRpcError(method, body.error.code, body.error.message);
    return body.result as T;
  }
}

/** Options of {@link DexPoller}. */
export interface DexPollerOptions {
  config: DexConfig;
  sink(trades: Trade[]): void;
  stats?: IngestStats;
  /** Source name for counters (default `dex:<chain>`). */
  source?: string;
  onError?(error: Error): void;
  onInvalid?(errors: InvalidEventError[]): void;
}

/** Counters of a poller. */
export interface DexPollerCounters {
  polls: number;
  logs: number;
  trades: number;
  /** Reorganisations found deeper than the confirmation depth. */
  deepReorgs: number;
  /** Failed rounds (node unreachable, error answers); the next round retries the same range. */
  failedPolls: number;
}

const toHex = (n: number) => `0x${n.toString(16)}`;

/**
 * Polls `ingest.dex.rpc` for swaps of `ingest.dex.pools`.
 *
 * @example
 * ```ts
 * const poller = new DexPoller({ config, sink: (trades) => trades.forEach((t) => engine.process(t)) });
 * poller.start();
 * // …
 * await poller.stop();
 * ```
 */
export class DexPoller {
  readonly counters: DexPollerCounters = { polls: 0, logs: 0, trades: 0, deepReorgs: 0, failedPolls: 0 };
  private readonly rpc: JsonRpcClient;
  private readonly decoder: SwapDecoder;
  private readonly confirmations: number;
  private readonly maxBlockRange: number;
  private readonly pollIntervalMs: number;
  private readonly source: string;
  private nextBlock: number | undefined;
  private lastRead: { number: number; hash: string } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;

  constructor(private readonly options: DexPollerOptions) {
    const rpc = options.config.rpc;
    if (rpc === undefined) throw new RangeError('ingest.dex.rpc is not configured');
    this.rpc = new JsonRpcClient(rpc.url);
    this.decoder = new SwapDecoder(options.config);
    this.confirmations = rpc.confirmations;
    this.maxBlockRange = rpc.maxBlockRange;
    this.pollIntervalMs = rpc.pollIntervalMs;
    this.nextBlock = rpc.fromBlock;
    this.source = options.source ?? `dex:${options.config.chain}`;
  }

  /** The next block to read (undefined before the first round without `fromBlock`). */
  get cursor(): number | undefined {
    return this.nextBlock;
  }

  /** Starts polling in the background. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    const loop = async () => {
      if (this.stopped) return;
      let caughtUp = true;
      try {
        caughtUp = await this.pollOnce();
      } catch (error) {
        this.counters.failedPolls++;
        this.options.onError?.(error as Error);
      }
      if (this.stopped) return;
      this.timer = setTimeout(
        () => {
          this.running = loop();
        },
        caughtUp ? this.pollIntervalMs : 0,
      );
    };
    this.running = loop();
  }

  /** Stops after the round in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    await this.running;
  }

  /**
   * One round. Resolves true when caught up with the confirmed head, false when more
   * confirmed blocks remain (the caller polls again at once).
   */
  async pollOnce(): Promise<boolean> {
    this.counters.polls++;
    const head = Number.parseInt(await this.rpc.call<string>('eth_blockNumber', []), 16);
    const confirmedHead = head - this.confirmations;
    if (this.nextBlock === undefined) this.nextBlock = Math.max(0, confirmedHead);
    if (this.lastRead !== undefined) await this.checkLastRead();
    if (confirmedHead < this.nextBlock) return true;
    const from = this.nextBlock;
    const to = Math.min(confirmedHead, from + this.maxBlockRange - 1);
    const logs = await this.rpc.call<RpcLog[]>('eth_getLogs', [
      {
        fromBlock: toHex(from),
        toBlock: toHex(to),
        address: this.decoder.addresses,
        topics: [[UNISWAP_V2_SWAP_TOPIC, UNISWAP_V3_SWAP_TOPIC]],
      },
    ]);
    this.counters.logs += logs.length;
    logs.sort(
      (a, b) =>
        Number.parseInt(a.blockNumber ?? '0', 16) - Number.parseInt(b.blockNumber ?? '0', 16) ||
        Number.parseInt(a.logIndex ?? '0', 16) - Number.parseInt(b.logIndex ?? '0', 16),
    );
    const times = await this.blockTimes(logs);
    const trades: Trade[] = [];
    for (const log of logs) {
      const r = this.decoder.decode(log, (block) => times.get(block));
      if (r.ok === true) trades.push(r.trade);
      else if (r.ok === false) {
        this.options.stats?.reject(this.source, r.errors);
        this.options.onInvalid?.(r.errors);
      }
    }
    // The range is done only once its end block's hash is known, for the reorg check.
    const end = await this.rpc.call<{ hash: string } | null>('eth_getBlockByNumber', [toHex(to), false]);
    if (trades.length > 0) {
      this.counters.trades += trades.length;
      this.options.stats?.accept(this.source, trades.length);
      this.options.sink(trades);
    }
    this.nextBlock = to + 1;
    if (end !== null) this.lastRead = { number: to, hash: end.hash };
    return to >= confirmedHead;
  }

  private async checkLastRead(): Promise<void> {
    const last = this.lastRead;
    if (last === undefined) return;
    const now = await this.rpc.call<{ hash: string } | null>('eth_getBlockByNumber', [
      toHex(last.number),
      false,
    ]);
    if (now !== null && now.hash !== last.hash) {
      this.counters.deepReorgs++;
      this.options.onError?.(
        new Error(
          `block ${last.number} changed from ${last.hash} to ${now.hash} after it was read: a reorganisation deeper than ${this.confirmations} confirmations; trades already emitted from it stand`,
        ),
      );
      this.lastRead = { number: last.number, hash: now.hash };
    }
  }

  private async blockTimes(logs: RpcLog[]): Promise<Map<number, number>> {
    const times = new Map<number, number>();
    for (const log of logs) {
      const block = Number.parseInt(log.blockNumber ?? '', 16);
      if (!Number.isSafeInteger(block) || times.has(block)) continue;
      if (log.blockTimestamp !== undefined) {
        times.set(block, Number.parseInt(log.blockTimestamp, 16));
        continue;
      }
      const b = await this.rpc.call<{ timestamp: string } | null>('eth_getBlockByNumber', [
        toHex(block),
        false,
      ]);
      if (b !== null) times.set(block, Number.parseInt(b.timestamp, 16));
    }
    return times;
  }
}
