/**
 * The drop-copy session: jspurefix's `AsciiSession` for logon, heartbeats, test requests,
 * resend requests, sequence resets and logout, with the corrections tapewatch needs so
 * that no execution is lost or processed twice:
 *
 * - (a) gaps are kept in a {@link SequenceLedger} persisted by the
 *   {@link DurableSessionStore}; the expected number survives a disconnect mid-resend,
 *   and the next logon asks for the gap again;
 * - (b) the outgoing number is updated synchronously in the store shared across
 *   reconnects (see the store), never fire-and-forget against a file;
 * - (c) a garbled message (bad checksum or body length) is ignored without consuming its
 *   sequence number, as FIX requires, so the gap it leaves is resent;
 * - (e) PossDup/PossResend copies of executions already processed are dropped by their
 *   sequence number (ledger) and by ExecID.
 *
 * (d), binding the configured host, is in `fix-acceptor.ts`.
 *
 * @module
 */
// tsyringe (inside jspurefix) needs the Reflect metadata polyfill loaded before it.
import 'reflect-metadata';
import { AsciiSession, type IJsFixConfig, type MsgView } from 'jspurefix';
import type { InvalidEventError } from '../../core/errors';
import type { MarketEvent } from '../../core/events';
import type { IngestStats } from '../../core/ingest-stats';
import { DurableSessionStore } from './durable-session-store';
import type { FixEventMapper } from './fix-mapper';
import { SequenceLedger, type SeqVerdict } from './sequence-ledger';

/** Session-level counters of a FIX source. */
export interface FixSessionCounters {
  /** Messages received with a valid frame (any type). */
  received: number;
  /** Application messages handed to the mapper. */
  applicationMessages: number;
  /** Messages ignored as garbled (bad checksum or body length). */
  garbled: number;
  /** Resent copies dropped as already processed. */
  duplicates: number;
  /** Logons accepted. */
  logons: number;
  /** Logons refused (wrong CompIDs). */
  refusedLogons: number;
}

/** What the session needs from its owner. */
export interface FixSessionHooks {
  mapper: FixEventMapper;
  /** Receives the events of each application message, in order. */
  onEvents(events: MarketEvent[]): void;
  stats: IngestStats;
  /** Source name for counters (`fix:VENUE`). */
  source: string;
  counters: FixSessionCounters;
  /** Shared across sessions: ExecIDs already processed. */
  seenExecIds: RecentIds;
  /** Warn-level log lines (garbled messages, refused logons, stops). */
  warn(message: string, fields?: Record<string, unknown>): void;
  /** Raw messages in both directions, for a FIX log file. */
  onRaw?(direction: 'in' | 'out', text: string): void;
  onStopped?(session: TapewatchFixSession, error?: Error): void;
  onReady?(session: TapewatchFixSession): void;
}

/** A bounded set of recent IDs: the oldest is forgotten once `capacity` is reached. */
export class RecentIds {
  private readonly set = new Set<string>();
  private readonly ring: (string | undefined)[];
  private next = 0;

  constructor(readonly capacity = 1_000_000) {
    this.ring = new Array(capacity);
  }

  has(id: string): boolean {
    return this.set.has(id);
  }

  add(id: string): void {
    if (this.set.has(id)) return;
    const old = this.ring[this.next];
    if (old !== undefined) this.set.delete(old);
    this.ring[this.next] = id;
    this.next = (this.next + 1) % this.capacity;
    this.set.add(id);
  }
}

/** SOH, or `|` in logs that print it instead. */
function isDelimiter(c: number): boolean {
  return c === 1 || c === 124;
}

/**
 * Checks the frame of a raw message: BodyLength (9) must count the bytes from after its
 * own field to the CheckSum field. Returns the problem, or undefined when it is sound.
 */
export function framingProblem(text: string): string | undefined {
  // Code units equal bytes for ASCII; a multi-byte character makes the count differ, so
  // such messages are measured on their UTF-8 bytes.
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) > 127) {
      const bytes = Buffer.from(text, 'utf8');
      return frameCheck((at) => bytes[at] as number, bytes.length);
    }
  }
  return frameCheck((at) => text.charCodeAt(at), text.length);
}

