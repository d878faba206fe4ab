/**
 * The event model: the vocabulary every part of tapewatch speaks.
 *
 * Every event carries its own event time `ts` in integer epoch **microseconds**;
 * all windows, timeouts and narrative transitions run on these timestamps, never on
 * the wall clock, so a replay of the same events gives the same signals.
 *
 * Events are plain objects discriminated by `kind`. The zod schemas in this file are
 * applied at the edges (gRPC, FIX, files); the engine trusts what reaches it.
 *
 * @module
 */
import { z } from 'zod';

/** Side of an order or of a trade's aggressor. */
export type Side = 'buy' | 'sell';

/** All event kinds, in a stable order. */
export const EVENT_KINDS = ['order_new', 'order_cancel', 'order_replace', 'trade', 'quote'] as const;

/** Discriminant of {@link MarketEvent}. */
export type EventKind = (typeof EVENT_KINDS)[number];

/** Fields common to every event. */
export interface EventBase {
  /** Event time, integer epoch microseconds. */
  ts: number;
  /** Venue name (`binance`), or `chain:pool` for DEX events (`eth:0x88e6…`). */
  venue: string;
  /** Instrument symbol as the venue names it (`BTC-USDT`). */
  instrument: string;
  /** Venue or source sequence number, when the source has one. */
  seq?: number;
}

/** A new order entered the book (limit) or hit it (market). */
export interface OrderNew extends EventBase {
  kind: 'order_new';
  orderId: string;
  account: string;
  side: Side;
  /** Limit price; for market orders the venue's reference price or 0 when unknown. */
  price: number;
  qty: number;
  type: 'limit' | 'market';
}

/** A resting order was cancelled (the remaining quantity leaves the book). */
export interface OrderCancel extends EventBase {
  kind: 'order_cancel';
  orderId: string;
  account: string;
}

/** A resting order changed price and/or quantity (`qty` is the new open quantity). */
export interface OrderReplace extends EventBase {
  kind: 'order_replace';
  orderId: string;
  account: string;
  price: number;
  qty: number;
}

/**
 * An execution. Order IDs and accounts are present on drop-copy and simulator feeds and
 * absent on public feeds. DEX swaps are trades with wallet accounts and chain fields.
 */
export interface Trade extends EventBase {
  kind: 'trade';
  tradeId: string;
  price: number;
  qty: number;
  /** Side of the order that took liquidity. */
  aggressor: Side;
  buyAccount?: string;
  sellAccount?: string;
  buyOrderId?: string;
  sellOrderId?: string;
  /** DEX: transaction hash of the swap. */
  txHash?: string;
  /** DEX: block number. */
  block?: number;
  /** DEX: log index of the swap within its block. */
  logIndex?: number;
}

/** Top of book as a public feed publishes it. */
export interface Quote extends EventBase {
  kind: 'quote';
  bid: number;
  bidQty: number;
  ask: number;
  askQty: number;
}

/** Any event the engine processes. */
export type MarketEvent = OrderNew | OrderCancel | OrderReplace | Trade | Quote;

/** Map from kind to event type, for generic helpers. */
export interface EventByKind {
  order_new: OrderNew;
  order_cancel: OrderCancel;
  order_replace: OrderReplace;
  trade: Trade;
  quote: Quote;
}

/**
 * A reference to an event kept as evidence: enough to find it again in a recorded stream
 * and to show it in a case without the stream.
 */
export interface EventRef {
  kind: EventKind;
  ts: number;
  venue: string;
  instrument: string;
  /** `orderId` for order events, `tradeId` for trades, absent for quotes. */
  id?: string;
  seq?: number;
  account?: string;
  side?: Side;
  price?: number;
  qty?: number;
}

