import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventRef } from '../../src/core/events';
import type { Detector } from '../../src/engine/detector';
import { createEngine } from '../../src/engine/engine';
import { createGateway, type HttpServerHandle, startHttpServer } from '../../src/http/gateway';
import { TapewatchApp } from '../../src/service/app';
import { TokenAuthenticator } from '../../src/service/auth';
import { ServiceMetrics } from '../../src/service/metrics';
import { anOrder, aTrade, at } from '../stubs';

const bigTrades: Detector = {
  id: 'big-trades',
  version: '1',
  onEvent(e, ctx) {
    if (e.kind !== 'trade' || e.qty < 50) return;
    ctx.emit({
      typology: 'spoofing',
      venue: e.venue,
      instrument: e.instrument,
      accounts: [],
      window: { start: e.ts, end: e.ts },
      score: 0.7,
      severity: 'medium',
      metrics: { qty: e.qty },
      evidence: [eventRef(e)],
      explanation: `Big trade of ${e.qty}.`,
    });
  },
  reset() {},
};

const grants = [
  { token: 'viewer-secret-token', role: 'viewer' as const, name: 'v' },
  { token: 'admin-secret-token', role: 'admin' as const, name: 'a' },
];
const asAdmin = { authorization: 'Bearer admin-secret-token', 'content-type': 'application/json' };
const asViewer = { authorization: 'Bearer viewer-secret-token' };

describe('HTTP gateway', () => {
  const app = new TapewatchApp({ engine: createEngine({ detectors: [bigTrades] }) });
  const gateway = createGateway({
    app,
    auth: new TokenAuthenticator(grants),
    metrics: new ServiceMetrics(app),
    maxBodyBytes: 64 * 1024,
  });
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

  it('ingests JSON batches with per-event errors and recognises a resent batch', async () => {
    const body = JSON.stringify({
      source: 'http-1',
      sequence: 1,
      events: [anOrder({ ts: at(0) }), { ...aTrade({ ts: at(0) }), ts: 'soon' }],
    });
    const r1 = await gateway.request('/api/ingest', { method: 'POST', headers: asAdmin, body });
    expect(r1.status).toBe(200);
    expect(await r1.json()).toMatchObject({
      accepted: 1,
      rejected: 1,
      duplicate: false,
      errors: [{ index: 1, field: 'ts', reason: 'expected number, received string' }],
    });
    const r2 = await gateway.request('/api/ingest', { method: 'POST', headers: asAdmin, body });
    expect(await r2.json()).toMatchObject({ duplicate: true, accepted: 0 });
  });

  it('rejects malformed, oversized and unauthorised requests with clear statuses', async () => {
    const notJson = await gateway.request('/api/ingest', { method: 'POST', headers: asAdmin, body: '{nope' });
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({ error: 'bad_request' });
    const noEvents = await gateway.request('/api/ingest', {
      method: 'POST',
      headers: asAdmin,
      body: '{"source":"x"}',
    });
    expect(await noEvents.json()).toMatchObject({ field: 'events' });
    const big = await gateway.request('/api/ingest', {
      method: 'POST',
      headers: asAdmin,
      body: 'x'.repeat(100_000),
    });
    expect(big.status).toBe(413);
    expect((await gateway.request('/api/status')).status).toBe(401);
    const viewerIngest = await gateway.request('/api/ingest', {
      method: 'POST',
      headers: asViewer,
      body: '{}',
    });
    expect(viewerIngest.status).toBe(403);
    expect(await viewerIngest.json()).toMatchObject({ error: 'permission_denied' });
    expect((await gateway.request('/nowhere', { headers: asViewer })).status).toBe(404);
  });

  it('reports status and Prometheus metrics', async () => {
    const status = await (await gateway.request('/api/status', { headers: asViewer })).json();
    expect(status).toMatchObject({
      events: 1,
      sources: [{ source: 'http-1', accepted: 1, rejected: 1, duplicateBatches: 1 }],
    });
    const metrics = await (await gateway.request('/metrics', { headers: asViewer })).text();
    expect(metrics).toContain('tapewatch_events_total{kind="order_new"} 1');
    expect(metrics).toContain('tapewatch_ingest_invalid_total{source="http-1",field="ts"} 1');
    expect(metrics).toContain('tapewatch_process_nodejs_eventloop_lag_seconds');
    expect((await gateway.request('/healthz')).status).toBe(200);
  });

  it('streams signals over SSE with a token in the query string', async () => {
    const response = await fetch(
      `${base}/api/stream/signals?typology=spoofing&access_token=viewer-secret-token`,
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = '';
    const readUntil = async (needle: string) => {
      while (!text.includes(needle)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended before ${needle}`);
        text += decoder.decode(value);
      }
    };
    await readUntil('event: ready');
    await gateway.request('/api/ingest', {
      method: 'POST',
      headers: asAdmin,
      body: JSON.stringify({ source: 'http-2', events: [aTrade({ ts: at(1), qty: 70 })] }),
    });
    await readUntil('event: signal');
    const data = text
      .split('event: signal')[1]
      ?.split('\n')
      .find((l) => l.startsWith('data: '));
    expect(JSON.parse((data as string).slice(6))).toMatchObject({
      typology: 'spoofing',
      explanation: 'Big trade of 70.',
    });
    await reader.cancel();
    expect(app.signalsByTypology()).toEqual({ spoofing: 1 });
  });
});
