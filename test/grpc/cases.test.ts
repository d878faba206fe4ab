import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryCaseStore } from '../../src/cases/index';
import { eventRef } from '../../src/core/events';
import type { Detector } from '../../src/engine/detector';
import { createEngine } from '../../src/engine/engine';
import { connect, type TapewatchClient } from '../../src/grpc/client';
import { type GrpcServerHandle, startGrpcServer } from '../../src/grpc/server';
import { TapewatchApp } from '../../src/service/app';
import { TokenAuthenticator } from '../../src/service/auth';
import { CaseService } from '../../src/service/case-service';
import { aTrade, at } from '../stubs';

/** Flags every trade of 50 or more as spoofing by its buyer. */
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
};

const TOKENS = [
  { token: 'viewer-token-0123456789', role: 'viewer' as const, name: 'vera' },
  { token: 'analyst-token-0123456789', role: 'analyst' as const, name: 'ana' },
  { token: 'admin-token-0123456789', role: 'admin' as const, name: 'adam' },
];

describe('gRPC case API', () => {
  let app: TapewatchApp;
  let server: GrpcServerHandle;
  let bare: GrpcServerHandle;
  let admin: TapewatchClient;
  let analyst: TapewatchClient;
  let viewer: TapewatchClient;
  let caseId: string;

  beforeAll(async () => {
    const cases = await CaseService.open({ store: new MemoryCaseStore(), flushDelayMs: 5 });
    app = new TapewatchApp({ engine: createEngine({ detectors: [bigTrades] }), cases });
    const auth = new TokenAuthenticator(TOKENS);
    server = await startGrpcServer({ app, auth, port: 0 });
    bare = await startGrpcServer({ app: new TapewatchApp({ engine: createEngine() }), auth, port: 0 });
    const url = `127.0.0.1:${server.port}`;
    admin = connect(url, { token: 'admin-token-0123456789' });
    analyst = connect(url, { token: 'analyst-token-0123456789' });
    viewer = connect(url, { token: 'viewer-token-0123456789' });
  });
  afterAll(async () => {
    for (const c of [admin, analyst, viewer]) c.close();
    app.close();
    await Promise.all([server.close(), bare.close()]);
  });

  it('opens a case from a signal, streams it and lists it', async () => {
    const updates = viewer.cases({ typologies: ['spoofing'] });
    const first = updates.next();
    await new Promise((r) => setTimeout(r, 200));
    await admin.ingest([aTrade({ ts: at(1), qty: 80, buyAccount: 'acct-7', sellAccount: 'acct-9' })], {
      source: 'cases-test',
    });
    const streamed = (await first).value;
    expect(streamed).toMatchObject({ typology: 'spoofing', owner: 'acct-7', state: 'open' });
    caseId = streamed?.id as string;
    const page = await viewer.listCases({ states: ['open'] });
    expect(page.total).toBe(1);
    expect(page.cases[0]).toMatchObject({ id: caseId, signals: [] }); // list leaves the bulk out
    const full = await viewer.getCase(caseId);
    expect(full.signals).toHaveLength(1);
    expect(full.audit[0]).toMatchObject({ action: 'create' });
    await updates.return?.();
  });

  it('runs the workflow as the token’s owner, with comments in the audit trail', async () => {
    await analyst.transitionCase(caseId, 'triage');
    const c = await analyst.transitionCase(caseId, 'investigate', { note: 'opposite-side fills to check' });
    expect(c.state).toBe('investigating');
    await analyst.assignCase(caseId, 'ana');
    const commented = await analyst.commentCase(caseId, '<b>not markup</b>; DROP TABLE cases;');
    expect(commented.assignee).toBe('ana');
    const last = commented.audit.at(-1);
    expect(last).toMatchObject({
      actor: 'ana',
      action: 'comment',
      note: '<b>not markup</b>; DROP TABLE cases;',
    });
    expect(commented.audit.find((a) => a.action === 'investigate')).toMatchObject({
      actor: 'ana',
      from: 'triage',
      to: 'investigating',
      note: 'opposite-side fills to check',
    });
  });

  it('answers each kind of failure with its status code', async () => {
    const current = await viewer.getCase(caseId);
    await expect(viewer.transitionCase(caseId, 'escalate')).rejects.toMatchObject({
      code: grpc.status.PERMISSION_DENIED,
    });
    await expect(analyst.transitionCase(caseId, 'reopen')).rejects.toMatchObject({
      code: grpc.status.FAILED_PRECONDITION,
    });
    await expect(
      analyst.transitionCase(caseId, 'escalate', { expectedVersion: current.version - 1 }),
    ).rejects.toMatchObject({ code: grpc.status.ABORTED });
    await expect(analyst.transitionCase(caseId, 'close')).rejects.toMatchObject({
      code: grpc.status.INVALID_ARGUMENT,
      details: expect.stringMatching(/resolution/),
    });
    await expect(analyst.transitionCase(caseId, 'teleport')).rejects.toMatchObject({
      code: grpc.status.INVALID_ARGUMENT,
      details: expect.stringMatching(/action/),
    });
    await expect(viewer.getCase('C-missing')).rejects.toMatchObject({ code: grpc.status.NOT_FOUND });
    await expect(viewer.listCases({ states: ['bogus'] })).rejects.toMatchObject({
      code: grpc.status.INVALID_ARGUMENT,
    });
    const closed = await analyst.transitionCase(caseId, 'close', {
      resolution: 'true_positive',
      expectedVersion: current.version,
    });
    expect(closed).toMatchObject({ state: 'closed', resolution: 'true_positive' });
  });

  it('renders the case file and the STOR record, escaping what analysts typed', async () => {
    const html = await viewer.caseReport(caseId, 'html');
    expect(html.contentType).toMatch(/text\/html/);
    expect(html.body).toMatch(/&(lt|#60);b&(gt|#62);not markup/);
    expect(html.body).not.toContain('<b>not markup</b>');
    const json = await viewer.caseReport(caseId, 'json');
    expect(JSON.parse(json.body)).toBeTypeOf('object');
    await expect(viewer.caseReport(caseId, 'pdf' as 'md')).rejects.toMatchObject({
      code: grpc.status.INVALID_ARGUMENT,
    });
  });

  it('answers FAILED_PRECONDITION on a server that keeps no cases', async () => {
    const noCases = connect(`127.0.0.1:${bare.port}`, { token: 'viewer-token-0123456789' });
    await expect(noCases.listCases()).rejects.toMatchObject({ code: grpc.status.FAILED_PRECONDITION });
    noCases.close();
  });
});
