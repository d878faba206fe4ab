/**
 * The jspurefix defects tapewatch corrects, each shown twice: on jspurefix's own classes
 * (the defect is real) and through tapewatch's acceptor or store (it is fixed).
 */
import 'reflect-metadata';
import { cpSync, mkdtempSync } from 'node:fs';
import type { AddressInfo, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileSessionStore, MemorySessionStore, SessionId, SessionSequenceCoordinator } from 'jspurefix';
import { DefaultFixClock } from 'jspurefix/dist/transport/session/fix-clock.js';
import { TcpAcceptor } from 'jspurefix/dist/transport/tcp/tcp-acceptor.js';
import { afterEach, describe, expect, it } from 'vitest';
import type { MarketEvent } from '../../src/core/events';
import { DurableSessionStore, DurableSessionStoreFactory } from '../../src/ingest/fix/durable-session-store';
import { type FixAcceptorHandle, makeFixRuntime, startFixAcceptor } from '../../src/ingest/fix/fix-acceptor';
import { FixConfigSchema } from '../../src/ingest/fix/fix-config';
import { framingProblem } from '../../src/ingest/fix/fix-session';
import { encodeFix, execReport, type FixFields, FixPeer } from './fix-peer';

const open: { close(): Promise<void> }[] = [];
const peers: FixPeer[] = [];
afterEach(async () => {
  for (const p of peers.splice(0)) p.destroy();
  for (const h of open.splice(0)) await h.close();
});

const tmp = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));

async function acceptor(storeDir: string, events: MarketEvent[], port = 0): Promise<FixAcceptorHandle> {
  const handle = await startFixAcceptor({
    config: { port, senderCompId: 'TW', targetCompId: 'VENUE', venue: 'v', storeDir, syncIntervalMs: 5 },
    sink: (e) => events.push(...e),
  });
  open.push(handle);
  return handle;
}

async function peer(port: number, firstSeq = 1): Promise<FixPeer> {
  const p = await FixPeer.connect(port, 'VENUE', 'TW', firstSeq);
  peers.push(p);
  return p;
}

async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const er = (execId: string, orderId = execId) =>
  execReport({ execId, orderId, execType: '0', side: 'buy', price: 10, qty: 1, account: 'a' });
const ids = (events: MarketEvent[]) => events.map((e) => ('orderId' in e ? e.orderId : ''));
const sessionId = () => new SessionId('FIX.4.4', 'TW', 'VENUE');

describe('(a) a gap detected before a disconnect is requested again after it', () => {
  it('jspurefix: its coordinator persists the number after the gap, so the store forgets the gap', async () => {
    const store = new MemorySessionStore(sessionId());
    await store.initialize();
    const coordinator = new SessionSequenceCoordinator(store, new DefaultFixClock());
    coordinator.initializeFromStore();
    await coordinator.onMessageReceived(1, false);
    await coordinator.onMessageReceived(5, false); // 2–4 missing
    expect(store.targetSeqNum).toBe(6);
  });

  it('tapewatch: the same coordinator over the durable store still expects the first missing number', async () => {
    const store = new DurableSessionStore(sessionId(), { directory: tmp('tw-a-') });
    await store.initialize();
    const coordinator = new SessionSequenceCoordinator(store, new DefaultFixClock());
    coordinator.initializeFromStore();
    for (const seq of [1, 5]) {
      store.ledger.receive(seq);
      await coordinator.onMessageReceived(seq, false);
    }
    expect(store.targetSeqNum).toBe(2);
    await store.dispose();
    const reopened = new DurableSessionStore(sessionId(), { directory: store.path.replace(/\/[^/]+$/, '') });
    await reopened.initialize();
    expect(reopened.targetSeqNum).toBe(2);
    expect(reopened.ledger.missing).toEqual([{ begin: 2, end: 4 }]);
    await reopened.dispose();
  });

  it('tapewatch: after a restart mid-resend the next logon asks for the gap and every message is processed once', async () => {
    const storeDir = tmp('tw-a2-');
    const events: MarketEvent[] = [];
    const first = await acceptor(storeDir, events);
    const venue = await peer(first.port);
    await venue.logon(); // seq 1
    venue.send('8', er('o2')); // 2
    venue.seq = 5; // 3 and 4 are lost on the way
    venue.send('8', er('o5')); // 5: gap
    const resend = await venue.waitFor('2');
    expect(resend.get(7)).toBe('3');
    // o5 is held while 3–4 are owed …
    await until(() => events.length === 1, 'o2');
    // … the connection drops before the venue answers the resend: o5 is delivered rather
    // than lost, and the gap stays on record.
    venue.destroy();
    await until(() => events.length === 2, 'o5 released at the disconnect');
    await first.close();
    open.splice(open.indexOf(first), 1);

    const second = await acceptor(storeDir, events);
    const again = await peer(second.port, 6);
    const from = again.received.length;
    await again.logon(); // seq 6
    const asked = await again.waitFor('2', from);
    expect(asked.get(7)).toBe('3');
    // The venue resends everything from 3, including 5, which was processed already.
    again.send('8', er('o3'), { seq: 3, possDup: true });
    again.send('8', er('o4'), { seq: 4, possDup: true });
    again.send('8', er('o5'), { seq: 5, possDup: true });
    again.send(
      '4',
      [
        [123, 'Y'],
        [36, 7],
      ],
      { seq: 6, possDup: true },
    );
    again.send('8', er('o7'), { seq: 7 });
    again.seq = 8;
    await until(() => events.length === 5, 'five orders');
    await new Promise((r) => setTimeout(r, 100));
    expect(ids(events)).toEqual(['o2', 'o5', 'o3', 'o4', 'o7']);
    expect(second.counters.duplicates).toBe(1);
  });
});

