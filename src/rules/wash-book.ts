/**
 * The state wash-trading keeps per (venue, instrument): the trades of the window with
 * both parties known, and indexes over them by owner and by pair of owners that lose
 * each trade as it leaves the window.
 *
 * @module
 */
import type { EventRef, Side } from '../core/events';
import { EventWindow } from './shared';

/** A trade with both parties known, as the detector keeps it. */
export interface TradeRecord {
  ts: number;
  tradeId: string;
  seq?: number;
  price: number;
  qty: number;
  aggressor: Side;
  buyAccount: string;
  sellAccount: string;
  buyOwner: string;
  sellOwner: string;
  /** DEX swap: the wallet's side is the aggressor's, the pool the other. */
  isSwap: boolean;
  /** DEX: block number (-1 when the feed gives none). */
  block: number;
  /**
   * DEX: the swap reverses, at matching size, a swap of the same owner that came right
   * before it in the same block with nobody else's swap between: a wash leg pair.
   */
  closesAdjacentPair: boolean;
}

/** Per (venue, instrument): the trades in the window and indexes over them. */
export class WashBook {
  readonly trades: EventWindow<TradeRecord>;
  windowVolume = 0;
  /** Volume per owner in the window (both sides of order-book trades, the wallet side of swaps). */
  readonly ownerVolume = new Map<string, number>();
  /** Self-trades by owner. */
  readonly selfTrades = new Map<string, TradeRecord[]>();
  /** Order-book trades between two owners: buyer → seller → trades. */
  readonly flows = new Map<string, Map<string, TradeRecord[]>>();
  /** DEX swaps by the wallet's owner. */
  readonly swaps = new Map<string, TradeRecord[]>();
  /** Pattern key → event time until which it stays quiet (one signal per episode). */
  readonly quietUntil = new Map<string, number>();
  /** True when trades between owners arrived since rings were last searched. */
  hasNewFlows = false;

  constructor(
    readonly venue: string,
    readonly instrument: string,
    spanUs: number,
    capacity: number,
  ) {
    this.trades = new EventWindow(spanUs, capacity);
  }

  add(t: TradeRecord): void {
    if (this.trades.size === this.trades.capacity) this.forget(this.trades.get(0));
    this.trades.push(t);
    this.windowVolume += t.qty;
    if (t.isSwap) {
      const owner = t.aggressor === 'buy' ? t.buyOwner : t.sellOwner;
      addVolume(this.ownerVolume, owner, t.qty);
      listOf(this.swaps, owner).push(t);
      return;
    }
    addVolume(this.ownerVolume, t.buyOwner, t.qty);
    if (t.buyOwner === t.sellOwner) {
      listOf(this.selfTrades, t.buyOwner).push(t);
      return;
    }
    addVolume(this.ownerVolume, t.sellOwner, t.qty);
    let bySeller = this.flows.get(t.buyOwner);
    if (bySeller === undefined) {
      bySeller = new Map();
      this.flows.set(t.buyOwner, bySeller);
    }
    listOf(bySeller, t.sellOwner).push(t);
    this.hasNewFlows = true;
  }

  /** Drops trades older than `cutoff` from the window and every index. */
  evictBefore(cutoff: number): void {
    const trades = this.trades;
    for (let i = 0; i < trades.size && trades.get(i).ts < cutoff; i++) this.forget(trades.get(i));
    trades.evictBefore(cutoff);
    for (const [key, until] of this.quietUntil) if (until < cutoff) this.quietUntil.delete(key);
  }

  /** Removes the oldest trade `t` from the indexes (it is the first of each of its lists). */
  private forget(t: TradeRecord): void {
    this.windowVolume -= t.qty;
    if (t.isSwap) {
      const owner = t.aggressor === 'buy' ? t.buyOwner : t.sellOwner;
      addVolume(this.ownerVolume, owner, -t.qty);
      shiftFrom(this.swaps, owner);
      return;
    }
    addVolume(this.ownerVolume, t.buyOwner, -t.qty);
    if (t.buyOwner === t.sellOwner) {
      shiftFrom(this.selfTrades, t.buyOwner);
      return;
    }
    addVolume(this.ownerVolume, t.sellOwner, -t.qty);
    const bySeller = this.flows.get(t.buyOwner);
    if (bySeller === undefined) return;
    shiftFrom(bySeller, t.sellOwner);
    if (bySeller.size === 0) this.flows.delete(t.buyOwner);
  }
}

