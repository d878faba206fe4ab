/**
 * The FIX 4.4 drop-copy acceptor: a venue (or a broker's drop-copy service) connects to
 * tapewatch and sends its executions; every application message becomes events for the
 * engine.
 *
 * @module
 */
import 'reflect-metadata';
import { createWriteStream, type WriteStream } from 'node:fs';
import type { AddressInfo, Server } from 'node:net';
import {
  DITokens,
  type IJsFixConfig,
  type IJsFixLogger,
  type ISessionDescription,
  type JsFixLogFields,
  JsFixLoggerFactory,
  SessionContainer,
  SessionRegistry,
} from 'jspurefix';
import type { MsgTransport } from 'jspurefix/dist/transport/factory/msg-transport.js';
import { TcpAcceptor } from 'jspurefix/dist/transport/tcp/tcp-acceptor.js';
import type { MarketEvent } from '../../core/events';
import { IngestStats } from '../../core/ingest-stats';
import { DurableSessionStoreFactory } from './durable-session-store';
import { type FixConfig, type FixConfigInput, FixConfigSchema } from './fix-config';
import { FixEventMapper } from './fix-mapper';
import { type FixSessionCounters, RecentIds, TapewatchFixSession } from './fix-session';

/** Log callback of the adapters (`src/service/logger.ts` makes one from pino). */
export type FixLog = (
  level: 'info' | 'warn' | 'error',
  message: string,
  fields?: Record<string, unknown>,
) => void;

/** Options of {@link startFixAcceptor}. */
export interface FixAcceptorOptions {
  /** The `ingest.fix` section (validated here). */
  config: FixConfigInput | FixConfig;
  /** Receives the events of every application message, in order. */
  sink(events: MarketEvent[]): void;
  /** Counters to add to (default: a new one). */
  stats?: IngestStats;
  log?: FixLog;
}

/** A running acceptor. */
export interface FixAcceptorHandle {
  /** The bound address. */
  host: string;
  port: number;
  config: FixConfig;
  stats: IngestStats;
  counters: FixSessionCounters;
  /** Sessions currently connected. */
  readonly sessions: readonly TapewatchFixSession[];
  /** Stops listening, logs out connected sessions and closes the store cleanly. */
  close(): Promise<void>;
}

/**
 * jspurefix logs through this: warnings and errors reach `log`; its info and debug lines
 * (several per message) are dropped before any string is built for them.
 */
class WarnLogFactory extends JsFixLoggerFactory {
  constructor(private readonly log: FixLog | undefined) {
    super();
  }

  logger(type: string, _context?: JsFixLogFields): IJsFixLogger {
    const log = this.log;
    return {
      info: () => {},
      debug: () => {},
      warning: (message: string) => log?.('warn', message, { component: `jspurefix:${type}` }),
      error: (e: Error) => log?.('error', e.message, { component: `jspurefix:${type}` }),
    };
  }

  plain(_fileName: string): IJsFixLogger {
    return { info: () => {}, debug: () => {}, warning: () => {}, error: () => {} };
  }
}

/**
 * `TcpAcceptor` listens on `tcp.port` of every interface, whatever `tcp.host` says
 * (defect (d)); this one binds the configured host, reports listen errors instead of
 * throwing them from an event handler, and knows the port it got (for port 0).
 */
export class HostBoundTcpAcceptor extends TcpAcceptor {
  private get netServer(): Server {
    return (this as unknown as { server: Server }).server;
  }

  /** Binds `host:port`; resolves with the bound address. */
  async listenOn(host: string, port: number): Promise<AddressInfo> {
    const server = this.netServer;
    server.removeAllListeners('error');
    return await new Promise<AddressInfo>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.removeListener('error', reject);
        server.on('error', () => {});
        resolve(server.address() as AddressInfo);
      });
    });
  }

  override listen(): void {
    const tcp = this.config.description.application?.tcp;
    this.listenOn(tcp?.host ?? '127.0.0.1', tcp?.port ?? 0).catch(() => {});
  }
}

