/**
 * Synthetic venue activity for benchmarks and the bundled sample: several instruments,
 * limit orders placed 1–20 ticks either side of a fixed mid (so the book never crosses),
 * cancels and replaces of resting orders, and market orders that trade against them,
 * with consistent order IDs throughout. Seeded.
 */
import type { MarketEvent, Side } from '../src/core/events';
import { SeededRandom } from '../src/core/random';

export interface SyntheticOptions {
  events: number;
  instruments?: number;
  accounts?: number;
  seed?: number;
  startTs?: number;
  /**
   * Resting orders per instrument the activity hovers around: above it cancels outnumber
   * new orders, below it the reverse, as on a venue in steady state. Default 2,000.
   */
  targetDepth?: number;
  /** Mean gap between events, µs. */
  meanGapUs?: number;
  venue?: string;
}

interface Live {
  orderId: string;
  account: string;
  side: Side;
  price: number;
  qty: number;
}

/** All `options.events` events at once. */
export function syntheticEvents(options: SyntheticOptions): MarketEvent[] {
  return new SyntheticMarket(options).next(options.events).slice(0, options.events);
}

/** The same activity produced batch by batch, as an ingest source would deliver it. */
export class SyntheticMarket {
  readonly next: (count: number) => MarketEvent[];
  constructor(options: Omit<SyntheticOptions, 'events'>) {
    this.next = makeGenerator(options);
  }
}

function makeGenerator(options: Omit<SyntheticOptions, 'events'>): (count: number) => MarketEvent[] {
  const rng = new SeededRandom(options.seed ?? 1);
  const instruments = Array.from({ length: options.instruments ?? 5 }, (_, i) => `SYN${i}-USDT`);
  const accounts = Array.from({ length: options.accounts ?? 200 }, (_, i) => `acct-${i}`);
  const venue = options.venue ?? 'synthex';
  const tick = 0.01;
  const mids = instruments.map((_, i) => 100 * (i + 1));
  const live: Live[][] = instruments.map(() => []);
  let ts = options.startTs ?? 1_700_000_000_000_000;
  const gap = options.meanGapUs ?? 100;
  const targetDepth = options.targetDepth ?? 2_000;
  let orderSeq = 0;
  let tradeSeq = 0;
  return (count: number): MarketEvent[] => {
    // A market order and its trade stay together, so a batch may end one event long.
    const out: MarketEvent[] = [];
    while (out.length < count) {
      ts += 1 + Math.floor(rng.exponential(1 / gap));
      const k = rng.int(instruments.length);
      const instrument = instruments[k] as string;
      const book = live[k] as Live[];
      const mid = mids[k] as number;
      // Steady state: the share of new orders falls as the book grows past its target depth.
      const newShare = book.length < targetDepth ? 0.55 : 0.35;
      const r = rng.next();
      if (r < newShare || book.length < 20) {
        const side: Side = rng.chance(0.5) ? 'buy' : 'sell';
        const offset = (1 + rng.int(20)) * tick;
        const price = round(side === 'buy' ? mid - offset : mid + offset);
        const order: Live = {
          orderId: `o${++orderSeq}`,
          account: rng.pick(accounts),
          side,
          price,
          qty: 1 + rng.int(10),
        };
        book.push(order);
        out.push({
          kind: 'order_new',
          ts,
          venue,
          instrument,
          orderId: order.orderId,
          account: order.account,
          side,
          price,
          qty: order.qty,
          type: 'limit',
        });
      } else if (r < 0.8) {
        const i = rng.int(book.length);
        const order = book[i] as Live;
        book[i] = book[book.length - 1] as Live;
        book.pop();
        out.push({
          kind: 'order_cancel',
          ts,
          venue,
          instrument,
          orderId: order.orderId,
          account: order.account,
        });
      } else if (r < 0.9) {
        const order = book[rng.int(book.length)] as Live;
        order.qty = 1 + rng.int(10);
        out.push({
          kind: 'order_replace',
          ts,
          venue,
          instrument,
          orderId: order.orderId,
          account: order.account,
          price: order.price,
          qty: order.qty,
        });
      } else {
        const i = rng.int(book.length);
        const resting = book[i] as Live;
        const qty = Math.min(resting.qty, 1 + rng.int(3));
        const taker = rng.pick(accounts);
        const takerId = `o${++orderSeq}`;
        const aggressor: Side = resting.side === 'buy' ? 'sell' : 'buy';
        out.push({
          kind: 'order_new',
          ts,
          venue,
          instrument,
          orderId: takerId,
          account: taker,
          side: aggressor,
          price: 0,
          qty,
          type: 'market',
        });
        const buy = aggressor === 'buy';
        out.push({
          kind: 'trade',
          ts,
          venue,
          instrument,
          tradeId: `t${++tradeSeq}`,
          price: resting.price,
          qty,
          aggressor,
          buyAccount: buy ? taker : resting.account,
          sellAccount: buy ? resting.account : taker,
          buyOrderId: buy ? takerId : resting.orderId,
          sellOrderId: buy ? resting.orderId : takerId,
        });
        resting.qty -= qty;
        if (resting.qty <= 0) {
          book[i] = book[book.length - 1] as Live;
          book.pop();
        }
      }
    }
    return out;
  };
}

function round(price: number): number {
  return Math.round(price * 100) / 100;
}
