/**
 * DEX sandwich attacks: one owner swaps just before a victim's swap in the same block and
 * pool, in the victim's direction, and swaps back just after it, pocketing the price move
 * the victim's own swap caused.
 *
 * @module
 */
import { z } from 'zod';
import type { EventRef, MarketEvent, Side } from '../core/events';
import type { Detector, DetectorContext } from '../engine/detector';
import { defineDetector } from '../engine/registry';
import { fmtBps, fmtNum, plural, ramp, scoreFromMargins, severityOf } from './shared';

/**
 * Configuration of {@link dexSandwich}. Every field has a default; the reasons are on the
 * fields and in docs/DETECTORS.md.
 */
export const DexSandwichConfig = z.strictObject({
  /**
   * Smallest profit of the back-run over the front-run on the matched quantity, in basis
   * points of the front-run's notional. 0: any profit at all. A wallet that happens to
   * trade both ways around someone else's swap at a loss is not extracting value.
   */
  minProfitBps: z.number().min(0).max(10_000).default(0),
  /**
   * Largest relative difference between the front-run and back-run quantities. Attackers
   * unwind what they bought; 0.25 leaves room for fee-adjusted or partially unwound legs
   * while telling them apart from two unrelated swaps of a busy wallet.
   */
  maxQtyMismatch: z.number().min(0).max(10).default(0.25),
  /** Smallest number of victim swaps between the two legs. One victim is a sandwich. */
  minVictims: z.number().int().min(1).max(1000).default(1),
  /**
   * Profit (bp of the front-run's notional) at which the score reaches 1 and severity is
   * high. 20 bp is well above what a 30 bp-fee pool leaves a wallet trading both ways by chance.
   */
  highProfitBps: z.number().positive().max(10_000).default(20),
  /**
   * Swaps kept per pool and block; further swaps of the block are not examined. Bounds
   * memory on a stream whose block numbers never advance. 10 000 is far above any real block.
   */
  maxSwapsPerBlock: z.number().int().min(3).max(1_000_000).default(10_000),
  /**
   * A pool's buffered block is dropped after this much event time without a swap in it
   * (ms). Blocks are seconds apart; one minute keeps the state of quiet pools small.
   */
  idleBlockMs: z.number().positive().max(86_400_000).default(60_000),
});

/** Validated configuration of {@link dexSandwich}. */
export type DexSandwichConfig = z.output<typeof DexSandwichConfig>;
/** What {@link dexSandwich} accepts: any subset of the fields, the rest default. */
export type DexSandwichConfigInput = z.input<typeof DexSandwichConfig>;

/** One swap of the block being examined. */
interface Swap {
  ts: number;
  tradeId: string;
  seq: number | undefined;
  wallet: string;
  owner: string;
  side: Side;
  price: number;
  qty: number;
  /** Position in the block: the log index, or the arrival order when the feed has none. */
  position: number;
}

/** The swaps of the newest block of one pool. */
interface PoolBlock {
  venue: string;
  instrument: string;
  block: number;
  lastTs: number;
  swaps: Swap[];
  /** Owners already reported in this block: one signal per attacker and block. */
  reported: string[];
}

/** Serializable state of the detector. */
interface DexSandwichSnapshot {
  pools: PoolBlock[];
}

const DETECTOR_ID = 'dex-sandwich';
const VERSION = '1';
const BPS = 10_000;

/**
 * Flags DEX sandwich attacks: the same owner's wallet swaps before a victim's swap in the
 * victim's direction and swaps back after it, in the same block and pool, at a profit.
 *
 * DEX swaps reach the engine as `trade` events whose venue is `chain:pool`, whose account
 * on the aggressor side is the swapping wallet, and which carry `block` and `logIndex`.
 * Trades without `block` are ignored. The legs are compared by beneficial owner, so an
 * attacker splitting front- and back-run over two wallets of one owner is still caught.
 * A signal is emitted when the back-run arrives, so detection costs no delay.
 *
 * @see washTrading for one owner's wallets trading a pool back and forth.
 * @example
 * ```ts
 * import { createEngine, dexSandwich } from 'tapewatch';
 * const engine = createEngine({ detectors: [dexSandwich({ minProfitBps: 5 })] });
 * ```
 */
