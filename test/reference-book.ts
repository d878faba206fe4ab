/**
 * A deliberately naive price-time-priority book, used as the reference model in property
 * tests: a flat list of orders scanned in full on every operation. Slow and obviously
 * right. It also produces the events a venue would publish for each operation.
 */
import type { MarketEvent, Side } from '../src/core/events';

export interface RefOrder {
  orderId: string;
  account: string;
  side: Side;
  price: number;
  qty: number;
  /** Time priority: lower rests longer. */
  priority: number;
}

export class ReferenceBook {
  orders: RefOrder[] = [];
  private priority = 0;
  private tradeSeq = 0;

  constructor(
    readonly venue = 'ref',
    readonly instrument = 'REF-USD',
  ) {}

  /** Submits an order; returns the events: order_new then the trades it caused. */
  submit(
    ts: number,
    orderId: string,
    account: string,
    side: Side,
    price: number,
    qty: number,
    type: 'limit' | 'market',
  ): MarketEvent[] {
    const events: MarketEvent[] = [
      {
        kind: 'order_new',
        ts,
        venue: this.venue,
        instrument: this.instrument,
        orderId,
        account,
        side,
        price,
        qty,
        type,
      },
    ];
    const remaining = this.match(
      ts,
      orderId,
      account,
      side,
      type === 'market' ? Number.NaN : price,
      qty,
      events,
    );
    if (type === 'limit' && remaining > 0) {
      this.orders.push({ orderId, account, side, price, qty: remaining, priority: this.priority++ });
    }
    return events;
  }

  cancel(ts: number, orderId: string, account: string): MarketEvent[] {
    this.orders = this.orders.filter((o) => o.orderId !== orderId);
    return [{ kind: 'order_cancel', ts, venue: this.venue, instrument: this.instrument, orderId, account }];
  }

  /** Replaces a resting order; a marketable new price trades like a new order would. */
  replace(ts: number, orderId: string, price: number, qty: number): MarketEvent[] {
    const order = this.orders.find((o) => o.orderId === orderId);
    if (order === undefined) return [];
    const events: MarketEvent[] = [
      {
        kind: 'order_replace',
        ts,
        venue: this.venue,
        instrument: this.instrument,
        orderId,
        account: order.account,
        price,
        qty,
      },
    ];
    this.orders = this.orders.filter((o) => o !== order);
    const remaining = this.match(ts, orderId, order.account, order.side, price, qty, events);
    if (remaining > 0) {
      // Price or size increase loses time priority, as on most venues; keep it simple: always.
      this.orders.push({ ...order, price, qty: remaining, priority: this.priority++ });
    }
    return events;
  }

  bestBid(): number {
    let best = Number.NaN;
    for (const o of this.orders) if (o.side === 'buy' && !(o.price <= best)) best = o.price;
    return best;
  }

  bestAsk(): number {
    let best = Number.NaN;
    for (const o of this.orders) if (o.side === 'sell' && !(o.price >= best)) best = o.price;
    return best;
  }

  depthAt(side: Side, price: number): number {
    let qty = 0;
    for (const o of this.orders) if (o.side === side && o.price === price) qty += o.qty;
    return qty;
  }

  private match(
    ts: number,
    orderId: string,
    account: string,
    side: Side,
    limit: number,
    qty: number,
    events: MarketEvent[],
  ): number {
    let remaining = qty;
    while (remaining > 0) {
      let best: RefOrder | undefined;
      for (const o of this.orders) {
        if (o.side === side) continue;
        const crosses = Number.isNaN(limit) || (side === 'buy' ? o.price <= limit : o.price >= limit);
        if (!crosses) continue;
        if (
          best === undefined ||
          (side === 'buy' ? o.price < best.price : o.price > best.price) ||
          (o.price === best.price && o.priority < best.priority)
        ) {
          best = o;
        }
      }
      if (best === undefined) break;
      const fill = Math.min(remaining, best.qty);
      remaining -= fill;
      best.qty -= fill;
      const buy = side === 'buy';
      events.push({
        kind: 'trade',
        ts,
        venue: this.venue,
        instrument: this.instrument,
        tradeId: `rt${++this.tradeSeq}`,
        price: best.price,
        qty: fill,
        aggressor: side,
        buyAccount: buy ? account : best.account,
        sellAccount: buy ? best.account : account,
        buyOrderId: buy ? orderId : best.orderId,
        sellOrderId: buy ? best.orderId : orderId,
      });
      if (best.qty === 0) this.orders = this.orders.filter((o) => o !== best);
    }
    return remaining;
  }
}