/** The frame check over bytes, with no string built (the acceptor's path). */
function frameCheck(byteAt: (at: number) => number, length: number): string | undefined {
  // 8=FIX.4.4<d>9=<digits><d> … <d>10=ddd[<d>]
  let at = 0;
  while (at < length && !isDelimiter(byteAt(at))) at++;
  if (at + 2 >= length || byteAt(at + 1) !== 57 || byteAt(at + 2) !== 61) return 'no BodyLength (9)';
  let declared = 0;
  let digits = 0;
  let valueEnd = at + 3;
  for (; valueEnd < length && !isDelimiter(byteAt(valueEnd)); valueEnd++) {
    const d = byteAt(valueEnd) - 48;
    if (d < 0 || d > 9) return 'BodyLength (9) is not a number';
    declared = declared * 10 + d;
    digits++;
  }
  if (digits === 0 || valueEnd >= length) return 'no BodyLength (9)';
  let tail = length;
  if (isDelimiter(byteAt(tail - 1))) tail--;
  const checksumAt = tail - 6;
  if (
    checksumAt <= valueEnd ||
    !isDelimiter(byteAt(checksumAt - 1)) ||
    byteAt(checksumAt) !== 49 ||
    byteAt(checksumAt + 1) !== 48 ||
    byteAt(checksumAt + 2) !== 61
  ) {
    return 'no CheckSum (10) at the end';
  }
  const actual = checksumAt - (valueEnd + 1);
  return declared === actual ? undefined : `BodyLength (9) says ${declared} but the body has ${actual} bytes`;
}

/**
 * One drop-copy connection. Created by the acceptor for every accepted socket; all
 * connections of one session share the store (and so the ledger).
 */
export class TapewatchFixSession extends AsciiSession {
  private garbledReason: string | undefined;
  private verdict: SeqVerdict | undefined;
  private currentSeq = 0;
  private readonly ledger: SequenceLedger;
  /** Events of messages received beyond an open gap, by sequence number. */
  private readonly held = new Map<number, MarketEvent[]>();

  constructor(
    config: IJsFixConfig,
    private readonly hooks: FixSessionHooks,
  ) {
    super(config);
    // A burst of executions must not be taken for a dead peer, and nothing here needs
    // the per-message info lines the engine logs.
    this.logReceivedMsgs = false;
    this.ledger =
      this.sessionStore instanceof DurableSessionStore ? this.sessionStore.ledger : new SequenceLedger();
  }

  /** Next inbound number this session expects (the start of the first open gap). */
  get expectedSeqNum(): number {
    return this.ledger.nextExpected;
  }

  /** The store behind this session. */
  get durableStore(): DurableSessionStore | undefined {
    return this.sessionStore instanceof DurableSessionStore ? this.sessionStore : undefined;
  }

  /** Ends the session with a Logout, as FIX asks of an orderly stop. */
  logout(): void {
    this.done();
  }

  protected override rxOnDecoded(
    _msgType: string,
    data: { toString(ptr: number): string },
    ptr: number,
  ): void {
    const text = data.toString(ptr);
    // Checked here, where the raw frame is at hand; onMsg follows synchronously.
    this.garbledReason = framingProblem(text);
    this.hooks.onRaw?.('in', text);
  }

  protected override onMsg(msgType: string, view: MsgView): void {
    const framing = this.garbledReason;
    this.garbledReason = undefined;
    const checksum = Number.parseInt(view.getString(10) ?? '', 10);
    const problem =
      framing ??
      (checksum !== view.checksum()
        ? `CheckSum (10) is ${checksum}, computed ${view.checksum()}`
        : undefined);
    if (problem !== undefined) {
      // FIX: a garbled message is ignored — no Reject, and its sequence number is not
      // consumed, so the next message shows the gap and triggers a resend.
      this.hooks.counters.garbled++;
      this.hooks.warn('FIX message ignored as garbled', {
        source: this.hooks.source,
        msgType,
        seq: view.getString(34),
        reason: problem,
      });
      return;
    }
    this.hooks.counters.received++;
    const seq = Number(view.getString(34));
    this.currentSeq = seq;
    const store = this.durableStore;
    if (msgType === 'A' && view.getString(141) === 'Y') {
      super.onMsg(msgType, view);
      this.ledger.reset(seq + 1);
      store?.touch();
      this.release(true);
      return;
    }
    if (msgType === '4') {
      const newSeqNo = Number(view.getString(36));
      const before = this.sessionState.lastPeerMsgSeqNum;
      const isGapFill = view.getString(123) === 'Y';
      super.onMsg(msgType, view);
      if (isGapFill) {
        this.ledger.gapFill(seq, newSeqNo);
        // The engine sets its last-seen number to NewSeqNo-1 even when a gap fill inside
        // a resend lies below messages already received, which makes the next message
        // look like a new gap; keep the higher of the two.
        this.sessionState.lastPeerMsgSeqNum = Math.max(before, this.sessionState.lastPeerMsgSeqNum);
      } else {
        this.ledger.reset(newSeqNo);
      }
      store?.touch();
      this.release();
      return;
    }
    this.verdict = this.ledger.receive(seq);
    store?.touch();
    try {
      super.onMsg(msgType, view);
    } finally {
      this.verdict = undefined;
    }
    this.release();
  }

