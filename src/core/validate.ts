/**
 * Validation at the edges: raw input (parsed JSON, decoded protobuf, mapped FIX fields)
 * becomes a typed {@link MarketEvent} or a list of {@link InvalidEventError}s naming every
 * bad field. Nothing here throws on bad input.
 *
 * @module
 */
import type { z } from 'zod';
import { InvalidEventError } from './errors';
import {
  EVENT_KINDS,
  EVENT_SCHEMAS,
  type EventKind,
  MAX_ID_LENGTH,
  MAX_MAGNITUDE,
  type MarketEvent,
  type OrderCancel,
  type OrderNew,
  type OrderReplace,
  type Quote,
  type Side,
  type Trade,
} from './events';

/** Result of {@link validateEvent}. */
export type ValidationResult = { ok: true; event: MarketEvent } | { ok: false; errors: InvalidEventError[] };

const KIND_SET: ReadonlySet<string> = new Set(EVENT_KINDS);

/**
 * Validates one raw event against the schema of its kind.
 *
 * Unknown fields are dropped (feeds add their own; simulator labels must never reach the
 * engine). Every invalid field is reported, not just the first.
 *
 * @param raw - anything: a parsed JSON value, a decoded message
 * @param location - where it came from, copied into each error (`trades.jsonl:12`)
 * @example
 * ```ts
 * const r = validateEvent(JSON.parse(line), `${file}:${lineNo}`);
 * if (r.ok) engine.process(r.event);
 * else for (const err of r.errors) stats.reject('file', err);
 * ```
 */
export function validateEvent(raw: unknown, location?: string): ValidationResult {
  const fast = tryParseEvent(raw);
  if (fast !== undefined) return { ok: true, event: fast };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return {
      ok: false,
      errors: [new InvalidEventError('(event)', raw, 'expected a JSON object', location)],
    };
  }
  const kind = (raw as { kind?: unknown }).kind;
  if (typeof kind !== 'string' || !KIND_SET.has(kind)) {
    return {
      ok: false,
      errors: [
        new InvalidEventError(
          'kind',
          kind,
          `unknown event kind; expected one of ${EVENT_KINDS.join(', ')}`,
          location,
        ),
      ],
    };
  }
  const schema = EVENT_SCHEMAS[kind as EventKind] as z.ZodType<MarketEvent>;
  const parsed = schema.safeParse(raw);
  if (parsed.success) return { ok: true, event: parsed.data };
  const errors: InvalidEventError[] = [];
  for (const issue of parsed.error.issues) {
    const value = valueAt(raw, issue.path);
    const field = issue.path.map(String).join('.') || '(event)';
    errors.push(new InvalidEventError(field, value, reasonOf(issue, value), location));
  }
  return { ok: false, errors };
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let value: unknown = raw;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number' && Number.isNaN(value)) return 'NaN';
  return typeof value;
}

