import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryCaseStore } from '../../src/cases/index';
import { eventRef } from '../../src/core/events';
import type { Detector } from '../../src/engine/detector';
import { createEngine } from '../../src/engine/engine';
import { type GrpcServerHandle, startGrpcServer } from '../../src/grpc/server';
import { TapewatchApp } from '../../src/service/app';
import { TokenAuthenticator } from '../../src/service/auth';
import { CaseService } from '../../src/service/case-service';

const PYTHON = '/usr/bin/python3';
const hasPythonGrpc =
  existsSync(PYTHON) &&
  existsSync('/usr/bin/protoc') &&
  existsSync('/usr/bin/grpc_python_plugin') &&
  (() => {
    try {
      execFileSync(PYTHON, ['-c', 'import grpc, google.protobuf']);
      return true;
    } catch {
      return false;
    }
  })();

/** Flags a trade of 50 or more, naming the buyer. */
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
      score: 0.8,
      severity: 'high',
      metrics: { qty: e.qty },
      evidence: [eventRef(e)],
      explanation: `Account ${e.buyAccount} bought ${e.qty}.`,
    });
  },
  reset() {},
};

describe('gRPC with a real Python grpcio client', () => {
  it('has Debian python3-grpcio and protoc installed (scripts/setup-test-deps.sh)', () => {
    expect(hasPythonGrpc).toBe(true);
  });

  let app: TapewatchApp;
  let server: GrpcServerHandle;
  let stubs: string;

  beforeAll(async () => {
    if (!hasPythonGrpc) return;
    const cases = await CaseService.open({ store: new MemoryCaseStore(), flushDelayMs: 5 });
    app = new TapewatchApp({ engine: createEngine({ detectors: [bigTrades] }), cases });
    server = await startGrpcServer({
      app,
      auth: new TokenAuthenticator([{ token: 'python-admin-token', role: 'admin', name: 'py' }]),
      port: 0,
    });
    stubs = mkdtempSync(join(tmpdir(), 'tw-pystubs-'));
    execFileSync('/usr/bin/protoc', [
      '-I',
      'proto',
      `--python_out=${stubs}`,
      `--pyi_out=${stubs}`,
      `--grpc_out=${stubs}`,
      '--plugin=protoc-gen-grpc=/usr/bin/grpc_python_plugin',
      ...readdirSync('proto/tapewatch/v1')
        .filter((f) => f.endsWith('.proto'))
        .map((f) => `proto/tapewatch/v1/${f}`),
    ]);
  });

  afterAll(async () => {
    app?.close();
    await server?.close();
    if (stubs) rmSync(stubs, { recursive: true, force: true });
  });

  it.runIf(hasPythonGrpc)(
    'ingests a scenario, follows signals, reads status and works a case from Python',
    async () => {
      const out = await new Promise<string>((resolve, reject) => {
        execFile(
          PYTHON,
          ['test/grpc/python/client.py', stubs, `127.0.0.1:${server.port}`, 'python-admin-token', 'scenario'],
          { timeout: 30_000 },
          (error, stdout, stderr) =>
            error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout),
        );
      });
      const steps = Object.fromEntries(
        out
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as { step: string })
          .map((s) => [s.step, s]),
      ) as Record<string, Record<string, unknown>>;
      expect(steps.ingest?.acks).toEqual([
        { sequence: 1, accepted: 2, rejected: 0, errors: [] },
        {
          sequence: 2,
          accepted: 0,
          rejected: 1,
          errors: [expect.objectContaining({ index: 0, field: 'bid' })],
        },
      ]);
      expect(steps.signals?.signals).toEqual([
        expect.objectContaining({
          typology: 'spoofing',
          accounts: ['py-spoofer'],
          explanation: 'Account py-spoofer bought 75.',
        }),
      ]);
      expect(steps.case).toMatchObject({
        state: 'investigating',
        owner: 'py-spoofer',
        refused: 'FAILED_PRECONDITION',
      });
      expect(steps.case?.audit).toEqual([
        expect.objectContaining({ actor: 'tapewatch', action: 'create' }),
        expect.objectContaining({
          actor: 'tapewatch',
          action: 'ingest_signal',
          note: 'Account py-spoofer bought 75.',
        }),
        expect.objectContaining({ actor: 'py', action: 'triage', to: 'triage' }),
        expect.objectContaining({
          actor: 'py',
          action: 'investigate',
          to: 'investigating',
          note: 'fills on the other side to check',
        }),
      ]);
      expect(steps.status).toMatchObject({
        events: 2,
        signals: 1,
        sources: { 'python-client': { accepted: 2, rejected: 1 } },
      });
    },
  );
});