function addVolume(map: Map<string, number>, owner: string, qty: number): void {
  const next = (map.get(owner) ?? 0) + qty;
  // Float residue of adds and subtracts must not keep a departed owner alive.
  if (next <= 1e-12) map.delete(owner);
  else map.set(owner, next);
}

function listOf(map: Map<string, TradeRecord[]>, key: string): TradeRecord[] {
  let list = map.get(key);
  if (list === undefined) {
    list = [];
    map.set(key, list);
  }
  return list;
}

function shiftFrom(map: Map<string, TradeRecord[]>, key: string): void {
  const list = map.get(key);
  if (list === undefined) return;
  list.shift();
  if (list.length === 0) map.delete(key);
}

export function sumQty(list: readonly TradeRecord[]): number {
  let sum = 0;
  for (let i = 0; i < list.length; i++) sum += (list[i] as TradeRecord).qty;
  return sum;
}

/** True when two sizes differ by at most `tolerance` of the larger. */
export function isNearQty(a: number, b: number, tolerance: number): boolean {
  return Math.abs(a - b) <= tolerance * Math.max(a, b);
}

/**
 * How many legs of `a` pair off with a leg of `b` at nearly the same size and price, each
 * leg used once (greedy in time order, which is exact for the interleaved legs of a round trip).
 */
export function countMatchedLegs(
  a: readonly TradeRecord[],
  b: readonly TradeRecord[],
  qtyTolerance: number,
  priceTolerance: number,
  differentBlocksOnly = false,
): number {
  const used = new Uint8Array(b.length);
  let matched = 0;
  for (const x of a) {
    for (let j = 0; j < b.length; j++) {
      if (used[j] === 1) continue;
      const y = b[j] as TradeRecord;
      if (differentBlocksOnly && x.block === y.block) continue;
      if (!isNearQty(x.qty, y.qty, qtyTolerance)) continue;
      if (Math.abs(x.price - y.price) > priceTolerance * Math.min(x.price, y.price)) continue;
      used[j] = 1;
      matched++;
      break;
    }
  }
  return matched;
}

export function mergeByTime(a: readonly TradeRecord[], b: readonly TradeRecord[]): TradeRecord[] {
  const out: TradeRecord[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const x = a[i];
    const y = b[j];
    if (y === undefined || (x !== undefined && x.ts <= y.ts)) {
      out.push(x as TradeRecord);
      i++;
    } else {
      out.push(y);
      j++;
    }
  }
  return out;
}

/** Distinct accounts of the trades, in order of appearance (for swaps: the wallets only). */
export function accountsOf(trades: readonly TradeRecord[]): string[] {
  const out: string[] = [];
  for (const t of trades) {
    const wallet = t.aggressor === 'buy' ? t.buyAccount : t.sellAccount;
    if (t.isSwap) {
      if (!out.includes(wallet)) out.push(wallet);
      continue;
    }
    if (!out.includes(t.buyAccount)) out.push(t.buyAccount);
    if (!out.includes(t.sellAccount)) out.push(t.sellAccount);
  }
  return out;
}

export function recordRef(book: WashBook, t: TradeRecord): EventRef {
  const ref: EventRef = {
    kind: 'trade',
    ts: t.ts,
    venue: book.venue,
    instrument: book.instrument,
    id: t.tradeId,
    account: t.aggressor === 'buy' ? t.buyAccount : t.sellAccount,
    side: t.aggressor,
    price: t.price,
    qty: t.qty,
  };
  if (t.seq !== undefined) ref.seq = t.seq;
  return ref;
}