describe('(b) the outgoing sequence number is never reused', () => {
  // A crash is simulated by copying the store directory synchronously right after the
  // update: that copy is what the disk holds if the process dies at that instant.
  const crashCopy = (dir: string): string => {
    const copy = tmp('tw-crash-');
    cpSync(dir, copy, { recursive: true });
    return copy;
  };

  it('jspurefix: its file store writes the number fire-and-forget; after a crash the old number is reused', async () => {
    const dir = tmp('tw-b-');
    const store = FileSessionStore.createWithFiles(sessionId(), dir);
    await store.initialize();
    await store.setSenderSeqNum(5);
    void store.setSenderSeqNum(8); // as AsciiSession.txOnEncoded does: not awaited
    const afterCrash = FileSessionStore.createWithFiles(sessionId(), crashCopy(dir));
    await afterCrash.initialize();
    // The old number, or 1 when the copy caught the file truncated mid-write: either way
    // numbers below 8 would go out a second time.
    expect(afterCrash.senderSeqNum).toBeLessThan(8);
    await store.dispose();
    await afterCrash.dispose();
  });

  it('tapewatch: a reconnect shares the store and sees the number at once; after a crash it skips ahead', async () => {
    const dir = tmp('tw-b2-');
    const factory = new DurableSessionStoreFactory({ directory: dir, uncleanSenderMargin: 1000 });
    const store = factory.create(sessionId());
    await store.initialize();
    await store.setSenderSeqNum(5);
    await store.flush();
    void store.setSenderSeqNum(8);
    const reconnect = factory.create(sessionId());
    await reconnect.initialize();
    expect(reconnect.senderSeqNum).toBe(8);
    const afterCrash = new DurableSessionStoreFactory({
      directory: crashCopy(dir),
      uncleanSenderMargin: 1000,
    }).create(sessionId());
    await afterCrash.initialize();
    expect(afterCrash.recoveredUnclean).toBe(true);
    expect(afterCrash.senderSeqNum).toBe(1005);
    await afterCrash.dispose();
    await factory.disposeAll();
    // After an orderly close the number continues exactly.
    const clean = new DurableSessionStoreFactory({ directory: dir }).create(sessionId());
    await clean.initialize();
    expect(clean.recoveredUnclean).toBe(false);
    expect(clean.senderSeqNum).toBe(8);
    await clean.dispose();
  });

  it('tapewatch: a restarted acceptor continues both sequences', async () => {
    const storeDir = tmp('tw-b3-');
    const events: MarketEvent[] = [];
    const first = await acceptor(storeDir, events);
    const venue = await peer(first.port);
    const logon = await venue.logon();
    expect(logon.get(34)).toBe('1');
    venue.send('8', er('o2'));
    await until(() => events.length === 1, 'o2');
    venue.destroy();
    await first.close();
    open.splice(open.indexOf(first), 1);
    const second = await acceptor(storeDir, events);
    const again = await peer(second.port, 3);
    const logon2 = await again.logon();
    expect(Number(logon2.get(34))).toBeGreaterThan(1);
    expect(again.received.some((m) => m.get(35) === '2')).toBe(false); // nothing owed
  });
});

