/**
 * FIX 4.4 application messages → tapewatch events.
 *
 * | MsgType | becomes |
 * |---|---|
 * | D NewOrderSingle | `order_new` (orderId = ClOrdID) |
 * | F OrderCancelRequest | `order_cancel` of the order OrigClOrdID names |
 * | G OrderCancelReplaceRequest | `order_replace` of the order OrigClOrdID names (its new ClOrdID is remembered as an alias) |
 * | 8 ExecutionReport | ExecType 0 → `order_new`, 4 → `order_cancel`, 5 → `order_replace`, F (or 1/2) → `trade`; orderId = OrderID (37) |
 * | AE TradeCaptureReport | `trade` with both sides' accounts and orders from the NoSides group |
 * | W / X market data | trades (MDEntryType 2) → `trade`; a bid and an offer in one message → `quote` |
 *
 * Accounts: Account (1) when present, else the PartyID (448) of the first configured
 * PartyRole (452) found. Times: TransactTime (60), else SendingTime (52), to the
 * microsecond. Anything else (other ExecTypes, order status reports, rejects) carries no
 * market event and is skipped, not rejected.
 *
 * @module
 */
import type { InvalidEventError } from '../../core/errors';
import { InvalidEventError as InvalidEvent } from '../../core/errors';
import type { MarketEvent, Side } from '../../core/events';
import { tryParseEvent, validateEvent } from '../../core/validate';

/** The part of a parsed FIX message the mapper reads (jspurefix's MsgView satisfies it). */
export interface FixFieldSource {
  getString(tag: number | string): string | null;
  getStrings(tag: number | string): (string | null)[] | null;
}

/** Options of {@link FixEventMapper}. */
export interface FixMapperOptions {
  /** `venue` of every event (a drop copy comes from one venue). */
  venue: string;
  /** PartyRole (452) values whose PartyID is taken as the account, in order of preference. */
  accountPartyRoles?: readonly number[];
}

/** Result of mapping one message. */
export interface FixMapResult {
  events: MarketEvent[];
  errors: InvalidEventError[];
}

/** Default party roles: CustomerAccount (24), ClientID (3), OrderOriginationTrader (11), ExecutingTrader (12), ExecutingFirm (1). */
export const DEFAULT_ACCOUNT_PARTY_ROLES = [24, 3, 11, 12, 1] as const;

const TAG = {
  Account: 1,
  ClOrdID: 11,
  ExecID: 17,
  LastPx: 31,
  LastQty: 32,
  OrderID: 37,
  OrderQty: 38,
  OrdType: 40,
  OrigClOrdID: 41,
  Price: 44,
  SendingTime: 52,
  Side: 54,
  Symbol: 55,
  TransactTime: 60,
  ExecType: 150,
  LeavesQty: 151,
  MDEntryID: 278,
  MDEntryType: 269,
  MDEntryPx: 270,
  MDEntrySize: 271,
  MDUpdateAction: 279,
  PartyID: 448,
  PartyRole: 452,
  NoSides: 552,
  TradeReportID: 571,
  LastLiquidityInd: 851,
  TrdMatchID: 880,
  AggressorIndicator: 1057,
} as const;

/** Parses a FIX UTCTimestamp (`20240301-12:00:00.123456`) into epoch microseconds; NaN when malformed. */
export function parseFixTimestamp(text: string): number {
  // YYYYMMDD-HH:MM:SS[.sss[sss]]
  if (text.length < 17 || text.charCodeAt(8) !== 45) return Number.NaN;
  const year = digits(text, 0, 4);
  const month = digits(text, 4, 6);
  const day = digits(text, 6, 8);
  const hour = digits(text, 9, 11);
  const minute = digits(text, 12, 14);
  const second = digits(text, 15, 17);
  if (text.charCodeAt(11) !== 58 || text.charCodeAt(14) !== 58) return Number.NaN;
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) {
    return Number.NaN;
  }
  let micros = 0;
  if (text.length > 17) {
    if (text.charCodeAt(17) !== 46) return Number.NaN;
    const fraction = text.slice(18);
    if (fraction.length === 0 || fraction.length > 9) return Number.NaN;
    micros = digits(`${fraction}000000`, 0, 6);
  }
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  return ms * 1000 + micros;
}

function digits(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return Number.NaN;
    n = n * 10 + c;
  }
  return n;
}

function sideOf(code: string | null): Side | string | null {
  if (code === '1') return 'buy';
  if (code === '2') return 'sell';
  return code;
}

