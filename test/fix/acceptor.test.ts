import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { MarketEvent } from '../../src/core/events';
import { type FixAcceptorHandle, startFixAcceptor } from '../../src/ingest/fix/fix-acceptor';
import { execReport, FixPeer } from './fix-peer';

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const h of open.splice(0)) await h.close();
});

async function acceptor(storeDir = mkdtempSync(join(tmpdir(), 'tw-fix-'))) {
  const events: MarketEvent[] = [];
  const warnings: string[] = [];
  const handle: FixAcceptorHandle = await startFixAcceptor({
    config: {
      port: 0,
      senderCompId: 'TW',
      targetCompId: 'VENUE',
      venue: 'venue-a',
      storeDir,
      syncIntervalMs: 5,
    },
    sink: (e) => events.push(...e),
    log: (level, message, fields) => {
      if (level !== 'info') warnings.push(`${message} ${JSON.stringify(fields)}`);
    },
  });
  open.push(handle);
  return { handle, events, warnings, storeDir };
}

async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('FIX drop-copy acceptor', () => {
  it('logs a peer on and turns execution reports into order and trade events', async () => {
    const { handle, events } = await acceptor();
    const peer = await FixPeer.connect(handle.port, 'VENUE', 'TW');
    const logon = await peer.logon();
    expect(logon.get(49)).toBe('TW');
    peer.send(
      '8',
      execReport({
        execId: 'e1',
        orderId: 'o1',
        execType: '0',
        side: 'sell',
        price: 101,
        qty: 5,
        account: 'acct-1',
      }),
    );
    peer.send(
      '8',
      execReport({
        execId: 'e2',
        orderId: 'o1',
        execType: 'F',
        side: 'sell',
        price: 101,
        qty: 5,
        account: 'acct-1',
      }),
    );
    await until(() => events.length === 2);
    expect(events).toEqual([
      {
        kind: 'order_new',
        ts: 1709294400000000,
        venue: 'venue-a',
        instrument: 'BTC-USD',
        orderId: 'o1',
        account: 'acct-1',
        side: 'sell',
        price: 101,
        qty: 5,
        type: 'limit',
      },
      {
        kind: 'trade',
        ts: 1709294400000000,
        venue: 'venue-a',
        instrument: 'BTC-USD',
        tradeId: 'e2',
        price: 101,
        qty: 5,
        aggressor: 'sell',
        sellAccount: 'acct-1',
        sellOrderId: 'o1',
      },
    ]);
    peer.destroy();
  });
});

describe('tapewatch serve --fix-port', () => {
  it('feeds drop-copy executions into the served engine', async () => {
    const { startServe } = await import('../../src/cli/commands/serve');
    const io = { out() {}, err() {}, isTTY: false };
    const dir = mkdtempSync(join(tmpdir(), 'tw-serve-fix-'));
    const { writeFileSync } = await import('node:fs');
    const configPath = join(dir, 'tapewatch.yaml');
    writeFileSync(
      configPath,
      `ingest:\n  fix:\n    senderCompId: TW\n    targetCompId: VENUE\n    storeDir: ${join(dir, 'store')}\n`,
    );
    const served = await startServe({ version: 't', configPath, grpcPort: 0, httpPort: 0, fixPort: 0 }, io);
    open.push({ close: () => served.stop() });
    expect(served.fix?.host).toBe('127.0.0.1');
    const peer = await FixPeer.connect(served.fix?.port ?? 0, 'VENUE', 'TW');
    await peer.logon();
    peer.send(
      '8',
      execReport({
        execId: 'e1',
        orderId: 'o1',
        execType: '0',
        side: 'buy',
        price: 10,
        qty: 1,
        account: 'a',
      }),
    );
    await until(() => (served.app.stats.report().sources['fix:VENUE']?.accepted ?? 0) === 1);
    peer.destroy();
  });
});
