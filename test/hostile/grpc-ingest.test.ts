/**
 * Hostile bytes on the gRPC Ingest stream: every bad event becomes one error in its ack,
 * the valid events of the same batch are processed, counters move, and the stream (and the
 * server) stay up for the next batch.
 */
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engine/engine';
import { Event, EventBatch, IngestAck, Side } from '../../src/grpc/gen/tapewatch/v1/events';
import { type GrpcServerHandle, startGrpcServer } from '../../src/grpc/server';
import { TapewatchApp } from '../../src/service/app';
import { TokenAuthenticator } from '../../src/service/auth';
import { at } from '../stubs';

const TOKENS = [{ token: 'admin-token-0123456789', role: 'admin' as const, name: 'adam' }];

function trade(overrides: Partial<Event> = {}, price = 100): Event {
  return Event.fromPartial({
    ts: at(1),
    venue: 'testex',
    instrument: 'BTC-USDT',
    trade: { tradeId: 't', price, qty: 1, aggressor: Side.SIDE_BUY },
    ...overrides,
  });
}

function encode(e: Event): Uint8Array {
  return Event.encode(e).finish();
}

/** Replaces the first occurrence of `find` in `bytes`. */
function patch(bytes: Uint8Array, find: string, replacement: number[]): Uint8Array {
  const needle = Buffer.from(find);
  const at = Buffer.from(bytes).indexOf(needle);
  if (at < 0) throw new Error(`'${find}' not in the encoding`);
  const out = Uint8Array.from(bytes);
  out.set(replacement, at);
  return out;
}

/** An EventBatch envelope around already-encoded events (some of them broken on purpose). */
function batchBytes(source: string, sequence: number, events: Uint8Array[]): Buffer {
  const head = EventBatch.encode({ source, sequence, events: [] }).finish();
  const parts: Uint8Array[] = [head];
  for (const e of events) {
    parts.push(Uint8Array.of(0x1a), varint(e.length), e);
  }
  return Buffer.concat(parts);
}

function varint(n: number): Uint8Array {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return Uint8Array.from(out);
}