export function dexSandwich(config: DexSandwichConfigInput = {}): Detector {
  return new DexSandwichDetector(DexSandwichConfig.parse(config));
}

class DexSandwichDetector implements Detector {
  readonly id = DETECTOR_ID;
  readonly version = VERSION;
  private readonly idleBlockUs: number;
  private pools = new Map<string, PoolBlock>();

  constructor(private readonly config: DexSandwichConfig) {
    this.idleBlockUs = config.idleBlockMs * 1000;
  }

  onEvent(e: MarketEvent, ctx: DetectorContext): void {
    if (e.kind !== 'trade' || e.block === undefined) return;
    const wallet = e.aggressor === 'buy' ? e.buyAccount : e.sellAccount;
    if (wallet === undefined) return;
    let pool = this.pools.get(e.venue);
    if (pool === undefined) {
      pool = {
        venue: e.venue,
        instrument: e.instrument,
        block: e.block,
        lastTs: e.ts,
        swaps: [],
        reported: [],
      };
      this.pools.set(e.venue, pool);
    } else if (e.block > pool.block) {
      pool.block = e.block;
      pool.swaps.length = 0;
      pool.reported.length = 0;
    } else if (e.block < pool.block) {
      // A swap of a block already left behind: its block's swaps are gone, nothing to compare.
      return;
    }
    if (pool.swaps.length >= this.config.maxSwapsPerBlock) return;
    pool.lastTs = e.ts;
    const swap: Swap = {
      ts: e.ts,
      tradeId: e.tradeId,
      seq: e.seq,
      wallet,
      owner: ctx.ownerOf(wallet),
      side: e.aggressor,
      price: e.price,
      qty: e.qty,
      position: e.logIndex ?? pool.swaps.length,
    };
    const index = insertByPosition(pool.swaps, swap);
    this.examineBackRun(pool, index, ctx);
  }

  onTime(now: number): void {
    for (const [venue, pool] of this.pools) {
      if (pool.lastTs + this.idleBlockUs <= now) this.pools.delete(venue);
    }
  }

  snapshot(): DexSandwichSnapshot {
    return structuredClone({ pools: [...this.pools.values()] });
  }

  restore(state: unknown): void {
    const snapshot = state as DexSandwichSnapshot;
    this.pools = new Map(structuredClone(snapshot.pools).map((p) => [p.venue, p]));
  }

  reset(): void {
    this.pools.clear();
  }

  /**
   * Treats the swap at `backIndex` as a possible back-run: walks back through the block,
   * counting other owners' swaps in the opposite direction (the victims), until it meets a
   * swap of the same owner in that opposite direction (the front-run).
   */
  private examineBackRun(pool: PoolBlock, backIndex: number, ctx: DetectorContext): void {
    const swaps = pool.swaps;
    const back = swaps[backIndex] as Swap;
    if (pool.reported.includes(back.owner)) return;
    const frontSide: Side = back.side === 'buy' ? 'sell' : 'buy';
    let victims = 0;
    for (let i = backIndex - 1; i >= 0; i--) {
      const s = swaps[i] as Swap;
      if (s.owner !== back.owner) {
        if (s.side === frontSide) victims++;
        continue;
      }
      if (s.side !== frontSide) continue;
      if (victims < this.config.minVictims) continue;
      if (this.report(pool, s, i, back, backIndex, ctx)) return;
    }
  }

