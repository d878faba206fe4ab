/**
 * A partition worker on JetStream: a durable pull consumer of `<prefix>.ev.<k>` feeding a
 * partition engine, with checkpoints in KV.
 *
 * Exactly-once effects from at-least-once delivery:
 * 1. on start, the engine is restored from the partition's checkpoint (snapshot + the last
 *    stream sequence it covers) and the durable consumer is repositioned right after it;
 * 2. signals go out (to `<prefix>.sig.<k>` with the signal ID as message ID, and to an
 *    optional sink that must upsert by ID) *before* the checkpoint that covers the events
 *    behind them, and messages are acknowledged only *after* that checkpoint is written;
 * 3. a worker killed anywhere replays from its last checkpoint and re-emits the same
 *    signals (IDs are deterministic), which the server's duplicate window and the sink's
 *    upsert absorb. A message already reflected in the engine is skipped by its sequence.
 *
 * A dropped connection is survived by the client's reconnects plus recreating the consumer
 * at the last processed sequence, so nothing waits for an acknowledgement timeout.
 *
 * @module
 */
import {
  AckPolicy,
  type Consumer,
  type ConsumerMessages,
  DeliverPolicy,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
  jetstream,
  jetstreamManager,
} from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { Signal } from '../../core/signal';
import type { Engine } from '../../engine/engine';
import { applyPartitionOp, checkPartitionCount } from '../../scale/partition-router';
import { createPartitionEngine, type PartitionEngineSpec } from '../../scale/partition-spec';
import { KvCheckpointStore, type PartitionCheckpoint } from './checkpoint-store';
import { BatchDecodeError, decodeBatch } from './codec';
import {
  ensureStreams,
  eventSubject,
  isNotFound,
  type NatsTopology,
  signalSubject,
  topology,
} from './topology';

/**
 * Receives signals before the checkpoint that covers them. Replays deliver a signal again
 * with the same `id`: store them idempotently (upsert by ID).
 */
export type SignalSink = (signals: readonly Signal[]) => Promise<void>;

/** Something the worker reports: for logs, not for control flow. */
export interface WorkerLogEvent {
  level: 'info' | 'warn' | 'error';
  message: string;
  error?: unknown;
}

/** Options of {@link NatsPartitionWorker.start}. */
export interface NatsWorkerOptions {
  /** NATS server URL(s). */
  servers: string | string[];
  partition: number;
  partitions: number;
  spec: PartitionEngineSpec;
  topology?: Partial<NatsTopology>;
  /** Checkpoint after this many messages (default 100). */
  checkpointEveryMessages?: number;
  /** …or when this much wall time passed with unsaved progress, or the partition is idle (default 1 s). */
  checkpointIntervalMs?: number;
  /** Messages the consumer keeps buffered ahead of the engine (default 16). */
  fetchMessages?: number;
  /** Publish signals to `<prefix>.sig.<k>` (default true). */
  publishSignals?: boolean;
  /** Where signals go besides the signal subject (a case store). */
  signalSink?: SignalSink;
  onLog?: (event: WorkerLogEvent) => void;
}

/** Counters of a worker. */
export interface NatsWorkerStats {
  partition: number;
  /** Messages applied (undecodable ones included: they are consumed and skipped). */
  messages: number;
  events: number;
  /** Messages that were not partition batches, or batches of another partition. */
  undecodable: number;
  /** Events inside batches that failed validation, skipped. */
  invalidEvents: number;
  signals: number;
  checkpoints: number;
  /** Last stream sequence applied to the engine. */
  lastSeq: number;
  /** Last stream sequence covered by a saved checkpoint. */
  checkpointedSeq: number;
  /** Sequence the worker resumed from at start (0: from the beginning). */
  restoredFromSeq: number;
  /** Consumer re-creations after errors or reconnects. */
  consumerResets: number;
  errors: number;
}

/**
 * @example
 * ```ts
 * const worker = await NatsPartitionWorker.start({
 *   servers: 'nats://127.0.0.1:4222', partition: 0, partitions: 4,
 *   spec: specFromConfig(loadConfig('tapewatch.yaml')),
 * });
 * // … until shutdown:
 * await worker.stop();
 * ```
 */
export class NatsPartitionWorker {
  readonly topology: NatsTopology;
  private readonly js: JetStreamClient;
  private readonly durable: string;
  private messages: ConsumerMessages | undefined;
  private checkpointing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastMsg: JsMsg | undefined;
  private pendingSignals: Signal[] = [];
  private uncheckpointed = 0;
  private lastCheckpointAt = Date.now();
  private stopping = false;
  private loop: Promise<void> = Promise.resolve();
  private readonly counters: NatsWorkerStats;
  private readonly options: Required<
    Pick<
      NatsWorkerOptions,
      'checkpointEveryMessages' | 'checkpointIntervalMs' | 'fetchMessages' | 'publishSignals'
    >
  >;