describe('gRPC Ingest under hostile input', () => {
  let app: TapewatchApp;
  let server: GrpcServerHandle;
  let client: grpc.Client;

  beforeAll(async () => {
    app = new TapewatchApp({ engine: createEngine(), maxBatchEvents: 1_000 });
    server = await startGrpcServer({ app, auth: new TokenAuthenticator(TOKENS), port: 0 });
    client = new grpc.Client(`127.0.0.1:${server.port}`, grpc.credentials.createInsecure());
  });
  afterAll(async () => {
    client.close();
    app.close();
    await server.close();
  });

  /** Sends raw batches on one Ingest stream and collects the acks. */
  async function send(batches: Buffer[]): Promise<IngestAck[]> {
    const md = new grpc.Metadata();
    md.set('authorization', `Bearer ${TOKENS[0]?.token}`);
    const call = client.makeBidiStreamRequest(
      '/tapewatch.v1.TapewatchService/Ingest',
      (b: Buffer) => b,
      (b: Buffer) => IngestAck.decode(b),
      md,
    );
    const acks: IngestAck[] = [];
    call.on('data', (a: IngestAck) => acks.push(a));
    const done = new Promise<void>((resolve, reject) => {
      call.on('end', resolve);
      call.on('error', reject);
    });
    for (const b of batches) call.write(b);
    call.end();
    await done;
    return acks;
  }

  const good = encode(trade());
  const cases: { name: string; bytes: Uint8Array; field: string; reason?: RegExp }[] = [
    { name: 'NaN price', bytes: encode(trade({}, Number.NaN)), field: 'price' },
    { name: 'infinite price', bytes: encode(trade({}, Number.POSITIVE_INFINITY)), field: 'price' },
    { name: 'negative ts', bytes: encode(trade({ ts: -1 })), field: 'ts' },
    {
      name: 'unknown enum value',
      bytes: encode(
        Event.fromPartial({
          ts: at(1),
          venue: 'testex',
          instrument: 'BTC-USDT',
          trade: { tradeId: 't', price: 1, qty: 1, aggressor: 7 as Side },
        }),
      ),
      field: 'aggressor',
    },
    {
      name: '1 MB instrument',
      bytes: encode(trade({ instrument: 'x'.repeat(1 << 20) })),
      field: 'instrument',
    },
    {
      name: 'ts beyond 2^53',
      // int64 field 1 = 2^60 as a varint.
      bytes: Uint8Array.from([0x08, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10]),
      field: '(event)',
      reason: /undecodable protobuf/,
    },
    {
      name: 'truncated event',
      bytes: good.subarray(0, good.length - 3),
      field: '(event)',
      reason: /undecodable protobuf/,
    },
    {
      name: 'invalid UTF-8 instrument',
      bytes: patch(encode(trade({ instrument: 'ZZZZ' })), 'ZZZZ', [0xff, 0xfe, 0xc3, 0x28]),
      field: '(event)',
      reason: /not valid UTF-8/,
    },
    {
      name: 'no body',
      bytes: encode(Event.fromPartial({ ts: at(1), venue: 'v', instrument: 'i' })),
      field: 'kind',
    },
  ];

  it.each(cases)('rejects $name naming $field and keeps the batch and the stream', async (c) => {
    const before = app.status();
    const source = `hostile-${c.name}`;
    const acks = await send([batchBytes(source, 1, [good, c.bytes, good]), batchBytes(source, 2, [good])]);
    expect(acks).toHaveLength(2);
    expect(acks[0]).toMatchObject({ accepted: 2, rejected: 1 });
    expect(acks[0]?.errors[0]).toMatchObject({ index: 1, field: c.field });
    if (c.reason !== undefined) expect(acks[0]?.errors[0]?.reason).toMatch(c.reason);
    expect(acks[1]).toMatchObject({ accepted: 1, rejected: 0 });
    const after = app.status();
    expect(after.events - before.events).toBe(3);
    expect(after.sources.find((s) => s.source === source)).toMatchObject({ accepted: 3, rejected: 1 });
  });

  it('reports a truncated envelope and keeps the events before the break', async () => {
    const whole = batchBytes('cut-envelope', 1, [good, good]);
    const acks = await send([whole.subarray(0, whole.length - 5), batchBytes('cut-envelope', 2, [good])]);
    expect(acks[0]).toMatchObject({ accepted: 1 });
    expect(acks[0]?.errors.at(-1)).toMatchObject({ field: '(batch)' });
    expect(acks[1]).toMatchObject({ accepted: 1, rejected: 0 });
  });

  it('acknowledges a replayed batch as a duplicate without processing it again', async () => {
    const before = app.status().events;
    const b = batchBytes('replayer', 7, [good, good]);
    const acks = await send([b, b, b]);
    expect(acks.map((a) => a.duplicate)).toEqual([false, true, true]);
    expect(app.status().events - before).toBe(2);
  });

  it('rejects an oversized batch whole, and one without a source, with reasons', async () => {
    const acks = await send([
      batchBytes(
        'big',
        1,
        Array.from({ length: 1_001 }, () => good),
      ),
      batchBytes('', 1, [good]),
      batchBytes('after', 1, [good]),
    ]);
    expect(acks[0]?.errors[0]).toMatchObject({ field: 'events' });
    expect(acks[0]?.errors[0]?.reason).toMatch(/more than 1000/);
    expect(acks[1]?.errors[0]).toMatchObject({ field: 'source' });
    expect(acks[2]).toMatchObject({ accepted: 1 });
  });

  it('survives random garbage as whole messages', async () => {
    const garbage = Array.from({ length: 20 }, (_, i) =>
      Buffer.from(Array.from({ length: 40 + i }, (_, j) => (j * 97 + i * 31) & 0xff)),
    );
    const acks = await send([...garbage, batchBytes('after-garbage', 1, [good])]);
    expect(acks).toHaveLength(21);
    expect(acks.at(-1)).toMatchObject({ source: 'after-garbage', accepted: 1 });
    // The server still answers new calls.
    const again = await send([batchBytes('after-garbage', 2, [good])]);
    expect(again[0]).toMatchObject({ accepted: 1 });
  });
});