  protected override onApplicationMsg(msgType: string, view: MsgView): void {
    const hooks = this.hooks;
    if (this.verdict === 'duplicate') {
      hooks.counters.duplicates++;
      return;
    }
    const isResent = view.getString(43) === 'Y' || view.getString(97) === 'Y';
    const execId = msgType === '8' ? view.getString(17) : msgType === 'AE' ? view.getString(571) : null;
    if (execId !== null) {
      if (isResent && hooks.seenExecIds.has(execId)) {
        hooks.counters.duplicates++;
        return;
      }
      hooks.seenExecIds.add(execId);
    }
    hooks.counters.applicationMessages++;
    const location = `${hooks.source} seq ${this.currentSeq}`;
    const result = hooks.mapper.map(msgType, view, location);
    if (result.errors.length > 0) this.reject(result.errors);
    if (result.events.length === 0) return;
    if (this.ledger.nextExpected <= this.currentSeq) {
      // Numbers below this one are still owed: hold its events until the resend fills the
      // gap, so the engine sees executions in the venue's order (FIX asks the receiver to
      // queue messages beyond a gap; the engine underneath forwards them at once).
      this.held.set(this.currentSeq, result.events);
      return;
    }
    this.deliver(result.events);
  }

  private deliver(events: MarketEvent[]): void {
    this.hooks.stats.accept(this.hooks.source, events.length);
    this.hooks.onEvents(events);
  }

  /** Delivers held messages that no open gap precedes any more (all of them when `all`). */
  private release(all = false): void {
    if (this.held.size === 0) return;
    const frontier = all ? Number.POSITIVE_INFINITY : this.ledger.nextExpected;
    const ready = [...this.held.keys()].filter((seq) => seq < frontier).sort((a, b) => a - b);
    for (const seq of ready) {
      const events = this.held.get(seq) as MarketEvent[];
      this.held.delete(seq);
      this.deliver(events);
    }
  }

  private reject(errors: InvalidEventError[]): void {
    this.hooks.stats.reject(this.hooks.source, errors);
  }

  protected override onLogon(view: MsgView, _user: string, _password: string): boolean {
    const description = this.config.description;
    const sender = view.getString(49);
    const target = view.getString(56);
    if (sender !== description.TargetCompID || target !== description.SenderCompId) {
      this.hooks.counters.refusedLogons++;
      this.hooks.warn('FIX logon refused: unexpected CompIDs', {
        source: this.hooks.source,
        senderCompId: sender,
        targetCompId: target,
        expectedSenderCompId: description.TargetCompID,
        expectedTargetCompId: description.SenderCompId,
      });
      return false;
    }
    this.hooks.counters.logons++;
    return true;
  }

  protected override onReady(_view: MsgView): void {
    this.hooks.onReady?.(this);
  }

  protected override onStopped(error?: Error): void {
    // The gap stays recorded in the ledger and is requested on the next logon; what was
    // received beyond it is delivered now rather than lost with the connection.
    this.release(true);
    if (error !== undefined) {
      this.hooks.warn('FIX session stopped', { source: this.hooks.source, reason: error.message });
    }
    this.durableStore?.flush().catch((e: Error) => {
      this.hooks.warn('FIX session store flush failed', { source: this.hooks.source, reason: e.message });
    });
    this.hooks.onStopped?.(this, error);
  }

  protected override onDecoded(_msgType: string, _txt: string): void {
    // Raw inbound text is taken in rxOnDecoded, together with the framing check.
  }

  protected override onEncoded(_msgType: string, txt: string): void {
    this.hooks.onRaw?.('out', txt);
  }
}
