/**
 * The wire format of partition batches on JetStream: many routed operations packed into
 * one message, because the Node client's acked publish tops out near 25k messages/s while
 * the engine handles millions of events/s.
 *
 * A message is compact UTF-8 JSON: `{"v":1,"p":partition,"b":batch,"ops":[...]}` where each
 * operation is
 * - an event object — an event at the stream clock `now = event.ts` (the usual case);
 * - `[event, now]` — an event that arrived when the stream clock was already at `now`;
 * - a number `now` — the stream's clock crossed a tick boundary through another partition;
 * - `{"a": ts}` — the clock was advanced without an event (heartbeat, end of stream).
 *
 * Decoding validates every event with the same rules as every other edge: an invalid event
 * is reported with its index and skipped; a message that is not a batch at all is an error.
 *
 * @module
 */
import type { InvalidEventError } from '../../core/errors';
import type { MarketEvent } from '../../core/events';
import { validateEvent } from '../../core/validate';
import type { PartitionOp } from '../../scale/partition-router';

/** Format version written in every batch. */
export const BATCH_FORMAT_VERSION = 1;

/** A message that is not a partition batch (not JSON, wrong version, wrong shape). */
export class BatchDecodeError extends Error {
  constructor(
    readonly field: string,
    readonly value: unknown,
    readonly reason: string,
  ) {
    super(`undecodable partition batch: ${field}: ${reason}`);
    this.name = 'BatchDecodeError';
  }
}

/** A decoded batch. */
export interface DecodedBatch {
  partition: number;
  batch: number;
  ops: PartitionOp[];
  /** Events that failed validation, skipped (their clock still applies). */
  invalid: InvalidEventError[];
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** Encodes operations of one partition as one message body. */
export function encodeBatch(partition: number, batch: number, ops: readonly PartitionOp[]): Uint8Array {
  const wire: unknown[] = new Array(ops.length);
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i] as PartitionOp;
    switch (op.kind) {
      case 'event':
        wire[i] = op.now === op.event.ts ? op.event : [op.event, op.now];
        break;
      case 'clock':
        wire[i] = op.now;
        break;
      case 'advance':
        wire[i] = { a: op.ts };
        break;
    }
  }
  return encoder.encode(JSON.stringify({ v: BATCH_FORMAT_VERSION, p: partition, b: batch, ops: wire }));
}

/**
 * Decodes a message body.
 *
 * @throws {@link BatchDecodeError} when the body is not a batch of this format
 */
export function decodeBatch(data: Uint8Array, location = 'batch'): DecodedBatch {
  let text: string;
  try {
    text = decoder.decode(data);
  } catch {
    throw new BatchDecodeError('(body)', `${data.length} bytes`, 'not UTF-8');
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new BatchDecodeError('(body)', text.slice(0, 80), `not JSON (${(error as Error).message})`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new BatchDecodeError('(body)', raw, 'expected a JSON object');
  }
  const body = raw as { v?: unknown; p?: unknown; b?: unknown; ops?: unknown };
  if (body.v !== BATCH_FORMAT_VERSION) {
    throw new BatchDecodeError('v', body.v, `expected format version ${BATCH_FORMAT_VERSION}`);
  }
  if (!isNonNegativeInteger(body.p)) throw new BatchDecodeError('p', body.p, 'expected a partition number');
  if (!isNonNegativeInteger(body.b)) throw new BatchDecodeError('b', body.b, 'expected a batch number');
  if (!Array.isArray(body.ops)) throw new BatchDecodeError('ops', body.ops, 'expected an array');
  const ops: PartitionOp[] = [];
  const invalid: InvalidEventError[] = [];
  const wire = body.ops as unknown[];
  for (let i = 0; i < wire.length; i++) {
    const item = wire[i];
    const where = `${location}.ops[${i}]`;
    if (typeof item === 'number') {
      if (!Number.isFinite(item))
        throw new BatchDecodeError(`ops[${i}]`, item, 'expected a finite clock time');
      ops.push({ kind: 'clock', now: item });
    } else if (Array.isArray(item)) {
      const now = item[1];
      if (item.length !== 2 || typeof now !== 'number' || !Number.isFinite(now)) {
        throw new BatchDecodeError(`ops[${i}]`, item, 'expected [event, now]');
      }
      const r = validateEvent(item[0], where);
      if (r.ok) ops.push({ kind: 'event', event: r.event, now: Math.max(now, r.event.ts) });
      else {
        invalid.push(...r.errors);
        ops.push({ kind: 'clock', now });
      }
    } else if (typeof item === 'object' && item !== null && 'a' in item && !('kind' in item)) {
      const ts = (item as { a: unknown }).a;
      if (typeof ts !== 'number' || !Number.isFinite(ts)) {
        throw new BatchDecodeError(`ops[${i}].a`, ts, 'expected a finite time');
      }
      ops.push({ kind: 'advance', ts });
    } else {
      const r = validateEvent(item, where);
      if (r.ok) ops.push({ kind: 'event', event: r.event as MarketEvent, now: r.event.ts });
      else {
        invalid.push(...r.errors);
        // The stream clock the bad event carried still applies, so windows close on time.
        const ts = (item as { ts?: unknown } | null)?.ts;
        if (typeof ts === 'number' && Number.isFinite(ts)) ops.push({ kind: 'clock', now: ts });
      }
    }
  }
  return { partition: body.p, batch: body.b, ops, invalid };
}

function isNonNegativeInteger(x: unknown): x is number {
  return typeof x === 'number' && Number.isInteger(x) && x >= 0;
}