function opposite(side: Side): Side {
  return side === 'buy' ? 'sell' : 'buy';
}

/** A number from a FIX field; the text itself when not numeric, so validation names it. */
function num(text: string | null): number | string | undefined {
  if (text === null) return undefined;
  const n = Number(text);
  return text.trim() !== '' && Number.isFinite(n) ? n : text;
}

/**
 * Maps FIX messages to events, keeping the little state order chains need (ClOrdID
 * aliases after replaces).
 *
 * @example
 * ```ts
 * const mapper = new FixEventMapper({ venue: 'venue-a' });
 * const { events, errors } = mapper.map('8', view, 'fix:VENUE seq 12');
 * ```
 */
export class FixEventMapper {
  private readonly venue: string;
  private readonly partyRoles: readonly string[];
  /** ClOrdID of a replacement → the ClOrdID the order was first entered under. */
  private readonly rootOf = new Map<string, string>();
  /** Per instrument: last public trade price and last quote, to classify public trades. */
  private readonly lastTradePx = new Map<string, { px: number; aggressor: Side }>();
  private readonly lastMid = new Map<string, number>();

  constructor(options: FixMapperOptions) {
    this.venue = options.venue;
    this.partyRoles = (options.accountPartyRoles ?? DEFAULT_ACCOUNT_PARTY_ROLES).map(String);
  }

  /**
   * Maps one message. `location` names it in errors (`fix:VENUE seq 12`). Messages
   * without market content return no events and no errors.
   */
  map(msgType: string, view: FixFieldSource, location: string): FixMapResult {
    const raws: Record<string, unknown>[] = [];
    switch (msgType) {
      case 'D':
        raws.push(this.newOrderSingle(view));
        break;
      case 'F':
        raws.push(this.cancelRequest(view));
        break;
      case 'G':
        raws.push(this.replaceRequest(view));
        break;
      case '8': {
        const raw = this.executionReport(view);
        if (raw !== undefined) raws.push(raw);
        break;
      }
      case 'AE':
        raws.push(this.tradeCapture(view));
        break;
      case 'W':
      case 'X':
        this.marketData(view, msgType === 'X', raws);
        break;
      default:
        break;
    }
    const events: MarketEvent[] = [];
    const errors: InvalidEventError[] = [];
    for (const raw of raws) {
      const fast = tryParseEvent(raw);
      if (fast !== undefined) {
        events.push(fast);
        continue;
      }
      const r = validateEvent(raw, location);
      if (r.ok) events.push(r.event);
      else errors.push(...r.errors.map((e) => withTag(e, location)));
    }
    return { events, errors };
  }

  /** Event time: TransactTime, else SendingTime. */
  private ts(view: FixFieldSource): number | string | undefined {
    const text = view.getString(TAG.TransactTime) ?? view.getString(TAG.SendingTime);
    if (text === null) return undefined;
    const us = parseFixTimestamp(text);
    return Number.isNaN(us) ? text : us;
  }

  private account(view: FixFieldSource): string | undefined {
    const account = view.getString(TAG.Account);
    if (account !== null && account !== '') return account;
    return this.partyAccount(view.getStrings(TAG.PartyID), view.getStrings(TAG.PartyRole));
  }

  private partyAccount(ids: (string | null)[] | null, roles: (string | null)[] | null): string | undefined {
    if (ids === null || roles === null) return undefined;
    for (const wanted of this.partyRoles) {
      for (let i = 0; i < roles.length && i < ids.length; i++) {
        if (roles[i] === wanted && ids[i]) return ids[i] as string;
      }
    }
    return undefined;
  }

  private head(kind: string, view: FixFieldSource): Record<string, unknown> {
    return {
      kind,
      ts: this.ts(view),
      venue: this.venue,
      instrument: view.getString(TAG.Symbol) ?? undefined,
    };
  }

  private root(clOrdId: string | null): string | undefined {
    if (clOrdId === null) return undefined;
    return this.rootOf.get(clOrdId) ?? clOrdId;
  }

