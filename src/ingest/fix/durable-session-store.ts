/**
 * A durable FIX session store with group commit: sequence state lives in memory and is
 * written to disk at most every `syncIntervalMs` (write to a temporary file, fsync,
 * rename, all asynchronous), so persistence costs a few writes per second instead of one
 * per message, and never blocks the socket.
 *
 * What it keeps, per session: the next outgoing sequence number and the inbound
 * {@link SequenceLedger} (highest number processed and the gaps still owed). The expected
 * inbound number it reports is the start of the first open gap, so a gap detected before
 * a disconnect or a restart is requested again on the next logon.
 *
 * Crash safety: the file is marked `clean` only by an orderly close. When a store opens a
 * file that was not closed cleanly, up to `syncIntervalMs` of updates may be missing:
 * it advances the outgoing number by `uncleanSenderMargin` (a higher number is a gap the
 * peer asks us to fill; a reused one would be rejected), and re-requests inbound messages
 * from its last recorded point (duplicates are then dropped by ExecID).
 *
 * Outgoing message bodies are not kept: a drop-copy acceptor sends only session messages
 * (Logon, Heartbeat, TestRequest, ResendRequest, Reject, Logout), which FIX answers a
 * ResendRequest for with a gap fill, never a resend.
 *
 * @module
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { open, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { IFixMsgStoreRecord, IFixSessionStore, IFixSessionStoreFactory, SessionId } from 'jspurefix';
import { SequenceLedger, type SequenceLedgerState } from './sequence-ledger';

/** Options of {@link DurableSessionStore}. */
export interface DurableStoreOptions {
  /** Directory of the session files (created when missing). */
  directory: string;
  /** Longest time an update waits before it is on disk. */
  syncIntervalMs?: number;
  /** Outgoing numbers skipped after an unclean shutdown. */
  uncleanSenderMargin?: number;
}

/** What the store file holds. */
interface StoreFile {
  version: 1;
  session: string;
  creationTime: string;
  /** Next outgoing sequence number. */
  sender: number;
  ledger: SequenceLedgerState;
  clean: boolean;
}

const DEFAULT_SYNC_INTERVAL_MS = 20;
const DEFAULT_UNCLEAN_SENDER_MARGIN = 1000;

/**
 * One session's store. Create through {@link DurableSessionStoreFactory} so that every
 * connection of the same session shares one instance.
 */
export class DurableSessionStore implements IFixSessionStore {
  readonly ledger = new SequenceLedger();
  private sender = 1;
  private created = new Date();
  private dirty = false;
  private inFlight = false;
  private opened = false;
  private timer: NodeJS.Timeout | undefined;
  /** Serialises disk writes: each commit waits for the one before. */
  private writing: Promise<void> = Promise.resolve();
  private readonly file: string;
  private readonly syncIntervalMs: number;
  private readonly uncleanSenderMargin: number;
  /** How many times state was written to disk (for tests and metrics). */
  commits = 0;
  /** The last failed disk write, if any (the state stays in memory and is retried). */
  lastWriteError: Error | undefined;
  /** True when the last open found a file that had not been closed cleanly. */
  recoveredUnclean = false;

  constructor(
    readonly sessionId: SessionId,
    options: DurableStoreOptions,
  ) {
    mkdirSync(options.directory, { recursive: true });
    this.file = join(options.directory, `${sessionId.toString().replace(/[^A-Za-z0-9._-]/g, '_')}.json`);
    this.syncIntervalMs = options.syncIntervalMs ?? DEFAULT_SYNC_INTERVAL_MS;
    this.uncleanSenderMargin = options.uncleanSenderMargin ?? DEFAULT_UNCLEAN_SENDER_MARGIN;
  }

  /** Path of the store file. */
  get path(): string {
    return this.file;
  }

  /**
   * Loads the file once (later calls, from reconnects, wait for pending writes only) and
   * marks it open, so a crash from here on is detected by the next open.
   */
  async initialize(): Promise<void> {
    if (this.opened) {
      await this.writing;
      return;
    }
    this.opened = true;
    const saved = readStoreFile(this.file);
    if (saved !== undefined) {
      this.created = new Date(saved.creationTime);
      this.ledger.restore(saved.ledger);
      this.sender = saved.sender;
      this.recoveredUnclean = !saved.clean;
      if (this.recoveredUnclean) this.sender += this.uncleanSenderMargin;
    }
    this.commitNow(false);
    this.timer = setInterval(() => {
      // One commit at a time: when the disk is slower than the interval, updates simply
      // gather into the next commit instead of queueing writes.
      if (this.dirty && !this.inFlight) this.commitNow(false);
    }, this.syncIntervalMs);
    this.timer.unref();
  }

