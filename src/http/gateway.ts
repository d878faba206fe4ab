/**
 * The HTTP gateway (hono on @hono/node-server): a JSON API and Server-Sent Events over the
 * same application services as gRPC, with the same tokens and roles, plus `/metrics` and
 * `/healthz`. No business logic lives here.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { type Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { streamSSE } from 'hono/streaming';
import type { Trade } from '../core/events';
import type { Signal } from '../core/signal';
import type { TapewatchApp } from '../service/app';
import { AuthError, type Principal, type Role, type TokenAuthenticator } from '../service/auth';
import type { Subscription } from '../service/broadcaster';
import type { ServiceMetrics } from '../service/metrics';
import { RateLimitedError, type RateLimiter } from '../service/rate-limit';

/** Options of {@link createGateway}. */
export interface GatewayOptions {
  app: TapewatchApp;
  auth: TokenAuthenticator;
  metrics?: ServiceMetrics;
  /** Per-subscriber buffer of SSE streams, in messages (default 10,000). */
  subscriberCapacity?: number;
  /** Largest request body, bytes (default 16 MiB). */
  maxBodyBytes?: number;
  /** Per-caller request rate limit on every authenticated route; none when absent. */
  rateLimiter?: RateLimiter;
  /** Called with every refused request (never with the token). */
  log?: (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;
}

/** Per-request values the gateway keeps: the authenticated caller. */
export type GatewayEnv = { Variables: { principal: Principal } };

/**
 * Builds the gateway's routes. Tokens come as `Authorization: Bearer …` or, for
 * `EventSource` (which cannot set headers), as an `access_token` query parameter.
 */
export function createGateway(options: GatewayOptions): Hono<GatewayEnv> {
  const { app, auth } = options;
  const log = options.log ?? (() => {});
  const http = new Hono<GatewayEnv>();

  const requireRole = (role: Role) => async (c: Context<GatewayEnv>, next: () => Promise<void>) => {
    const header = c.req.header('authorization');
    const query = c.req.query('access_token');
    try {
      const principal = auth.authorize(header ?? (query === undefined ? undefined : `Bearer ${query}`), role);
      options.rateLimiter?.take(principal.name);
      c.set('principal', principal);
    } catch (error) {
      if (error instanceof RateLimitedError) {
        log('warn', 'request refused', { path: c.req.path, reason: error.message });
        c.header('retry-after', String(Math.max(1, Math.ceil(error.retryAfterMs / 1000))));
        return c.json(
          { error: 'rate_limited', message: error.message, retryAfterMs: Math.ceil(error.retryAfterMs) },
          429,
        );
      }
      if (!(error instanceof AuthError)) throw error;
      log('warn', 'request refused', { path: c.req.path, reason: error.message });
      return c.json(
        { error: error.code, message: error.message },
        error.code === 'unauthenticated' ? 401 : 403,
      );
    }
    await next();
  };

  http.onError((error, c) => {
    log('error', 'request failed', { path: c.req.path, error: error.message });
    return c.json({ error: 'internal', message: error.message }, 500);
  });
  http.notFound((c) =>
    c.json({ error: 'not_found', message: `no route ${c.req.method} ${c.req.path}` }, 404),
  );

  http.get('/healthz', (c) => c.json({ status: 'serving' }));

  http.get('/metrics', requireRole('viewer'), async (c) => {
    if (options.metrics === undefined) return c.json({ error: 'not_found', message: 'metrics are off' }, 404);
    return c.body(await options.metrics.text(), 200, { 'content-type': options.metrics.contentType });
  });

  http.get('/api/status', requireRole('viewer'), (c) => {
    const s = app.status();
    return c.json({ ...s, watermark: Number.isFinite(s.watermark) ? s.watermark : null });
  });

  http.post(
    '/api/ingest',
    requireRole('admin'),
    bodyLimit({
      maxSize: options.maxBodyBytes ?? 16 * 1024 * 1024,
      onError: (c) => c.json({ error: 'too_large', message: 'request body over the size limit' }, 413),
    }),
    async (c) => {
      let text: string;
      try {
        text = strictUtf8.decode(await c.req.arrayBuffer());
      } catch {
        return c.json({ error: 'bad_request', message: 'body is not valid UTF-8' }, 400);
      }
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch (error) {
        return c.json(
          { error: 'bad_request', message: `body is not JSON: ${(error as Error).message}` },
          400,
        );
      }
      const { source, sequence, events } = (body ?? {}) as {
        source?: unknown;
        sequence?: unknown;
        events?: unknown;
      };
      if (!Array.isArray(events)) {
        return c.json(
          { error: 'bad_request', field: 'events', message: 'expected { source, sequence, events: [...] }' },
          400,
        );
      }
      try {
        const r = app.ingest.ingest(
          typeof source === 'string' ? source : '',
          sequence === undefined ? 0 : (sequence as number),
          events,
        );
        return c.json({
          source: r.source,
          sequence: r.sequence,
          accepted: r.accepted,
          rejected: r.rejected,
          duplicate: r.duplicate,
          errors: r.errors.map(({ index, error }) => ({ index, ...error.toJSON() })),
        });
      } catch (error) {
        const e = error as { field?: string; reason?: string; message: string };
        return c.json({ error: 'bad_request', field: e.field, message: e.reason ?? e.message }, 400);
      }
    },
  );

  const capacity = options.subscriberCapacity;
  const sse = <T>(c: Context<GatewayEnv>, event: string, sub: Subscription<T>) =>
    streamSSE(c, async (stream) => {
      stream.onAbort(() => sub.close());
      await stream.writeSSE({ event: 'ready', data: '{}' });
      for await (const item of sub) {
        // writeSSE waits for a slow client; meanwhile the subscription buffers and drops the oldest.
        await stream.writeSSE({ event, data: JSON.stringify(item) });
      }
    });

  http.get('/api/stream/trades', requireRole('viewer'), (c) => {
    const instruments = listParam(c, 'instrument');
    const venues = listParam(c, 'venue');
    const sub = app.trades.subscribe({
      ...(capacity === undefined ? {} : { capacity }),
      ...(instruments.size + venues.size === 0
        ? {}
        : {
            filter: (t: Trade) =>
              (instruments.size === 0 || instruments.has(t.instrument)) &&
              (venues.size === 0 || venues.has(t.venue)),
          }),
    });
    return sse(c, 'trade', sub);
  });

  http.get('/api/stream/signals', requireRole('viewer'), (c) => {
    const instruments = listParam(c, 'instrument');
    const typologies = listParam(c, 'typology');
    const sub = app.signals.subscribe({
      ...(capacity === undefined ? {} : { capacity }),
      ...(instruments.size + typologies.size === 0
        ? {}
        : {
            filter: (s: Signal) =>
              (instruments.size === 0 || instruments.has(s.instrument)) &&
              (typologies.size === 0 || typologies.has(s.typology)),
          }),
    });
    return sse(c, 'signal', sub);
  });

  return http;
}

/** Refuses bad bytes instead of turning them into U+FFFD inside names that get stored. */
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Comma-separated or repeated query parameter as a set. */
function listParam(c: Context<GatewayEnv>, name: string): Set<string> {
  const values = c.req.queries(name) ?? [];
  return new Set(values.flatMap((v) => v.split(',')).filter((v) => v.length > 0));
}

/** A running gateway. */
export interface HttpServerHandle {
  readonly port: number;
  close(): Promise<void>;
}

/** Serves the gateway on `host:port` (port 0 picks a free one), with TLS when given. */
export async function startHttpServer(
  gateway: Hono<GatewayEnv>,
  options: { host?: string; port?: number; tls?: { keyPath: string; certPath: string } },
): Promise<HttpServerHandle> {
  const server = serve({
    fetch: gateway.fetch,
    hostname: options.host ?? '127.0.0.1',
    port: options.port ?? 8080,
    ...(options.tls === undefined
      ? {}
      : {
          createServer: createHttpsServer,
          serverOptions: { key: readFileSync(options.tls.keyPath), cert: readFileSync(options.tls.certPath) },
        }),
  });
  await new Promise<void>((resolve, reject) => {
    if (server.listening) resolve();
    else {
      server.once('listening', () => resolve());
      server.once('error', reject);
    }
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