/** Builds the evidence reference of an event. */
export function eventRef(e: MarketEvent): EventRef {
  const ref: EventRef = { kind: e.kind, ts: e.ts, venue: e.venue, instrument: e.instrument };
  if (e.seq !== undefined) ref.seq = e.seq;
  switch (e.kind) {
    case 'order_new':
      ref.id = e.orderId;
      ref.account = e.account;
      ref.side = e.side;
      ref.price = e.price;
      ref.qty = e.qty;
      break;
    case 'order_replace':
      ref.id = e.orderId;
      ref.account = e.account;
      ref.price = e.price;
      ref.qty = e.qty;
      break;
    case 'order_cancel':
      ref.id = e.orderId;
      ref.account = e.account;
      break;
    case 'trade':
      ref.id = e.tradeId;
      ref.side = e.aggressor;
      ref.price = e.price;
      ref.qty = e.qty;
      break;
    case 'quote':
      break;
  }
  return ref;
}

// ---------------------------------------------------------------------------------------
// Schemas used at the edges.
// ---------------------------------------------------------------------------------------

/** Largest accepted price or quantity: beyond this a value is a unit or encoding error. */
export const MAX_MAGNITUDE = 1e15;
/** Longest accepted identifier (order, trade, account, venue, instrument), in characters. */
export const MAX_ID_LENGTH = 256;

const identifier = z.string().min(1).max(MAX_ID_LENGTH);
const timestampUs = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const positive = z.number().positive().max(MAX_MAGNITUDE);
const nonNegative = z.number().nonnegative().max(MAX_MAGNITUDE);
const sequence = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

/** Zod schema of {@link Side}. */
export const SideSchema = z.enum(['buy', 'sell']);

const base = {
  ts: timestampUs,
  venue: identifier,
  instrument: identifier,
  seq: sequence.exactOptional(),
};

/** Zod schema of {@link OrderNew}. Market orders may carry price 0 (unknown). */
export const OrderNewSchema = z
  .object({
    kind: z.literal('order_new'),
    ...base,
    orderId: identifier,
    account: identifier,
    side: SideSchema,
    price: nonNegative,
    qty: positive,
    type: z.enum(['limit', 'market']),
  })
  // Negative prices already fail `nonNegative`; this catches the one value left, zero.
  .refine((o) => o.type === 'market' || o.price !== 0, {
    path: ['price'],
    message: 'a limit order needs a price > 0',
  });

/** Zod schema of {@link OrderCancel}. */
export const OrderCancelSchema = z.object({
  kind: z.literal('order_cancel'),
  ...base,
  orderId: identifier,
  account: identifier,
});

/** Zod schema of {@link OrderReplace}. */
export const OrderReplaceSchema = z.object({
  kind: z.literal('order_replace'),
  ...base,
  orderId: identifier,
  account: identifier,
  price: positive,
  qty: positive,
});

/** Zod schema of {@link Trade}. */
export const TradeSchema = z.object({
  kind: z.literal('trade'),
  ...base,
  tradeId: identifier,
  price: positive,
  qty: positive,
  aggressor: SideSchema,
  buyAccount: identifier.exactOptional(),
  sellAccount: identifier.exactOptional(),
  buyOrderId: identifier.exactOptional(),
  sellOrderId: identifier.exactOptional(),
  txHash: identifier.exactOptional(),
  block: sequence.exactOptional(),
  logIndex: sequence.exactOptional(),
});

/** Zod schema of {@link Quote}. A crossed quote (bid above ask) is rejected. */
export const QuoteSchema = z
  .object({
    kind: z.literal('quote'),
    ...base,
    bid: positive,
    bidQty: nonNegative,
    ask: positive,
    askQty: nonNegative,
  })
  .refine((q) => q.bid <= q.ask, { path: ['bid'], message: 'bid must not be above ask' });

/** One schema per event kind. */
export const EVENT_SCHEMAS = {
  order_new: OrderNewSchema,
  order_cancel: OrderCancelSchema,
  order_replace: OrderReplaceSchema,
  trade: TradeSchema,
  quote: QuoteSchema,
} as const satisfies Record<EventKind, z.ZodType>;

// Compile-time check that the schemas and the interfaces describe the same shapes.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type SchemaMatches = {
  [K in EventKind]: Same<z.output<(typeof EVENT_SCHEMAS)[K]>, EventByKind[K]>;
};
const schemasMatchInterfaces: SchemaMatches = {
  order_new: true,
  order_cancel: true,
  order_replace: true,
  trade: true,
  quote: true,
};
void schemasMatchInterfaces;
