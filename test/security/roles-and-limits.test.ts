/**
 * Every gRPC method and every HTTP route, called by every role: the role table below is the
 * contract, and a method or route missing from it fails the test, so nothing new ships
 * unguarded. Plus the per-caller rate limit on both surfaces.
 */
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engine/engine';
import { TapewatchServiceService } from '../../src/grpc/gen/tapewatch/v1/service';
import { type GrpcServerHandle, startGrpcServer } from '../../src/grpc/server';
import { createGateway, type HttpServerHandle, startHttpServer } from '../../src/http/gateway';
import { TapewatchApp } from '../../src/service/app';
import { type Role, TokenAuthenticator } from '../../src/service/auth';
import { RateLimiter } from '../../src/service/rate-limit';

const GRANTS = [
  { token: 'viewer-secret-token-01', role: 'viewer' as const, name: 'vera' },
  { token: 'analyst-secret-token-01', role: 'analyst' as const, name: 'ana' },
  { token: 'admin-secret-token-0001', role: 'admin' as const, name: 'adam' },
];
const RANK: Record<Role, number> = { viewer: 0, analyst: 1, admin: 2 };
const CALLERS: { who: string; token?: string; rank: number }[] = [
  { who: 'anonymous', rank: -1 },
  ...GRANTS.map((g) => ({ who: g.role, token: g.token, rank: RANK[g.role] })),
];

/** The least role each gRPC method needs. */
const GRPC_ROLES: Record<string, Role> = {
  Ingest: 'admin',
  SubscribeTrades: 'viewer',
  SubscribeSignals: 'viewer',
  SubscribeCases: 'viewer',
  SubscribeNarrative: 'viewer',
  Status: 'viewer',
  InjectScenario: 'admin',
  Reset: 'admin',
  ControlSimulation: 'admin',
  ListCases: 'viewer',
  GetCase: 'viewer',
  CaseReport: 'viewer',
  TransitionCase: 'analyst',
  AssignCase: 'analyst',
  CommentCase: 'analyst',
};

/** The least role each HTTP route needs (`METHOD path` as registered). */
const HTTP_ROLES: Record<string, Role | 'public'> = {
  'GET /healthz': 'public',
  'GET /metrics': 'viewer',
  'GET /api/status': 'viewer',
  'POST /api/ingest': 'admin',
  'GET /api/stream/trades': 'viewer',
  'GET /api/stream/signals': 'viewer',
  'GET /api/stream/narrative': 'viewer',
  'GET /api/stream/cases': 'viewer',
  'GET /api/narrative/states': 'viewer',
  'GET /api/cases': 'viewer',
  'GET /api/cases/:id': 'viewer',
  'GET /api/cases/:id/report': 'viewer',
  'POST /api/cases/:id/transition': 'analyst',
  'POST /api/cases/:id/assign': 'analyst',
  'POST /api/cases/:id/comment': 'analyst',
  'POST /api/sim/inject': 'admin',
  'POST /api/sim/reset': 'admin',
  'POST /api/sim/play': 'admin',
  'POST /api/sim/pause': 'admin',
  'POST /api/sim/speed': 'admin',
  'GET /api/sim/status': 'viewer',
  'GET /api/sim/scenarios': 'viewer',
};

