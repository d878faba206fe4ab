/** Helpers for the JetStream scale-out tests: unique names per test, cleanup, a cuttable TCP proxy. */
import { randomBytes } from 'node:crypto';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { MarketEvent } from '../../src/core/events';
import type { Signal } from '../../src/core/signal';
import { createEngine } from '../../src/engine/engine';
import { NatsEventPublisher, type PublisherStats } from '../../src/ingest/nats/publisher';
import { isNotFound, type NatsTopology, topologyForPrefix } from '../../src/ingest/nats/topology';
import { createDetectors } from './detectors';

export const NATS_URL = 'nats://127.0.0.1:4222';

export const byId = (a: Signal, b: Signal) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** A topology no other test uses. */
export function uniqueTopology(): NatsTopology {
  return topologyForPrefix(`twt-${randomBytes(5).toString('hex')}`);
}

export function connectTest(): Promise<NatsConnection> {
  return connect({ servers: NATS_URL });
}

/** Deletes the streams and the checkpoint bucket of a topology. */
export async function removeTopology(nc: NatsConnection, t: NatsTopology): Promise<void> {
  const jsm = await jetstreamManager(nc);
  for (const name of [t.eventStream, t.signalStream, `KV_${t.checkpointBucket}`]) {
    try {
      await jsm.streams.delete(name);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
}

/** Publishes events (in chunks) and, when `end`, closes the stream. */
export async function publish(
  nc: NatsConnection,
  t: NatsTopology,
  partitions: number,
  events: readonly MarketEvent[],
  options: { runId?: string; batchOps?: number } = {},
): Promise<PublisherStats> {
  const publisher = await NatsEventPublisher.create({
    nc,
    partitions,
    runId: options.runId ?? 'test',
    topology: t,
    batchOps: options.batchOps ?? 200,
  });
  for (let i = 0; i < events.length; i += 1_000) await publisher.publishBatch(events.slice(i, i + 1_000));
  return publisher.end();
}

/** Every signal stored on the signal subjects, in stream order. */
export async function storedSignals(nc: NatsConnection, t: NatsTopology): Promise<Signal[]> {
  const jsm = await jetstreamManager(nc);
  const info = await jsm.streams.info(t.signalStream);
  const out: Signal[] = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
    const m = await jsm.streams.getMessage(t.signalStream, { seq });
    if (m?.subject.startsWith(`${t.prefix}.sig.`)) out.push(m.json<Signal>());
  }
  return out;
}

/** The single engine's signals over the same events, sorted by ID. */
export function singleEngineSignals(events: readonly MarketEvent[]): Signal[] {
  const engine = createEngine({ detectors: createDetectors() });
  const signals: Signal[] = [];
  engine.onSignal((s) => signals.push(s));
  engine.processBatch(events);
  engine.flush();
  return signals.sort(byId);
}

/** Polls `check` until it is true or `timeoutMs` passes. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A TCP proxy in front of the NATS server whose link can be cut and restored. */
export class TcpProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(
    private readonly targetPort = 4222,
    private readonly targetHost = '127.0.0.1',
  ) {}

  async start(port = 0): Promise<void> {
    const server = createServer((client) => {
      const upstream = createConnection({ port: this.targetPort, host: this.targetHost });
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => s.destroy());
      }
      client.pipe(upstream);
      upstream.pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    this.port = (server.address() as { port: number }).port;
    this.server = server;
  }

  /** Drops every connection and refuses new ones. */
  async cut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Accepts connections again on the same port. */
  restore(): Promise<void> {
    return this.start(this.port);
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }
}
