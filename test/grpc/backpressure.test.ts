import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MarketEvent } from '../../src/core/events';
import { createEngine } from '../../src/engine/engine';
import { connect } from '../../src/grpc/client';
import { TapewatchServiceClient } from '../../src/grpc/gen/tapewatch/v1/service';
import { type GrpcServerHandle, startGrpcServer } from '../../src/grpc/server';
import { TapewatchApp } from '../../src/service/app';
import { TokenAuthenticator } from '../../src/service/auth';
import { aTrade, at } from '../stubs';

function trades(n: number, from = 0): MarketEvent[] {
  return Array.from({ length: n }, (_, i) =>
    aTrade({ ts: at((from + i) / 1000), tradeId: `t${from + i}`, qty: 1 }),
  );
}

describe('gRPC backpressure', () => {
  let app: TapewatchApp;
  let server: GrpcServerHandle;

  beforeAll(async () => {
    app = new TapewatchApp({ engine: createEngine() });
    server = await startGrpcServer({
      app,
      auth: new TokenAuthenticator([]),
      port: 0,
      subscriberCapacity: 100,
    });
  });

  afterAll(async () => {
    app.close();
    await server.close();
  });

  it('does not stall ingestion when a subscriber never reads; its buffer drops the oldest', async () => {
    const raw = new TapewatchServiceClient(`127.0.0.1:${server.port}`, grpc.credentials.createInsecure());
    const stalled = raw.subscribeTrades({ instruments: [], venues: [], typologies: [] });
    stalled.on('error', () => {}); // cancelled at the end
    stalled.pause(); // never read: HTTP/2 flow control pushes back on the server's writes
    await new Promise((r) => setTimeout(r, 200));
    const client = connect(`127.0.0.1:${server.port}`);
    const summary = await client.ingest(trades(60_000), { source: 'bp', batchSize: 2_000 });
    expect(summary.accepted).toBe(60_000);
    const status = await client.status();
    expect(status.events).toBe(60_000);
    expect(status.subscriberDrops).toBeGreaterThan(0);
    // A reader that keeps up alongside is unaffected.
    const live = client.trades();
    await new Promise((r) => setTimeout(r, 200));
    await client.ingest(trades(10, 60_000), { source: 'bp', firstSequence: 1_000 });
    const first = await live.next();
    expect(first.value).toMatchObject({ tradeId: 't60000' });
    await live.return?.();
    stalled.cancel();
    client.close();
    raw.close();
  });

  it('pauses an SDK iterator that is read slowly, so the server drops instead of the client buffering', async () => {
    const client = connect(`127.0.0.1:${server.port}`);
    const slow = client.trades();
    const first = slow.next(); // subscribe, then read nothing for a while
    await new Promise((r) => setTimeout(r, 200));
    const dropsBefore = (await client.status()).subscriberDrops;
    await client.ingest(trades(60_000, 100_000), { source: 'bp-sdk', batchSize: 2_000 });
    await first;
    const status = await client.status();
    expect(status.subscriberDrops - dropsBefore).toBeGreaterThan(0);
    // What the slow reader still gets is bounded: its client queue plus what the flow-control
    // windows and the server's 100-item buffer held, far less than the 60,000 published.
    let received = 1;
    for (;;) {
      const r = await Promise.race([
        slow.next(),
        new Promise<'idle'>((res) => setTimeout(() => res('idle'), 300)),
      ]);
      if (r === 'idle' || r.done) break;
      received++;
    }
    expect(received).toBeLessThan(30_000);
    await slow.return?.();
    client.close();
  });
});

describe('gRPC roles and TLS', () => {
  const grants = [
    { token: 'viewer-token-0123456789', role: 'viewer' as const, name: 'v' },
    { token: 'analyst-token-0123456789', role: 'analyst' as const, name: 'a' },
    { token: 'admin-token-0123456789', role: 'admin' as const, name: 'd' },
  ];
  let app: TapewatchApp;
  let server: GrpcServerHandle;
  let caPath: string;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tw-tls-'));
    caPath = join(dir, 'cert.pem');
    const keyPath = join(dir, 'key.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        keyPath,
        '-out',
        caPath,
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost,IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    app = new TapewatchApp({ engine: createEngine() });
    server = await startGrpcServer({
      app,
      auth: new TokenAuthenticator(grants),
      port: 0,
      tls: { keyPath, certPath: caPath },
    });
  });

  afterAll(async () => {
    app.close();
    await server.close();
  });

  const methods: {
    name: string;
    needs: 'viewer' | 'admin';
    call(c: ReturnType<typeof connect>): Promise<unknown>;
  }[] = [
    { name: 'Status', needs: 'viewer', call: (c) => c.status() },
    {
      name: 'SubscribeSignals',
      needs: 'viewer',
      call: (c) =>
        c
          .signals()
          .next()
          .then(() => undefined),
    },
    {
      name: 'SubscribeTrades',
      needs: 'viewer',
      call: (c) =>
        c
          .trades()
          .next()
          .then(() => undefined),
    },
    {
      name: 'Ingest',
      needs: 'admin',
      call: (c) => c.ingest([aTrade()], { source: `roles-${Math.random()}` }),
    },
  ];
  const callers = [
    { who: 'anonymous', token: undefined, rank: -1 },
    { who: 'viewer', token: grants[0]?.token, rank: 0 },
    { who: 'analyst', token: grants[1]?.token, rank: 1 },
    { who: 'admin', token: grants[2]?.token, rank: 2 },
  ];
  const rank = { viewer: 0, analyst: 1, admin: 2 };

  for (const m of methods) {
    for (const caller of callers) {
      const allowed = caller.rank >= rank[m.needs];
      it(`${m.name} as ${caller.who} over TLS: ${allowed ? 'allowed' : 'refused'}`, async () => {
        const client = connect(`grpcs://localhost:${server.port}`, {
          tls: { caPath },
          ...(caller.token === undefined ? {} : { token: caller.token }),
        });
        try {
          if (m.name.startsWith('Subscribe') && allowed) {
            // An allowed subscription stays open; check it is not refused within a moment.
            const outcome = await Promise.race([
              m.call(client).then(
                () => 'ended',
                (e: grpc.ServiceError) => `error ${e.code}`,
              ),
              new Promise((r) => setTimeout(() => r('open'), 300)),
            ]);
            expect(outcome).toBe('open');
          } else if (allowed) {
            await expect(m.call(client)).resolves.toBeDefined();
          } else {
            await expect(m.call(client)).rejects.toMatchObject({
              code: caller.token === undefined ? grpc.status.UNAUTHENTICATED : grpc.status.PERMISSION_DENIED,
            });
          }
        } finally {
          client.close();
        }
      });
    }
  }

  it('refuses a plaintext client on the TLS port', async () => {
    const client = connect(`127.0.0.1:${server.port}`, { token: grants[2]?.token as string });
    await expect(client.status()).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
    client.close();
  });
});
