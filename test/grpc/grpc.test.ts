import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventRef, type MarketEvent } from '../../src/core/events';
import type { Detector } from '../../src/engine/detector';
import { createEngine } from '../../src/engine/engine';
import { connect, type TapewatchClient } from '../../src/grpc/client';
import { Event, EventBatch } from '../../src/grpc/gen/tapewatch/v1/events';
import { TapewatchServiceClient } from '../../src/grpc/gen/tapewatch/v1/service';
import { type GrpcServerHandle, startGrpcServer } from '../../src/grpc/server';
import { TapewatchApp } from '../../src/service/app';
import { TokenAuthenticator } from '../../src/service/auth';
import { anOrder, aTrade, at } from '../stubs';

/** Flags every trade of 50 or more as a test signal. */
const bigTrades: Detector = {
  id: 'big-trades',
  version: '1',
  onEvent(e, ctx) {
    if (e.kind !== 'trade' || e.qty < 50) return;
    ctx.emit({
      typology: 'spoofing',
      venue: e.venue,
      instrument: e.instrument,
      accounts: e.buyAccount === undefined ? [] : [e.buyAccount],
      window: { start: e.ts, end: e.ts },
      score: 0.9,
      severity: 'high',
      metrics: { qty: e.qty },
      evidence: [eventRef(e)],
      explanation: `A trade of ${e.qty}.`,
    });
  },
  reset() {},
};

const TOKENS = [
  { token: 'view-token', role: 'viewer' as const, name: 'vera' },
  { token: 'analyst-token', role: 'analyst' as const, name: 'ana' },
  { token: 'admin-token', role: 'admin' as const, name: 'adam' },
];

describe('gRPC service', () => {
  let app: TapewatchApp;
  let server: GrpcServerHandle;
  let admin: TapewatchClient;
  let url: string;

  beforeAll(async () => {
    app = new TapewatchApp({ engine: createEngine({ detectors: [bigTrades] }), version: '9.9.9' });
    server = await startGrpcServer({ app, auth: new TokenAuthenticator(TOKENS), port: 0 });
    url = `127.0.0.1:${server.port}`;
    admin = connect(url, { token: 'admin-token' });
  });

  afterAll(async () => {
    admin.close();
    app.close();
    await server.close();
  });

  it('ingests batches, streams signals to subscribers and reports status', async () => {
    const viewer = connect(url, { token: 'view-token' });
    const signals = viewer.signals({ typologies: ['spoofing'] });
    await new Promise((r) => setTimeout(r, 100));
    const events: MarketEvent[] = [
      anOrder({ orderId: 'a', ts: at(0) }),
      aTrade({ ts: at(1), qty: 10, buyAccount: 'x' }),
      aTrade({ ts: at(2), qty: 60, buyAccount: 'whale' }),
    ];
    const summary = await admin.ingest(events, { source: 'feed-1', batchSize: 2 });
    expect(summary).toMatchObject({ batches: 2, accepted: 3, rejected: 0, duplicates: 0 });
    const first = await signals.next();
    expect(first.value).toMatchObject({ accounts: ['whale'], score: 0.9, metrics: { qty: 60 } });
    const status = await viewer.status();
    expect(status).toMatchObject({ version: '9.9.9', events: 3, signals: 1 });
    expect(status.sources).toContainEqual({
      source: 'feed-1',
      accepted: 3,
      rejected: 0,
      duplicateBatches: 0,
    });
    await signals.return?.();
    viewer.close();
  });

  it('recognises a resent batch and does not process it twice', async () => {
    const raw = new TapewatchServiceClient(url, grpc.credentials.createInsecure());
    const md = new grpc.Metadata();
    md.set('authorization', 'Bearer admin-token');
    const call = raw.ingest(md);
    const acks: { sequence: number; duplicate: boolean; accepted: number }[] = [];
    call.on('data', (a) => acks.push(a));
    const batch = EventBatch.fromPartial({
      source: 'dup-src',
      sequence: 1,
      events: [
        Event.fromPartial({
          ts: at(3),
          venue: 'testex',
          instrument: 'DUP',
          quote: { bid: 1, bidQty: 1, ask: 2, askQty: 1 },
        }),
      ],
    });
    const before = (await admin.status()).events;
    call.write(batch);
    call.write(batch);
    call.end();
    await new Promise((r) => call.on('end', r));
    expect(acks).toEqual([
      expect.objectContaining({ sequence: 1, duplicate: false, accepted: 1 }),
      expect.objectContaining({ sequence: 1, duplicate: true, accepted: 0 }),
    ]);
    expect((await admin.status()).events).toBe(before + 1);
    raw.close();
  });

  it('rejects bad events with their index and keeps the rest of the batch and the stream', async () => {
    const raw = new TapewatchServiceClient(url, grpc.credentials.createInsecure());
    const md = new grpc.Metadata();
    md.set('authorization', 'Bearer admin-token');
    const call = raw.ingest(md);
    const acks: EventBatch[] = [];
    call.on('data', (a) => acks.push(a));
    const good = Event.fromPartial({
      ts: at(4),
      venue: 'testex',
      instrument: 'BAD',
      quote: { bid: 1, bidQty: 1, ask: 2, askQty: 1 },
    });
    const negative = Event.fromPartial({
      ts: at(4),
      venue: 'testex',
      instrument: 'BAD',
      quote: { bid: -1, bidQty: 1, ask: 2, askQty: 1 },
    });
    const noBody = Event.fromPartial({ ts: at(4), venue: 'testex', instrument: 'BAD' });
    call.write(
      EventBatch.fromPartial({ source: 'bad-src', sequence: 1, events: [good, negative, noBody, good] }),
    );
    call.write(EventBatch.fromPartial({ source: 'bad-src', sequence: 2, events: [good] }));
    call.end();
    await new Promise((r) => call.on('end', r));
    expect(acks).toHaveLength(2);
    expect(acks[0]).toMatchObject({ accepted: 2, rejected: 2 });
    expect((acks[0] as unknown as { errors: { index: number; field: string }[] }).errors).toEqual([
      expect.objectContaining({ index: 1, field: 'bid' }),
      expect.objectContaining({ index: 2, field: 'kind' }),
    ]);
    expect(acks[1]).toMatchObject({ accepted: 1, rejected: 0 });
    raw.close();
  });

  it('refuses missing, unknown and under-privileged tokens with clear statuses', async () => {
    const anonymous = connect(url);
    await expect(anonymous.status()).rejects.toMatchObject({ code: grpc.status.UNAUTHENTICATED });
    const wrong = connect(url, { token: 'nope' });
    await expect(wrong.status()).rejects.toMatchObject({
      code: grpc.status.UNAUTHENTICATED,
      details: 'unknown bearer token',
    });
    const viewer = connect(url, { token: 'view-token' });
    await expect(viewer.ingest([aTrade({ ts: at(5) })], { source: 'v' })).rejects.toMatchObject({
      code: grpc.status.PERMISSION_DENIED,
    });
    anonymous.close();
    wrong.close();
    viewer.close();
  });

  it('answers the standard health check', async () => {
    const { HealthClient } = await import('../../src/grpc/gen/grpc/health/v1/health');
    const health = new HealthClient(url, grpc.credentials.createInsecure());
    const response = await new Promise((resolve, reject) =>
      health.check({ service: 'tapewatch.v1.TapewatchService' }, (e, r) => (e ? reject(e) : resolve(r))),
    );
    expect(response).toEqual({ status: 1 });
    health.close();
  });
});