  private newOrderSingle(view: FixFieldSource): Record<string, unknown> {
    const raw = this.head('order_new', view);
    const ordType = view.getString(TAG.OrdType);
    raw.orderId = view.getString(TAG.ClOrdID) ?? undefined;
    raw.account = this.account(view);
    raw.side = sideOf(view.getString(TAG.Side)) ?? undefined;
    raw.price = ordType === '1' ? (num(view.getString(TAG.Price)) ?? 0) : num(view.getString(TAG.Price));
    raw.qty = num(view.getString(TAG.OrderQty));
    // OrdType is optional on execution reports: a priced order without it is a limit order.
    if (ordType === null) raw.type = view.getString(TAG.Price) === null ? undefined : 'limit';
    else raw.type = ordType === '1' ? 'market' : ordType === '2' ? 'limit' : ordType;
    return raw;
  }

  private cancelRequest(view: FixFieldSource): Record<string, unknown> {
    const raw = this.head('order_cancel', view);
    const orderId = this.root(view.getString(TAG.OrigClOrdID));
    raw.orderId = orderId;
    raw.account = this.account(view);
    if (orderId !== undefined) this.forget(orderId);
    return raw;
  }

  private replaceRequest(view: FixFieldSource): Record<string, unknown> {
    const raw = this.head('order_replace', view);
    const root = this.root(view.getString(TAG.OrigClOrdID));
    const clOrdId = view.getString(TAG.ClOrdID);
    if (root !== undefined && clOrdId !== null) this.rootOf.set(clOrdId, root);
    raw.orderId = root;
    raw.account = this.account(view);
    raw.price = num(view.getString(TAG.Price));
    raw.qty = num(view.getString(TAG.OrderQty));
    return raw;
  }

  /** Drops the aliases of an order that left the book. */
  private forget(root: string): void {
    if (this.rootOf.size === 0) return;
    for (const [alias, target] of this.rootOf) if (target === root) this.rootOf.delete(alias);
  }

  private executionReport(view: FixFieldSource): Record<string, unknown> | undefined {
    const execType = view.getString(TAG.ExecType);
    const orderId = view.getString(TAG.OrderID) ?? undefined;
    switch (execType) {
      case '0': {
        const raw = this.newOrderSingle(view);
        raw.orderId = orderId;
        return raw;
      }
      case '4': {
        const raw = this.head('order_cancel', view);
        raw.orderId = orderId;
        raw.account = this.account(view);
        return raw;
      }
      case '5': {
        const raw = this.head('order_replace', view);
        raw.orderId = orderId;
        raw.account = this.account(view);
        raw.price = num(view.getString(TAG.Price));
        // The open quantity after the replace is what rests in the book.
        raw.qty = num(view.getString(TAG.LeavesQty) ?? view.getString(TAG.OrderQty));
        return raw;
      }
      case 'F':
      case '1':
      case '2': {
        const raw = this.head('trade', view);
        const side = sideOf(view.getString(TAG.Side));
        raw.tradeId = view.getString(TAG.TrdMatchID) ?? view.getString(TAG.ExecID) ?? undefined;
        raw.price = num(view.getString(TAG.LastPx));
        raw.qty = num(view.getString(TAG.LastQty));
        const liquidity = view.getString(TAG.LastLiquidityInd);
        if (side === 'buy' || side === 'sell') {
          // 1 = added liquidity (the other side took it), 2 = removed liquidity. Without the
          // indicator the reporting order is taken as the aggressor.
          raw.aggressor = liquidity === '1' ? opposite(side) : side;
          const account = this.account(view);
          if (account !== undefined) raw[side === 'buy' ? 'buyAccount' : 'sellAccount'] = account;
          if (orderId !== undefined) raw[side === 'buy' ? 'buyOrderId' : 'sellOrderId'] = orderId;
        } else raw.aggressor = side ?? undefined;
        return raw;
      }
      default:
        return undefined;
    }
  }

  private tradeCapture(view: FixFieldSource): Record<string, unknown> {
    const raw = this.head('trade', view);
    raw.tradeId = view.getString(TAG.TrdMatchID) ?? view.getString(TAG.TradeReportID) ?? undefined;
    raw.price = num(view.getString(TAG.LastPx));
    raw.qty = num(view.getString(TAG.LastQty));
    // Side-level fields repeat once per side, in group order; Account and AggressorIndicator
    // are optional per side, so they are read positionally only when every side has them.
    const sides = view.getStrings(TAG.Side) ?? [];
    const orders = view.getStrings(TAG.OrderID) ?? [];
    const accounts = view.getStrings(TAG.Account) ?? [];
    const aggressors = view.getStrings(TAG.AggressorIndicator) ?? [];
    const complete = (list: (string | null)[]) => list.length === sides.length;
    for (let i = 0; i < sides.length; i++) {
      const side = sideOf(sides[i] ?? null);
      if (side !== 'buy' && side !== 'sell') {
        raw.aggressor = side ?? undefined;
        continue;
      }
      if (complete(orders) && orders[i]) raw[side === 'buy' ? 'buyOrderId' : 'sellOrderId'] = orders[i];
      if (complete(accounts) && accounts[i]) raw[side === 'buy' ? 'buyAccount' : 'sellAccount'] = accounts[i];
      if (complete(aggressors) && aggressors[i] === 'Y') raw.aggressor = side;
    }
    if (raw.aggressor === undefined && sides.length > 0) {
      // No AggressorIndicator: the first side reported is taken as the aggressor.
      raw.aggressor = sideOf(sides[0] ?? null) ?? undefined;
    }
    return raw;
  }