describe('roles on every gRPC method', () => {
  let app: TapewatchApp;
  let server: GrpcServerHandle;
  let client: grpc.Client;

  beforeAll(async () => {
    app = new TapewatchApp({ engine: createEngine() });
    server = await startGrpcServer({ app, auth: new TokenAuthenticator(GRANTS), port: 0 });
    client = new grpc.Client(`127.0.0.1:${server.port}`, grpc.credentials.createInsecure());
  });
  afterAll(async () => {
    client.close();
    app.close();
    await server.close();
  });

  /** Calls a method with an empty request; resolves to the status code it ended with (OK = 0). */
  function call(
    method: { path: string; requestStream: boolean; responseStream: boolean },
    token: string | undefined,
  ): Promise<number> {
    const md = new grpc.Metadata();
    if (token !== undefined) md.set('authorization', `Bearer ${token}`);
    const ser = () => Buffer.alloc(0);
    const de = (b: Buffer) => b;
    return new Promise((resolve) => {
      const settle = (code: number) => resolve(code);
      if (!method.requestStream && !method.responseStream) {
        client.makeUnaryRequest(method.path, ser, de, {}, md, (e) => settle(e?.code ?? 0));
        return;
      }
      const stream = method.requestStream
        ? client.makeBidiStreamRequest(method.path, ser, de, md)
        : client.makeServerStreamRequest(method.path, ser, de, {}, md);
      const timer = setTimeout(() => {
        // Still open after a moment: the call was accepted.
        stream.cancel();
        settle(0);
      }, 1_500);
      stream.on('data', () => {});
      stream.on('error', (e: grpc.ServiceError) => {
        clearTimeout(timer);
        settle(e.code === grpc.status.CANCELLED ? 0 : e.code);
      });
      stream.on('end', () => {
        clearTimeout(timer);
        settle(0);
      });
      if (method.requestStream) (stream as grpc.ClientDuplexStream<unknown, unknown>).end();
    });
  }

  const methods = Object.values(TapewatchServiceService).map((m) => ({
    ...m,
    name: m.path.split('/').at(-1) as string,
  }));

  it('has a role for every method the service defines', () => {
    expect(methods.map((m) => m.name).filter((n) => GRPC_ROLES[n] === undefined)).toEqual([]);
  });

  for (const m of methods) {
    for (const caller of CALLERS) {
      const needs = GRPC_ROLES[m.name] ?? 'admin';
      const allowed = caller.rank >= RANK[needs];
      it(`${m.name} as ${caller.who}: ${allowed ? 'not refused' : 'refused'}`, async () => {
        const code = await call(m, caller.token);
        if (!allowed)
          expect(code).toBe(
            caller.token === undefined ? grpc.status.UNAUTHENTICATED : grpc.status.PERMISSION_DENIED,
          );
        else expect([grpc.status.UNAUTHENTICATED, grpc.status.PERMISSION_DENIED]).not.toContain(code);
      });
    }
  }

  it('limits the calls per caller with RESOURCE_EXHAUSTED', async () => {
    const limited = await startGrpcServer({
      app,
      auth: new TokenAuthenticator(GRANTS),
      port: 0,
      rateLimiter: new RateLimiter({ perSecond: 0.001, burst: 3 }),
    });
    const c = new grpc.Client(`127.0.0.1:${limited.port}`, grpc.credentials.createInsecure());
    const status = {
      path: '/tapewatch.v1.TapewatchService/Status',
      requestStream: false,
      responseStream: false,
    };
    const codes: number[] = [];
    const md = new grpc.Metadata();
    md.set('authorization', `Bearer ${GRANTS[0]?.token}`);
    for (let i = 0; i < 5; i++) {
      codes.push(
        await new Promise<number>((resolve) =>
          c.makeUnaryRequest(
            status.path,
            () => Buffer.alloc(0),
            (b: Buffer) => b,
            {},
            md,
            (e) => resolve(e?.code ?? 0),
          ),
        ),
      );
    }
    expect(codes).toEqual([0, 0, 0, grpc.status.RESOURCE_EXHAUSTED, grpc.status.RESOURCE_EXHAUSTED]);
    c.close();
    await limited.close();
  });
});

describe('roles on every HTTP route', () => {
  const app = new TapewatchApp({ engine: createEngine() });
  const gateway = createGateway({ app, auth: new TokenAuthenticator(GRANTS) });
  let server: HttpServerHandle;
  let base: string;

  beforeAll(async () => {
    server = await startHttpServer(gateway, { port: 0 });
    base = `http://127.0.0.1:${server.port}`;
  });
  afterAll(async () => {
    app.close();
    await server.close();
  });

  const routes = [
    ...new Set(
      gateway.routes
        .filter(
          (r) =>
            r.method !== 'ALL' &&
            (r.path.startsWith('/api') || r.path === '/metrics' || r.path === '/healthz'),
        )
        .map((r) => `${r.method} ${r.path}`),
    ),
  ];

  it('has a role for every route the gateway serves', () => {
    expect(routes.filter((r) => HTTP_ROLES[r] === undefined)).toEqual([]);
  });

  for (const route of routes) {
    for (const caller of CALLERS) {
      const needs = HTTP_ROLES[route] ?? 'admin';
      const allowed = needs === 'public' || caller.rank >= RANK[needs];
      it(`${route} as ${caller.who}: ${allowed ? 'not refused' : 'refused'}`, async () => {
        const [method, path] = route.split(' ') as [string, string];
        const controller = new AbortController();
        const r = await fetch(`${base}${path.replace(':id', 'C-none')}`, {
          method,
          signal: controller.signal,
          headers: {
            'content-type': 'application/json',
            ...(caller.token === undefined ? {} : { authorization: `Bearer ${caller.token}` }),
          },
          ...(method === 'POST' ? { body: '{}' } : {}),
        });
        controller.abort(); // SSE routes stay open
        if (!allowed) expect(r.status).toBe(caller.token === undefined ? 401 : 403);
        else expect([401, 403]).not.toContain(r.status);
      });
    }
  }

  it('limits requests per caller with 429 and Retry-After', async () => {
    const limitedGateway = createGateway({
      app,
      auth: new TokenAuthenticator(GRANTS),
      rateLimiter: new RateLimiter({ perSecond: 0.5, burst: 2 }),
    });
    const limited = await startHttpServer(limitedGateway, { port: 0 });
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 4; i++) {
      const r = await fetch(`http://127.0.0.1:${limited.port}/api/status`, {
        headers: { authorization: `Bearer ${GRANTS[0]?.token}` },
      });
      statuses.push(r.status);
      if (r.status === 429) retryAfter = r.headers.get('retry-after');
      await r.arrayBuffer();
    }
    expect(statuses).toEqual([200, 200, 429, 429]);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    // Another caller has its own budget.
    const other = await fetch(`http://127.0.0.1:${limited.port}/api/status`, {
      headers: { authorization: `Bearer ${GRANTS[1]?.token}` },
    });
    expect(other.status).toBe(200);
    await limited.close();
  });
});