  private constructor(
    private readonly nc: NatsConnection,
    private readonly jsm: JetStreamManager,
    private readonly engine: Engine,
    private readonly store: KvCheckpointStore,
    private readonly config: NatsWorkerOptions,
    t: NatsTopology,
    restored: PartitionCheckpoint | undefined,
  ) {
    this.topology = t;
    this.js = jetstream(nc);
    this.durable = `tw-worker-${config.partition}`;
    this.options = {
      checkpointEveryMessages: config.checkpointEveryMessages ?? 100,
      checkpointIntervalMs: config.checkpointIntervalMs ?? 1_000,
      fetchMessages: config.fetchMessages ?? 16,
      publishSignals: config.publishSignals ?? true,
    };
    const seq = restored?.streamSeq ?? 0;
    this.counters = {
      partition: config.partition,
      messages: restored?.counters.messages ?? 0,
      events: 0,
      undecodable: restored?.counters.undecodable ?? 0,
      invalidEvents: restored?.counters.invalidEvents ?? 0,
      signals: 0,
      checkpoints: 0,
      lastSeq: seq,
      checkpointedSeq: seq,
      restoredFromSeq: seq,
      consumerResets: 0,
      errors: 0,
    };
    engine.onSignal((s) => {
      this.pendingSignals.push(s);
      this.counters.signals++;
    });
  }

  /**
   * Connects, restores the partition's checkpoint and starts consuming.
   *
   * @throws {@link CheckpointError} when the checkpoint is damaged or of another partition count
   */
  static async start(options: NatsWorkerOptions): Promise<NatsPartitionWorker> {
    const partitions = checkPartitionCount(options.partitions);
    if (!Number.isInteger(options.partition) || options.partition < 0 || options.partition >= partitions) {
      throw new RangeError(`partition must be 0..${partitions - 1}, got ${options.partition}`);
    }
    const t = topology(options.topology);
    const engine = await createPartitionEngine(options.spec, partitions);
    const nc = await connect({
      servers: options.servers,
      name: `tapewatch-worker-${options.partition}`,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      waitOnFirstConnect: true,
    });
    try {
      const jsm = await jetstreamManager(nc);
      await ensureStreams(jsm, t);
      const kv = await new Kvm(nc).create(t.checkpointBucket, { history: 1 });
      const store = new KvCheckpointStore(kv, t.eventStream);
      const restored = await store.load(options.partition);
      if (restored !== undefined) {
        if (restored.partitions !== partitions) {
          throw new RangeError(
            `partition ${options.partition} was checkpointed with ${restored.partitions} partitions, ` +
              `this worker runs ${partitions}: repartitioning needs a fresh stream`,
          );
        }
        engine.restore(restored.engine);
      }
      const worker = new NatsPartitionWorker(nc, jsm, engine, store, options, t, restored);
      worker.watchConnection();
      worker.loop = worker.run();
      worker.timer = setInterval(
        () => worker.checkpointWhenDue(),
        Math.max(50, worker.options.checkpointIntervalMs / 4),
      );
      return worker;
    } catch (error) {
      await nc.close();
      throw error;
    }
  }

  stats(): NatsWorkerStats {
    return { ...this.counters };
  }

  /** Stops consuming, saves a last checkpoint and closes the connection. */
  async stop(): Promise<NatsWorkerStats> {
    this.stopping = true;
    clearInterval(this.timer);
    void this.messages?.stop();
    await this.loop;
    try {
      await this.checkpointing;
      await this.checkpoint();
    } catch (error) {
      this.log('warn', 'final checkpoint failed; the next start replays from the previous one', error);
    }
    await this.nc.close();
    return this.stats();
  }

  private log(level: WorkerLogEvent['level'], message: string, error?: unknown): void {
    this.config.onLog?.({
      level,
      message: `partition ${this.config.partition}: ${message}`,
      ...(error === undefined ? {} : { error }),
    });
  }

  private watchConnection(): void {
    void (async () => {
      for await (const s of this.nc.status()) {
        if (s.type === 'disconnect' || s.type === 'reconnect') {
          // Messages in flight may be lost with the socket; resume from what was applied.
          void this.messages?.stop();
          this.log('warn', `connection ${s.type}`);
        }
      }
    })();
  }

  private async run(): Promise<void> {
    let backoffMs = 100;
    while (!this.stopping) {
      try {
        const consumer = await this.resetConsumer();
        const messages = await consumer.consume({ max_messages: this.options.fetchMessages });
        this.messages = messages;
        if (this.stopping) void messages.stop();
        for await (const msg of messages) {
          this.handle(msg);
          if (this.uncheckpointed >= this.options.checkpointEveryMessages) await this.checkpoint();
        }
        backoffMs = 100;
      } catch (error) {
        if (this.stopping) break;
        this.counters.errors++;
        this.log('warn', `consumer error, resuming after sequence ${this.counters.lastSeq}`, error);
        await new Promise((r) => setTimeout(r, backoffMs));
        backoffMs = Math.min(backoffMs * 2, 5_000);
      } finally {
        this.messages = undefined;
      }
    }
  }