describe('(c) a garbled message is ignored, not counted, and resent', () => {
  it('ignores bad CheckSum and bad BodyLength without a Reject, then asks for them again', async () => {
    const events: MarketEvent[] = [];
    const fix = await acceptor(tmp('tw-c-'), events);
    const venue = await peer(fix.port);
    await venue.logon(); // 1
    venue.send('8', er('o2')); // 2
    const good3 = encodeFix('8', { sender: 'VENUE', target: 'TW', seq: 3 }, er('o3'));
    // A wrong CheckSum: the last three digits changed.
    const badSum = good3.endsWith('10=000\u0001') ? '001' : '000';
    venue.write(`${good3.slice(0, -4)}${badSum}\u0001`);
    // A wrong BodyLength: one less than the body has.
    const good4 = encodeFix('8', { sender: 'VENUE', target: 'TW', seq: 4 }, er('o4'));
    const lengthAt = good4.indexOf('\u00019=') + 3;
    const lengthEnd = good4.indexOf('\u0001', lengthAt);
    const shorter = Number(good4.slice(lengthAt, lengthEnd)) - 1;
    venue.write(`${good4.slice(0, lengthAt)}${shorter}${good4.slice(lengthEnd)}`);
    venue.seq = 5;
    venue.send('8', er('o5')); // 5: the acceptor sees 3–4 missing
    const resend = await venue.waitFor('2');
    expect(resend.get(7)).toBe('3');
    venue.send('8', er('o3'), { seq: 3, possDup: true });
    venue.send('8', er('o4'), { seq: 4, possDup: true });
    await until(() => events.length === 4, 'four orders');
    // o5 was held until the resend filled 3–4: the engine sees the venue's order.
    expect(ids(events)).toEqual(['o2', 'o3', 'o4', 'o5']);
    expect(fix.counters.garbled).toBe(2);
    expect(venue.received.some((m: FixFields) => m.get(35) === '3')).toBe(false);
  });

  it('rejects a well-framed message missing a required tag with a session Reject, and goes on', async () => {
    const events: MarketEvent[] = [];
    const fix = await acceptor(tmp('tw-c2-'), events);
    const venue = await peer(fix.port);
    await venue.logon();
    venue.send(
      '8',
      er('o2').filter(([tag]) => tag !== 17),
    ); // no ExecID
    const reject = await venue.waitFor('3');
    expect(reject.get(45)).toBe('2');
    expect(reject.get(373)).toBe('1'); // RequiredTagMissing
    venue.send('8', er('o3'));
    await until(() => events.length === 1, 'o3');
    expect(ids(events)).toEqual(['o3']);
  });

  it('finds the frame problems a checksum cannot (property of framingProblem)', () => {
    const m = encodeFix('0', { sender: 'A', target: 'B', seq: 1 }, []);
    expect(framingProblem(m)).toBeUndefined();
    expect(framingProblem(m.replace('9=', '9=1'))).toMatch(/BodyLength \(9\) says/);
    expect(framingProblem(m.slice(0, -8))).toBe('no CheckSum (10) at the end');
  });
});

describe('(d) the acceptor binds the configured host', () => {
  it('jspurefix: TcpAcceptor listens on every interface whatever tcp.host says', async () => {
    const config = FixConfigSchema.parse({ host: '127.0.0.1', port: 0, storeDir: tmp('tw-d-') });
    const jsfix = await makeFixRuntime(config);
    const stock = new TcpAcceptor(jsfix);
    stock.listen();
    const server = (stock as unknown as { server: Server }).server;
    await new Promise((r) => server.once('listening', r));
    expect(['::', '0.0.0.0']).toContain((server.address() as AddressInfo).address);
    await new Promise<void>((r) => stock.close(() => r()));
  });

  it('tapewatch: binds 127.0.0.1 by default', async () => {
    const fix = await acceptor(tmp('tw-d2-'), []);
    expect(fix.host).toBe('127.0.0.1');
  });
});

describe('(e) resent copies are processed once', () => {
  it('drops a PossDup resend of a processed number and a PossResend of a processed ExecID', async () => {
    const events: MarketEvent[] = [];
    const fix = await acceptor(tmp('tw-e-'), events);
    const venue = await peer(fix.port);
    await venue.logon();
    venue.send('8', er('o2')); // 2
    venue.send('8', er('o2'), { seq: 2, possDup: true }); // the same message again
    venue.send('8', [...er('o2'), [97, 'Y']]); // 3: an application-level resend of ExecID o2
    venue.send('8', er('o4')); // 4
    await until(() => events.length >= 2 && fix.counters.duplicates === 2, 'o4 and two duplicates');
    expect(ids(events)).toEqual(['o2', 'o4']);
  });
});