  async put(_record: IFixMsgStoreRecord): Promise<void> {
    // Outgoing bodies are not kept: see the module comment.
  }

  async get(_seqNum: number): Promise<IFixMsgStoreRecord | null> {
    return null;
  }

  async getRange(_from: number, _to: number): Promise<IFixMsgStoreRecord[]> {
    return [];
  }

  /** Next outgoing sequence number. */
  get senderSeqNum(): number {
    return this.sender;
  }

  set senderSeqNum(value: number) {
    this.sender = value;
    this.dirty = true;
  }

  /** Next expected inbound number: the first still owed. */
  get targetSeqNum(): number {
    return this.ledger.nextExpected;
  }

  set targetSeqNum(_value: number) {
    // The ledger, fed message by message, decides what is expected; see setTargetSeqNum.
  }

  /**
   * Takes effect synchronously, so a reconnect on the same store can never reuse a number,
   * whether or not the caller awaits; the returned promise is settled at once and the disk
   * write follows at the next group commit.
   */
  async setSenderSeqNum(value: number): Promise<void> {
    this.sender = value;
    this.dirty = true;
  }

  /**
   * Ignored: the engine calls this with the number after the newest message even when a
   * gap below it is still open, which would forget the gap. The ledger is updated by the
   * session for every message instead.
   */
  async setTargetSeqNum(_value: number): Promise<void> {}

  async nextSenderSeqNum(): Promise<number> {
    return this.sender;
  }

  async nextTargetSeqNum(): Promise<number> {
    return this.ledger.nextExpected;
  }

  /** Tells the store the ledger changed; it is written at the next group commit. */
  touch(): void {
    this.dirty = true;
  }

  get creationTime(): Date {
    return this.created;
  }

  /** Starts the session over: numbers from 1 both ways, nothing owed. */
  async reset(): Promise<void> {
    this.sender = 1;
    this.ledger.reset(1);
    this.created = new Date();
    this.dirty = true;
  }

  /** Writes pending state now and waits until it is on disk. */
  async flush(): Promise<void> {
    this.commitNow(false);
    await this.writing;
  }

  /** Writes the state, marked clean, and stops the timer. */
  async dispose(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    if (!this.opened) return;
    this.commitNow(true);
    await this.writing;
    this.opened = false;
  }

  private commitNow(clean: boolean): void {
    this.dirty = false;
    this.inFlight = true;
    const state: StoreFile = {
      version: 1,
      session: this.sessionId.toString(),
      creationTime: this.created.toISOString(),
      sender: this.sender,
      ledger: this.ledger.toJSON(),
      clean,
    };
    const text = JSON.stringify(state);
    // Asynchronous write + fsync + rename: the event loop keeps reading the socket while
    // the disk works. Commits are chained so a later state never lands before an earlier one.
    this.writing = this.writing
      .then(() => writeAtomically(this.file, text))
      .then(() => {
        this.commits++;
      })
      .catch((error: Error) => {
        // Kept in memory and retried at the next tick; the error is reported, not thrown
        // into the session.
        this.lastWriteError = error;
        this.dirty = true;
      })
      .finally(() => {
        this.inFlight = false;
      });
  }
}

async function writeAtomically(file: string, text: string): Promise<void> {
  const tmp = `${file}.tmp`;
  const handle = await open(tmp, 'w');
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tmp, file);
}

function readStoreFile(file: string): StoreFile | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const parsed = JSON.parse(text) as StoreFile;
  if (parsed.version !== 1 || !Number.isInteger(parsed.sender) || parsed.ledger === undefined) {
    throw new Error(`${file}: not a tapewatch FIX session store (version ${String(parsed.version)})`);
  }
  return parsed;
}

/**
 * Hands out one {@link DurableSessionStore} per session id, so a counterparty that
 * reconnects continues on the same in-memory state.
 */
export class DurableSessionStoreFactory implements IFixSessionStoreFactory {
  private readonly stores = new Map<string, DurableSessionStore>();

  constructor(private readonly options: DurableStoreOptions) {}

  create(sessionId: SessionId): DurableSessionStore {
    const key = sessionId.toString();
    let store = this.stores.get(key);
    if (store === undefined) {
      store = new DurableSessionStore(sessionId, this.options);
      this.stores.set(key, store);
    }
    return store;
  }

  /** Every store handed out. */
  all(): DurableSessionStore[] {
    return [...this.stores.values()];
  }

  /** Closes every store cleanly. */
  async disposeAll(): Promise<void> {
    await Promise.all([...this.stores.values()].map((s) => s.dispose()));
  }
}