  /** The idle/interval checkpoint: saves unsaved progress after `checkpointIntervalMs`. */
  private checkpointWhenDue(): void {
    if (this.uncheckpointed === 0 || this.checkpointing !== undefined) return;
    if (Date.now() - this.lastCheckpointAt < this.options.checkpointIntervalMs) return;
    this.checkpoint().catch((error: unknown) => {
      this.counters.errors++;
      this.log('warn', 'checkpoint failed; retrying later', error);
    });
  }

  /** Recreates the durable consumer right after the last applied sequence. */
  private async resetConsumer(): Promise<Consumer> {
    await this.checkpointing?.catch(() => {});
    const stream = this.topology.eventStream;
    try {
      await this.jsm.consumers.delete(stream, this.durable);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    const start = this.counters.lastSeq + 1;
    await this.jsm.consumers.add(stream, {
      durable_name: this.durable,
      filter_subject: eventSubject(this.topology, this.config.partition),
      ack_policy: AckPolicy.All,
      ...(start === 1
        ? { deliver_policy: DeliverPolicy.All }
        : { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: start }),
      ack_wait: 60_000 * 1_000_000,
      max_ack_pending: Math.max(1_000, 4 * this.options.checkpointEveryMessages),
    });
    this.lastMsg = undefined;
    this.counters.consumerResets++;
    return this.js.consumers.get(stream, this.durable);
  }

  private handle(msg: JsMsg): void {
    if (msg.seq <= this.counters.lastSeq) return; // already in the engine: a redelivery
    try {
      const decoded = decodeBatch(msg.data, `${msg.subject}#${msg.seq}`);
      if (decoded.partition !== this.config.partition) {
        throw new BatchDecodeError('p', decoded.partition, `batch of another partition on ${msg.subject}`);
      }
      this.counters.invalidEvents += decoded.invalid.length;
      for (const invalid of decoded.invalid) this.log('warn', `skipped invalid event: ${invalid.message}`);
      for (const op of decoded.ops) {
        applyPartitionOp(this.engine, op);
        if (op.kind === 'event') this.counters.events++;
      }
    } catch (error) {
      if (!(error instanceof BatchDecodeError)) throw error;
      this.counters.undecodable++;
      this.log('warn', `skipped message ${msg.seq}: ${error.message}`);
    }
    this.counters.messages++;
    this.counters.lastSeq = msg.seq;
    this.lastMsg = msg;
    this.uncheckpointed++;
  }

  /**
   * Signals out, then the checkpoint, then the acknowledgement. The state, the signals and
   * the message to acknowledge are taken together, synchronously, so messages applied while
   * the checkpoint is being written belong to the next one. One checkpoint at a time.
   */
  private checkpoint(): Promise<void> {
    if (this.checkpointing !== undefined) return this.checkpointing.then(() => this.checkpoint());
    if (this.counters.lastSeq === this.counters.checkpointedSeq && this.pendingSignals.length === 0) {
      return Promise.resolve();
    }
    const seq = this.counters.lastSeq;
    const signals = this.pendingSignals;
    const msg = this.lastMsg;
    const checkpoint: PartitionCheckpoint = {
      format: 'tapewatch.partition-checkpoint',
      version: 1,
      partition: this.config.partition,
      partitions: this.config.partitions,
      streamSeq: seq,
      engine: this.engine.snapshot(),
      counters: {
        messages: this.counters.messages,
        undecodable: this.counters.undecodable,
        invalidEvents: this.counters.invalidEvents,
      },
    };
    this.pendingSignals = [];
    this.lastMsg = undefined;
    const covered = this.uncheckpointed;
    this.uncheckpointed = 0;
    this.checkpointing = (async () => {
      try {
        if (signals.length > 0) {
          if (this.options.publishSignals) {
            const subject = signalSubject(this.topology, this.config.partition);
            await Promise.all(
              signals.map((s) => this.js.publish(subject, JSON.stringify(s), { msgID: s.id })),
            );
          }
          if (this.config.signalSink !== undefined) await this.config.signalSink(signals);
        }
        await this.store.save(checkpoint);
      } catch (error) {
        // Not saved: put the signals back in front and count the messages as unsaved again.
        this.pendingSignals = [...signals, ...this.pendingSignals];
        this.uncheckpointed += covered;
        this.lastMsg ??= msg;
        throw error;
      }
      this.counters.checkpointedSeq = seq;
      this.counters.checkpoints++;
      this.lastCheckpointAt = Date.now();
      // AckAll: acknowledging the last message acknowledges every earlier one.
      msg?.ack();
    })().finally(() => {
      this.checkpointing = undefined;
    });
    return this.checkpointing;
  }
}