/** Turns a zod issue into a reason that says what was expected. */
function reasonOf(issue: z.core.$ZodIssue, value: unknown): string {
  switch (issue.code) {
    case 'invalid_type': {
      const received = typeName(value);
      if (value === undefined) return `required field is missing (expected ${issue.expected})`;
      if (issue.expected === 'int') return 'expected an integer';
      return `expected ${issue.expected}, received ${received}`;
    }
    case 'too_small':
      if (issue.origin === 'string') return 'must not be empty';
      return `expected a number ${issue.inclusive ? '>=' : '>'} ${String(issue.minimum)}`;
    case 'too_big':
      if (issue.origin === 'string') return `longer than ${String(issue.maximum)} characters`;
      if (issue.origin === 'int' || issue.maximum === Number.MAX_SAFE_INTEGER) {
        return 'beyond the largest safe integer';
      }
      return `expected a number ${issue.inclusive ? '<=' : '<'} ${String(issue.maximum)}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    default:
      return issue.message;
  }
}

// ---------------------------------------------------------------------------------------
// Fast path. Accepts exactly what the zod schemas accept (a property test holds the two
// together) and builds the same object, without zod's per-field machinery: replaying
// files and ingesting batches spends most of its time here. Anything it does not accept
// goes through `validateEvent` for the field-by-field errors.
// ---------------------------------------------------------------------------------------

function isId(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0 && v.length <= MAX_ID_LENGTH;
}
function isTimestamp(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}
function isPositive(v: unknown): v is number {
  return typeof v === 'number' && v > 0 && v <= MAX_MAGNITUDE;
}
function isNonNegative(v: unknown): v is number {
  return typeof v === 'number' && v >= 0 && v <= MAX_MAGNITUDE;
}
function isSide(v: unknown): v is Side {
  return v === 'buy' || v === 'sell';
}
/** An optional field: absent is fine, present must pass `check` (present-but-undefined fails, as in zod). */
function optionalOk(raw: Record<string, unknown>, key: string, check: (v: unknown) => boolean): boolean {
  const v = raw[key];
  return v === undefined ? !(key in raw) : check(v);
}

/**
 * The event when `raw` is valid, else undefined (then {@link validateEvent} says why).
 * Same acceptance and same output as the zod schemas, several times faster.
 */
export function tryParseEvent(raw: unknown): MarketEvent | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  const r = raw as Record<string, unknown>;
  const { ts, venue, instrument } = r;
  if (!isTimestamp(ts) || !isId(venue) || !isId(instrument) || !optionalOk(r, 'seq', isTimestamp)) {
    return undefined;
  }
  // Fields are assigned in the schema's key order so the output is identical to zod's.
  const seq = r.seq as number | undefined;
  switch (r.kind) {
    case 'order_new': {
      const { orderId, account, side, price, qty, type } = r;
      if (!isId(orderId) || !isId(account) || !isSide(side) || !isNonNegative(price) || !isPositive(qty)) {
        return undefined;
      }
      if (type !== 'limit' && type !== 'market') return undefined;
      if (type === 'limit' && price === 0) return undefined;
      const e = head('order_new', ts, venue, instrument, seq) as OrderNew;
      e.orderId = orderId;
      e.account = account;
      e.side = side;
      e.price = price;
      e.qty = qty;
      e.type = type;
      return e;
    }
    case 'order_cancel': {
      const { orderId, account } = r;
      if (!isId(orderId) || !isId(account)) return undefined;
      const e = head('order_cancel', ts, venue, instrument, seq) as OrderCancel;
      e.orderId = orderId;
      e.account = account;
      return e;
    }
    case 'order_replace': {
      const { orderId, account, price, qty } = r;
      if (!isId(orderId) || !isId(account) || !isPositive(price) || !isPositive(qty)) return undefined;
      const e = head('order_replace', ts, venue, instrument, seq) as OrderReplace;
      e.orderId = orderId;
      e.account = account;
      e.price = price;
      e.qty = qty;
      return e;
    }
    case 'trade': {
      const { tradeId, price, qty, aggressor } = r;
      if (!isId(tradeId) || !isPositive(price) || !isPositive(qty) || !isSide(aggressor)) return undefined;
      if (
        !optionalOk(r, 'buyAccount', isId) ||
        !optionalOk(r, 'sellAccount', isId) ||
        !optionalOk(r, 'buyOrderId', isId) ||
        !optionalOk(r, 'sellOrderId', isId) ||
        !optionalOk(r, 'txHash', isId) ||
        !optionalOk(r, 'block', isTimestamp) ||
        !optionalOk(r, 'logIndex', isTimestamp)
      ) {
        return undefined;
      }
      const e = head('trade', ts, venue, instrument, seq) as Trade;
      e.tradeId = tradeId;
      e.price = price;
      e.qty = qty;
      e.aggressor = aggressor;
      if (r.buyAccount !== undefined) e.buyAccount = r.buyAccount as string;
      if (r.sellAccount !== undefined) e.sellAccount = r.sellAccount as string;
      if (r.buyOrderId !== undefined) e.buyOrderId = r.buyOrderId as string;
      if (r.sellOrderId !== undefined) e.sellOrderId = r.sellOrderId as string;
      if (r.txHash !== undefined) e.txHash = r.txHash as string;
      if (r.block !== undefined) e.block = r.block as number;
      if (r.logIndex !== undefined) e.logIndex = r.logIndex as number;
      return e;
    }
    case 'quote': {
      const { bid, bidQty, ask, askQty } = r;
      if (!isPositive(bid) || !isNonNegative(bidQty) || !isPositive(ask) || !isNonNegative(askQty)) {
        return undefined;
      }
      if (bid > ask) return undefined;
      const e = head('quote', ts, venue, instrument, seq) as Quote;
      e.bid = bid;
      e.bidQty = bidQty;
      e.ask = ask;
      e.askQty = askQty;
      return e;
    }
    default:
      return undefined;
  }
}

/** The fields every event starts with, `seq` only when present. */
function head(kind: EventKind, ts: number, venue: string, instrument: string, seq: number | undefined) {
  const e: { kind: EventKind; ts: number; venue: string; instrument: string; seq?: number } = {
    kind,
    ts,
    venue,
    instrument,
  };
  if (seq !== undefined) e.seq = seq;
  return e;
}