/** The session description jspurefix works from. */
export function sessionDescription(config: FixConfig): ISessionDescription {
  const description = {
    application: {
      type: 'acceptor',
      name: `tapewatch-fix-${config.senderCompId}`,
      tcp: { host: config.host, port: config.port },
      protocol: 'ascii',
      dictionary: config.dictionary,
    },
    BeginString: 'FIX.4.4',
    SenderCompId: config.senderCompId,
    TargetCompID: config.targetCompId,
    HeartBtInt: config.heartBtIntSecs,
    // A drop copy must keep its numbers across logons: resetting would forget gaps.
    ResetSeqNumFlag: false,
    Username: '',
    Password: '',
    EncryptMethod: 0,
  };
  // The interface lists fields (Name, SenderSubID, TargetSubID) that FIX 4.4 sessions leave out.
  return description as unknown as ISessionDescription;
}

/** Loads the dictionary and builds jspurefix's configuration for `config`. */
export async function makeFixRuntime(config: FixConfig, log?: FixLog): Promise<IJsFixConfig> {
  const container = new SessionContainer();
  container.registerGlobal(new WarnLogFactory(log));
  const system = await container.makeSystem(sessionDescription(config));
  return system.resolve<IJsFixConfig>(DITokens.IJsFixConfig);
}

/**
 * Starts the acceptor and resolves once it listens.
 *
 * @example
 * ```ts
 * const engine = createEngine({ detectors });
 * const fix = await startFixAcceptor({
 *   config: { senderCompId: 'TAPEWATCH', targetCompId: 'VENUE', port: 9878, venue: 'venue-a' },
 *   sink: (events) => { for (const e of events) engine.process(e); },
 * });
 * // … later
 * await fix.close();
 * ```
 */
export async function startFixAcceptor(options: FixAcceptorOptions): Promise<FixAcceptorHandle> {
  const config = FixConfigSchema.parse(options.config);
  const log = options.log;
  const stats = options.stats ?? new IngestStats();
  const source = `fix:${config.targetCompId}`;
  const jsfix = await makeFixRuntime(config, log);
  const storeFactory = new DurableSessionStoreFactory({
    directory: config.storeDir,
    syncIntervalMs: config.syncIntervalMs,
  });
  jsfix.sessionStoreFactory = storeFactory;
  jsfix.sessionRegistry = new SessionRegistry(jsfix.logFactory);
  const counters: FixSessionCounters = {
    received: 0,
    applicationMessages: 0,
    garbled: 0,
    duplicates: 0,
    logons: 0,
    refusedLogons: 0,
  };
  let fixLog: WriteStream | undefined;
  if (config.logFile !== undefined) fixLog = createWriteStream(config.logFile, { flags: 'a' });
  const mapper = new FixEventMapper({ venue: config.venue, accountPartyRoles: config.accountPartyRoles });
  const seenExecIds = new RecentIds(config.dedupCapacity);
  const sessions = new Set<TapewatchFixSession>();
  const acceptor = new HostBoundTcpAcceptor(jsfix);
  acceptor.on('transport', (transport: MsgTransport) => {
    const session = new TapewatchFixSession(transport.config ?? jsfix, {
      mapper,
      onEvents: options.sink,
      stats,
      source,
      counters,
      seenExecIds,
      warn: (message, fields) => log?.('warn', message, fields),
      ...(fixLog === undefined
        ? {}
        : {
            onRaw: (_direction: 'in' | 'out', text: string) =>
              fixLog?.write(`${text.replaceAll('\u0001', '|')}\n`),
          }),
      onStopped: (s) => sessions.delete(s),
      onReady: (s) => sessions.add(s),
    });
    session.run(transport).catch((e: Error) => {
      log?.('warn', 'FIX session ended with an error', { source, reason: e.message });
    });
  });
  const address = await acceptor.listenOn(config.host, config.port);
  log?.('info', 'FIX acceptor listening', { host: address.address, port: address.port, source });
  return {
    host: address.address,
    port: address.port,
    config,
    stats,
    counters,
    get sessions() {
      return [...sessions];
    },
    close: async () => {
      for (const s of sessions) s.logout();
      await new Promise<void>((resolve) => acceptor.close(() => resolve()));
      await storeFactory.disposeAll();
      if (fixLog !== undefined) {
        const stream = fixLog;
        await new Promise<void>((resolve) => stream.end(resolve));
      }
    },
  };
}