  private report(
    pool: PoolBlock,
    front: Swap,
    frontIndex: number,
    back: Swap,
    backIndex: number,
    ctx: DetectorContext,
  ): boolean {
    const cfg = this.config;
    const qtyMismatch = Math.abs(front.qty - back.qty) / Math.max(front.qty, back.qty);
    if (qtyMismatch > cfg.maxQtyMismatch) return false;
    const matchedQty = Math.min(front.qty, back.qty);
    // Buying first profits when the back-run sells higher; selling first when it buys lower.
    const perUnit = front.side === 'buy' ? back.price - front.price : front.price - back.price;
    const profit = matchedQty * perUnit;
    const profitBps = (perUnit / front.price) * BPS;
    if (!(profit > 0) || profitBps < cfg.minProfitBps) return false;

    const victims: Swap[] = [];
    let victimQty = 0;
    for (let i = frontIndex + 1; i < backIndex; i++) {
      const s = pool.swaps[i] as Swap;
      if (s.owner !== back.owner && s.side === front.side) {
        victims.push(s);
        victimQty += s.qty;
      }
    }
    const firstVictim = victims[0] as Swap;
    // How far the front-run moved the price the first victim paid, against the front-run's own price.
    const victimImpactBps =
      ((front.side === 'buy' ? firstVictim.price - front.price : front.price - firstVictim.price) /
        front.price) *
      BPS;
    const score = scoreFromMargins([ramp(profitBps, cfg.minProfitBps, cfg.highProfitBps)]);
    const severity = severityOf(score);
    const evidence: EventRef[] = [swapRef(pool, front)];
    for (const v of victims) evidence.push(swapRef(pool, v));
    evidence.push(swapRef(pool, back));
    const accounts = [front.wallet];
    if (back.wallet !== front.wallet) accounts.push(back.wallet);
    for (const v of victims) if (!accounts.includes(v.wallet)) accounts.push(v.wallet);
    const bought = front.side === 'buy' ? 'bought' : 'sold';
    const unwound = front.side === 'buy' ? 'sold' : 'bought';
    const walletText =
      back.wallet === front.wallet ? `Wallet ${front.wallet}` : `Wallets ${front.wallet} and ${back.wallet}`;
    ctx.emit({
      typology: 'dex_sandwich',
      venue: pool.venue,
      instrument: pool.instrument,
      accounts,
      window: { start: front.ts, end: back.ts },
      score,
      severity,
      metrics: {
        block: pool.block,
        frontQty: front.qty,
        backQty: back.qty,
        victims: victims.length,
        victimQty,
        profit,
        profitBps,
        victimImpactBps,
        qtyMismatch,
      },
      evidence,
      explanation:
        `${walletText} (owner ${front.owner}) ${bought} ${fmtNum(front.qty)} ${pool.instrument} at ${fmtNum(front.price)} ` +
        `right before ${plural(victims.length, 'victim swap')} of ${fmtNum(victimQty)} in the same direction ` +
        `and ${unwound} ${fmtNum(back.qty)} at ${fmtNum(back.price)} right after, in block ${pool.block} of ${pool.venue}: ` +
        `a profit of ${fmtNum(profit)} (${fmtBps(profitBps)}), the victims paying ${fmtBps(victimImpactBps)} more than the front-run.`,
    });
    pool.reported.push(back.owner);
    return true;
  }
}

/** Inserts `swap` after every swap with a position not above its own; returns its index. */
function insertByPosition(swaps: Swap[], swap: Swap): number {
  let i = swaps.length;
  while (i > 0 && (swaps[i - 1] as Swap).position > swap.position) i--;
  if (i === swaps.length) swaps.push(swap);
  else swaps.splice(i, 0, swap);
  return i;
}

function swapRef(pool: PoolBlock, s: Swap): EventRef {
  const ref: EventRef = {
    kind: 'trade',
    ts: s.ts,
    venue: pool.venue,
    instrument: pool.instrument,
    id: s.tradeId,
    account: s.wallet,
    side: s.side,
    price: s.price,
    qty: s.qty,
  };
  if (s.seq !== undefined) ref.seq = s.seq;
  return ref;
}

/** Registry entry: `detectors.dex-sandwich` in tapewatch.yaml. */
export const dexSandwichDefinition = defineDetector({
  id: DETECTOR_ID,
  description:
    'DEX sandwich: one owner swaps right before and after a victim in the same block and pool, at a profit',
  configSchema: DexSandwichConfig,
  create: (config) => new DexSandwichDetector(config),
});
