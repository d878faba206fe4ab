/**
 * Publishes a market stream to JetStream partitions: events are routed by instrument (with
 * the stream's clock, see `PartitionRouter`), packed many per message and published to
 * `<prefix>.ev.<k>` with a message ID `<runId>.<k>.<batch>`, so a publisher that is run
 * again with the same run ID over the same input is deduplicated by the server.
 *
 * One publisher is the sequencer of a stream: the clock the partitions follow is the order
 * in which it saw events.
 *
 * @module
 */
import { type JetStreamClient, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { MarketEvent } from '../../core/events';
import { type PartitionOp, PartitionRouter, type PartitionRouterOptions } from '../../scale/partition-router';
import { encodeBatch } from './codec';
import { ensureStreams, eventSubject, type NatsTopology, topology } from './topology';

/** Options of {@link NatsEventPublisher.create}. */
export interface NatsPublisherOptions extends PartitionRouterOptions {
  nc: NatsConnection;
  partitions: number;
  /** Names this publication for deduplication; the same input with the same ID is published once. */
  runId: string;
  topology?: Partial<NatsTopology>;
  /** Operations per message (default 2,000). */
  batchOps?: number;
  /** Unacknowledged publishes allowed at once (default 64). */
  maxInFlight?: number;
  /** How long one publish waits for its acknowledgement, ms (default 30 s: a loaded server acks late). */
  publishTimeoutMs?: number;
}

/** Counters of a publisher. */
export interface PublisherStats {
  events: number;
  messages: number;
  /** Messages the server had already stored (a rerun with the same run ID). */
  duplicates: number;
  bytes: number;
  /** Last stream sequence acknowledged per partition (0 when none). */
  lastSeq: number[];
}

/**
 * @example
 * ```ts
 * const nc = await connect({ servers: 'nats://127.0.0.1:4222' });
 * const publisher = await NatsEventPublisher.create({ nc, partitions: 4, runId: 'day-2024-05-01' });
 * await publisher.publishBatch(events);
 * await publisher.end(); // closes every window and waits for every acknowledgement
 * ```
 */
export class NatsEventPublisher {
  readonly topology: NatsTopology;
  private readonly js: JetStreamClient;
  private readonly router: PartitionRouter;
  private readonly buffers: PartitionOp[][];
  private readonly batchNumbers: number[];
  private readonly inFlight = new Set<Promise<void>>();
  private readonly batchOps: number;
  private readonly maxInFlight: number;
  private failure: Error | undefined;
  private readonly counters: PublisherStats;

  private constructor(
    nc: NatsConnection,
    private readonly options: NatsPublisherOptions,
    t: NatsTopology,
  ) {
    this.topology = t;
    this.js = jetstream(nc);
    const n = options.partitions;
    this.buffers = Array.from({ length: n }, () => []);
    this.batchNumbers = new Array(n).fill(0);
    this.batchOps = options.batchOps ?? 2_000;
    this.maxInFlight = options.maxInFlight ?? 64;
    this.counters = { events: 0, messages: 0, duplicates: 0, bytes: 0, lastSeq: new Array(n).fill(0) };
    this.router = new PartitionRouter(n, (p, op) => (this.buffers[p] as PartitionOp[]).push(op), options);
  }

  /** Creates the streams when missing and returns a publisher. */
  static async create(options: NatsPublisherOptions): Promise<NatsEventPublisher> {
    if (!/^[-_a-zA-Z0-9]+$/.test(options.runId)) {
      throw new RangeError(`runId '${options.runId}' may only hold letters, digits, '-' and '_'`);
    }
    const t = topology(options.topology);
    await ensureStreams(await jetstreamManager(options.nc), t);
    return new NatsEventPublisher(options.nc, options, t);
  }

  /** Routes events and publishes every partition batch that fills up. */
  async publishBatch(events: readonly MarketEvent[]): Promise<void> {
    for (let i = 0; i < events.length; i++) {
      const p = this.router.route(events[i] as MarketEvent);
      this.counters.events++;
      if ((this.buffers[p] as PartitionOp[]).length >= this.batchOps) await this.send(p);
      // Clock ticks reach every partition; a quiet partition's buffer fills with them too.
      if (i % 4096 === 4095) await this.sendFull();
    }
    await this.sendFull();
  }

  /** Advances the stream clock without an event (a heartbeat). */
  async advanceTo(ts: number): Promise<void> {
    this.router.advanceTo(ts);
    await this.sendFull();
  }

  /** Publishes every non-empty buffer and waits for all acknowledgements. */
  async sync(): Promise<void> {
    for (let p = 0; p < this.buffers.length; p++) await this.send(p);
    await Promise.all(this.inFlight);
    if (this.failure !== undefined) throw this.failure;
  }

  /** End of stream: closes every window in every partition, publishes and waits for all acks. */
  async end(): Promise<PublisherStats> {
    this.router.flush();
    await this.sync();
    return this.stats();
  }

  stats(): PublisherStats {
    return { ...this.counters, lastSeq: [...this.counters.lastSeq] };
  }

  private async sendFull(): Promise<void> {
    for (let p = 0; p < this.buffers.length; p++) {
      if ((this.buffers[p] as PartitionOp[]).length >= this.batchOps) await this.send(p);
    }
  }

  private async send(partition: number): Promise<void> {
    if (this.failure !== undefined) throw this.failure;
    const ops = this.buffers[partition] as PartitionOp[];
    if (ops.length === 0) return;
    this.buffers[partition] = [];
    const batch = ++(this.batchNumbers[partition] as number);
    const body = encodeBatch(partition, batch, ops);
    const msgID = `${this.options.runId}.${partition}.${batch}`;
    const sent = this.js
      .publish(eventSubject(this.topology, partition), body, {
        msgID,
        timeout: this.options.publishTimeoutMs ?? 30_000,
      })
      .then((ack) => {
        this.counters.messages++;
        this.counters.bytes += body.length;
        if (ack.duplicate) this.counters.duplicates++;
        const last = this.counters.lastSeq;
        if (ack.seq > (last[partition] as number)) last[partition] = ack.seq;
      })
      .catch((error: unknown) => {
        this.failure ??= error instanceof Error ? error : new Error(String(error));
      })
      .finally(() => this.inFlight.delete(sent));
    this.inFlight.add(sent);
    while (this.inFlight.size >= this.maxInFlight) await Promise.race(this.inFlight);
    if (this.failure !== undefined) throw this.failure;
  }
}