  private marketData(view: FixFieldSource, incremental: boolean, out: Record<string, unknown>[]): void {
    const types = view.getStrings(TAG.MDEntryType) ?? [];
    const prices = view.getStrings(TAG.MDEntryPx) ?? [];
    const sizes = view.getStrings(TAG.MDEntrySize) ?? [];
    const entryIds = view.getStrings(TAG.MDEntryID) ?? [];
    const actions = incremental ? (view.getStrings(TAG.MDUpdateAction) ?? []) : [];
    // One instrument per message (Symbol in the body for W; the first entry's for X).
    const instrument = view.getString(TAG.Symbol) ?? '';
    const ts = this.ts(view);
    let bid: { px: number | string | undefined; size: number | string | undefined } | undefined;
    let ask: typeof bid;
    for (let i = 0; i < types.length; i++) {
      const px = num(prices[i] ?? null);
      const size = num(sizes[i] ?? null);
      if (incremental && actions[i] === '2') continue; // a deletion carries no new price
      if (types[i] === '2') {
        out.push({
          kind: 'trade',
          ts,
          venue: this.venue,
          instrument: instrument || undefined,
          tradeId:
            entryIds.length === types.length && entryIds[i]
              ? entryIds[i]
              : `${instrument}:${String(ts)}:${i}`,
          price: px,
          qty: size,
          aggressor: typeof px === 'number' ? this.classify(instrument, px) : undefined,
        });
      } else if (types[i] === '0' && bid === undefined) bid = { px, size };
      else if (types[i] === '1' && ask === undefined) ask = { px, size };
    }
    if (bid !== undefined && ask !== undefined) {
      if (typeof bid.px === 'number' && typeof ask.px === 'number') {
        this.lastMid.set(instrument, (bid.px + ask.px) / 2);
      }
      out.push({
        kind: 'quote',
        ts,
        venue: this.venue,
        instrument: instrument || undefined,
        bid: bid.px,
        bidQty: bid.size,
        ask: ask.px,
        askQty: ask.size,
      });
    }
  }

  /**
   * Aggressor side of a public trade, which FIX 4.4 market data does not carry: the quote
   * rule against the last mid when one is known, else the tick rule against the last
   * trade (Lee and Ready, 1991). The first trade of an instrument with neither is
   * recorded as a buy.
   */
  private classify(instrument: string, px: number): Side {
    const mid = this.lastMid.get(instrument);
    const last = this.lastTradePx.get(instrument);
    let aggressor: Side;
    if (mid !== undefined && px !== mid) aggressor = px > mid ? 'buy' : 'sell';
    else if (last !== undefined) aggressor = px > last.px ? 'buy' : px < last.px ? 'sell' : last.aggressor;
    else aggressor = 'buy';
    this.lastTradePx.set(instrument, { px, aggressor });
    return aggressor;
  }
}

/** Adds the FIX tag of a field to the reason, so an operator can find it in the raw message. */
function withTag(error: InvalidEventError, location: string): InvalidEventError {
  const tag = FIELD_TAGS[error.field];
  if (tag === undefined) return error;
  return new InvalidEvent(error.field, error.value, `${error.reason} (FIX tag ${tag})`, location);
}

const FIELD_TAGS: Record<string, string> = {
  ts: '60/52',
  instrument: '55',
  orderId: '11/37/41',
  account: '1 or 448/452',
  side: '54',
  price: '44/31/270',
  qty: '38/32/271/151',
  type: '40',
  tradeId: '880/17/571',
  aggressor: '54/851/1057',
  bid: '270',
  ask: '270',
  bidQty: '271',
  askQty: '271',
};
