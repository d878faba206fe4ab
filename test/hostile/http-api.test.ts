/**
 * Hostile requests against the HTTP gateway: typed JSON errors with the field, counters,
 * and a gateway that keeps answering.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engine/engine';
import { createGateway, type HttpServerHandle, startHttpServer } from '../../src/http/gateway';
import { TapewatchApp } from '../../src/service/app';
import { TokenAuthenticator } from '../../src/service/auth';
import { HOSTILE_EVENTS, validAround } from './inputs';

const ADMIN = { authorization: 'Bearer admin-secret-token-0001', 'content-type': 'application/json' };

describe('HTTP API under hostile input', () => {
  const app = new TapewatchApp({ engine: createEngine() });
  const gateway = createGateway({
    app,
    auth: new TokenAuthenticator([{ token: 'admin-secret-token-0001', role: 'admin', name: 'adam' }]),
    maxBodyBytes: 4 * 1024 * 1024,
  });
  let server: HttpServerHandle;
  let base: string;
  let sequence = 0;

  beforeAll(async () => {
    server = await startHttpServer(gateway, { port: 0 });
    base = `http://127.0.0.1:${server.port}`;
  });
  afterAll(async () => {
    app.close();
    await server.close();
  });

  async function ingest(body: string): Promise<{ status: number; json: Record<string, unknown> }> {
    const r = await fetch(`${base}/api/ingest`, { method: 'POST', headers: ADMIN, body });
    return { status: r.status, json: (await r.json()) as Record<string, unknown> };
  }

  it.each(HOSTILE_EVENTS)('rejects $name naming $field, keeping the valid events', async (h) => {
    const [a, b] = validAround();
    const before = app.status().events;
    const r = await ingest(
      JSON.stringify({ source: 'http-hostile', sequence: ++sequence, events: [a, h.raw, b] }),
    );
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ accepted: 2, rejected: 1 });
    const errors = r.json.errors as { index: number; field: string }[];
    expect(errors[0]).toMatchObject({ index: 1, field: h.field });
    expect(app.status().events - before).toBe(2);
  });

  it('rejects an infinite number (JSON 1e999) naming the field', async () => {
    const [a] = validAround();
    const body = `{"source":"inf","sequence":1,"events":[${JSON.stringify(a).replace('"price":100', '"price":1e999')}]}`;
    const r = await ingest(body);
    expect((r.json.errors as { field: string }[])[0]).toMatchObject({ field: 'price' });
  });

  it('answers bad bodies with typed 4xx errors and keeps serving', async () => {
    const cases: [string, number, string][] = [
      ['{"source":"x","events":', 400, 'bad_request'],
      ['[1,2,3]', 400, 'bad_request'],
      ['{"source":"x","sequence":-4,"events":[]}', 400, 'bad_request'],
      ['{"source":"x","sequence":"drop table cases","events":[]}', 400, 'bad_request'],
      ['"just a string"', 400, 'bad_request'],
      ['null', 400, 'bad_request'],
    ];
    for (const [body, status, error] of cases) {
      const r = await ingest(body);
      expect(r.status, body).toBe(status);
      expect(r.json.error, body).toBe(error);
    }
    const big = await fetch(`${base}/api/ingest`, {
      method: 'POST',
      headers: ADMIN,
      body: 'x'.repeat(5 * 1024 * 1024),
    });
    expect(big.status).toBe(413);
    const ok = await ingest(JSON.stringify({ source: 'after', sequence: 1, events: validAround() }));
    expect(ok.json).toMatchObject({ accepted: 2 });
  });

  it('treats a replayed batch as a duplicate', async () => {
    const body = JSON.stringify({ source: 'http-replay', sequence: 1, events: validAround() });
    const first = await ingest(body);
    const second = await ingest(body);
    expect(first.json.duplicate).toBe(false);
    expect(second.json).toMatchObject({ duplicate: true, accepted: 0 });
  });

  it('rejects invalid UTF-8 in the body', async () => {
    const [a] = validAround();
    const text = JSON.stringify({ source: 'utf8', sequence: 1, events: [{ ...a, instrument: 'QQQQ' }] });
    const bytes = Buffer.from(text);
    bytes.set([0xff, 0xfe, 0xc3, 0x28], bytes.indexOf('QQQQ'));
    const r = await fetch(`${base}/api/ingest`, { method: 'POST', headers: ADMIN, body: bytes });
    expect(r.status).toBe(400);
    expect(((await r.json()) as { message: string }).message).toMatch(/UTF-8/);
  });

  it('answers unknown routes and methods with JSON 404s', async () => {
    const r = await fetch(`${base}/api/<script>alert(1)</script>`, { headers: ADMIN });
    expect(r.status).toBe(404);
    expect(r.headers.get('content-type')).toMatch(/json/);
  });
});
