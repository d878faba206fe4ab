import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MarketEvent } from '../../src/core/events';
import { type FixAcceptorHandle, startFixAcceptor } from '../../src/ingest/fix/fix-acceptor';
import { buildInitiator, QuickFixInitiator } from './quickfix';

let binary: string;
beforeAll(() => {
  binary = buildInitiator();
}, 120_000);

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function until(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Compact form of an event for comparisons: kind, order or trade id, account. */
function key(e: MarketEvent): string {
  switch (e.kind) {
    case 'order_new':
      return `new ${e.orderId} ${e.account} ${e.side} ${e.qty}@${e.price}`;
    case 'order_cancel':
      return `cancel ${e.orderId} ${e.account}`;
    case 'order_replace':
      return `replace ${e.orderId} ${e.qty}@${e.price}`;
    case 'trade':
      return `trade ${e.tradeId} ${e.aggressor} ${e.buyAccount ?? e.sellAccount} ${e.qty}@${e.price}`;
    case 'quote':
      return `quote ${e.bid}/${e.ask}`;
  }
}

describe('FIX acceptor with a QuickFIX/C++ initiator as the venue', () => {
  it('takes a spoofing sequence as execution reports, loses nothing across a disconnect and processes nothing twice', async () => {
    const events: MarketEvent[] = [];
    const dir = mkdtempSync(join(tmpdir(), 'tw-fixq-'));
    const fix: FixAcceptorHandle = await startFixAcceptor({
      config: {
        port: 0,
        senderCompId: 'TW',
        targetCompId: 'VENUE',
        venue: 'venue-q',
        storeDir: join(dir, 'store'),
        logFile: join(dir, 'session.fixlog'),
      },
      sink: (e) => events.push(...e),
    });
    cleanups.push(() => fix.close());
    const venue = QuickFixInitiator.start({ binary, port: fix.port, sender: 'VENUE', target: 'TW' });
    cleanups.push(() => venue.quit());
    await venue.waitLine('LOGGED_ON');

    // The spoofer layers large sell orders above the market …
    await venue.command('er e1 S1 0 sell 101.5 40 acct-S BTC-USD 20240301-12:00:00.100000');
    await venue.command('er e2 S2 0 sell 101.6 40 acct-S BTC-USD 20240301-12:00:00.120000');
    await venue.command('er e3 S3 0 sell 101.7 40 acct-S BTC-USD 20240301-12:00:00.140000');
    await until(() => events.length === 3, 'the first three orders');

    // … the connection drops; the venue keeps reporting while it is down (QuickFIX stores
    // the messages under their sequence numbers) …
    const seenBefore = venue.lines.length;
    await venue.command('disconnect');
    await venue.command('er e4 B1 F buy 100.9 2 acct-S BTC-USD 20240301-12:00:00.600000');
    await venue.command('er e5 S1 4 sell 101.5 40 acct-S BTC-USD 20240301-12:00:00.900000');
    // … it reconnects; the acceptor sees the gap on the Logon and asks for a resend …
    await venue.waitLine('LOGGED_ON', seenBefore);
    // … and the cancels that follow arrive in order after the resent messages.
    await venue.command('er e6 S2 4 sell 101.6 40 acct-S BTC-USD 20240301-12:00:01.000000');
    await venue.command('er e7 S3 4 sell 101.7 40 acct-S BTC-USD 20240301-12:00:01.100000');
    await until(() => events.length === 7, 'all seven executions');
    await new Promise((r) => setTimeout(r, 300));

    expect(events.map(key)).toEqual([
      'new S1 acct-S sell 40@101.5',
      'new S2 acct-S sell 40@101.6',
      'new S3 acct-S sell 40@101.7',
      'trade e4 buy acct-S 2@100.9',
      'cancel S1 acct-S',
      'cancel S2 acct-S',
      'cancel S3 acct-S',
    ]);
    expect(events[3]).toMatchObject({
      kind: 'trade',
      buyAccount: 'acct-S',
      buyOrderId: 'B1',
      ts: 1709294400600000,
    });
    // The gap was asked for and answered with PossDup resends.
    const log = readFileSync(join(dir, 'session.fixlog'), 'utf8').split('\n');
    expect(log.some((l) => l.includes('|35=2|') && l.includes('|49=TW|'))).toBe(true);
    expect(log.filter((l) => l.includes('|35=8|') && l.includes('|43=Y|')).length).toBeGreaterThanOrEqual(2);
    expect(fix.counters.logons).toBe(2);
    expect(fix.counters.garbled).toBe(0);
    expect(fix.stats.report().sources['fix:VENUE']).toMatchObject({ accepted: 7, rejected: 0 });
  });
});
