/**
 * The DEX venue: a constant-product pool that settles swaps in blocks. Each block
 * collects the pending swaps (noise swappers, scenario swaps), orders them by priority
 * (gas price, highest first), executes them against the pool and publishes each as a
 * `trade` with the wallet, tx hash, block and log index. An arbitrageur closes the block
 * by pulling the pool price back towards the fair value, as on-chain arbitrage does.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import type { Side } from '../core/events';
import type { SeededRandom } from '../core/random';
import { AmmPool } from './amm-pool';
import { FairValue } from './fair-value';
import type { DexPoolProfile } from './instruments';
import type { MatchingSink } from './matching-engine';
import type { Wakeable } from './scheduler';

/** A swap waiting for the next block. */
export interface PendingSwap {
  wallet: string;
  side: Side;
  /** Base units bought or sold. */
  baseQty: number;
  /** Gas priority: higher executes earlier in the block. */
  priority: number;
  /** Label tag (0 = none). */
  tag: number;
}

const ARBITRAGE_PRIORITY = -1;

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

/** The DEX: pool, fair value, pending swaps and the block clock. */
export class DexVenue implements Wakeable {
  readonly pool: AmmPool;
  readonly fair: FairValue;
  readonly venue: string;
  readonly symbol: string;
  /** Number of the next block to be produced. */
  block: number;
  private pending: PendingSwap[] = [];
  private readonly blockUs: number;
  private readonly firstBlock: number;

  constructor(
    readonly profile: DexPoolProfile,
    private readonly sink: MatchingSink,
    private readonly rng: SeededRandom,
    private readonly noiseWallets: readonly string[],
    private readonly arbitrageWallet: string,
    firstBlock = 21_000_000,
  ) {
    this.venue = `${profile.chain}:${profile.address}`;
    this.symbol = profile.symbol;
    this.pool = new AmmPool(profile.baseReserve, profile.baseReserve * profile.startPrice, profile.fee);
    this.fair = new FairValue(profile.startPrice, profile.volPerSqrtSecond, profile.blockMs * 1000);
    this.blockUs = profile.blockMs * 1000;
    this.firstBlock = firstBlock;
    this.block = firstBlock;
  }

  /** Queues a swap for the next block. */
  submit(swap: PendingSwap): void {
    this.pending.push(swap);
  }

  /** Produces one block at `now`; returns the time of the next. */
  wake(now: number): number {
    this.fair.step(this.rng);
    const rng = this.rng;
    const noise = rng.poisson(this.profile.swapsPerBlock);
    for (let i = 0; i < noise; i++) {
      this.pending.push({
        wallet: rng.pick(this.noiseWallets),
        side: rng.chance(0.5) ? 'buy' : 'sell',
        baseQty: this.profile.swapQty * Math.exp(0.8 * rng.normal()),
        priority: rng.uniform(1, 100),
        tag: 0,
      });
    }
    // Stable sort: equal priorities keep submission order.
    const swaps = this.pending.sort((a, b) => b.priority - a.priority);
    this.pending = [];
    let logIndex = 0;
    for (const swap of swaps) this.execute(now, swap, logIndex++);
    const target = this.fair.value;
    const gap = this.pool.price / target - 1;
    if (Math.abs(gap) > this.pool.fee) {
      const base = this.pool.baseToReach(target * (1 + Math.sign(gap) * this.pool.fee));
      if (Math.abs(base) > 1e-6) {
        this.execute(
          now,
          {
            wallet: this.arbitrageWallet,
            side: base > 0 ? 'buy' : 'sell',
            baseQty: Math.abs(base),
            priority: ARBITRAGE_PRIORITY,
            tag: 0,
          },
          logIndex++,
        );
      }
    }
    this.block++;
    return now + this.blockUs;
  }

  private execute(ts: number, swap: PendingSwap, logIndex: number): void {
    const baseQty = round6(swap.baseQty);
    if (!(baseQty > 0) || (swap.side === 'buy' && baseQty >= this.pool.base * 0.5)) return;
    const result = swap.side === 'buy' ? this.pool.buyBase(baseQty) : this.pool.sellBase(baseQty);
    const txHash = `0x${createHash('sha256').update(`${this.venue}:${this.block}:${logIndex}:${swap.wallet}`).digest('hex')}`;
    const isBuy = swap.side === 'buy';
    this.sink(
      {
        kind: 'trade',
        ts,
        venue: this.venue,
        instrument: this.symbol,
        tradeId: `${txHash.slice(0, 18)}:${logIndex}`,
        price: round6(result.price),
        qty: baseQty,
        aggressor: swap.side,
        buyAccount: isBuy ? swap.wallet : this.profile.address,
        sellAccount: isBuy ? this.profile.address : swap.wallet,
        txHash,
        block: this.block,
        logIndex,
      },
      swap.tag,
    );
  }

  /** Back to the start: reserves, fair value, block number, nothing pending. */
  reset(): void {
    this.pool.base = this.profile.baseReserve;
    this.pool.quote = this.profile.baseReserve * this.profile.startPrice;
    this.fair.reset();
    this.block = this.firstBlock;
    this.pending = [];
  }
}
