/**
 * `tapewatch serve`: the engine behind the gRPC service, until interrupted.
 *
 * @module
 */

import { DEFAULT_DB, openCaseStore } from '../../cases/store/open-store';
import { createEngineFromConfig, type TapewatchConfig } from '../../config';
import { startGrpcServer } from '../../grpc/server';
import { createGateway, startHttpServer } from '../../http/gateway';
import { CexFeed } from '../../ingest/cex/cex-feed';
import type { DexPoller } from '../../ingest/dex/rpc-poller';
import type { FixAcceptorHandle } from '../../ingest/fix/fix-acceptor';
import { specFromConfig } from '../../scale/partition-spec';
import { PartitionedEngine } from '../../scale/partitioned-engine';
import { type PipelineEngine, TapewatchApp } from '../../service/app';
import { TokenAuthenticator, type TokenGrant } from '../../service/auth';
import { CaseService } from '../../service/case-service';
import { createLogger, logFunction } from '../../service/logger';
import { ServiceMetrics } from '../../service/metrics';
import { RateLimiter } from '../../service/rate-limit';
import type { ServerConfig } from '../../service/server-config';
import { type CliIo, UsageError } from '../io';
import { resolveConfig } from './replay';

/** Flags of `serve` that override the configuration. */
export interface ServeOptions {
  configPath?: string;
  host?: string;
  grpcPort?: number;
  httpPort?: number;
  /** Run the FIX drop-copy acceptor on this port (`ingest.fix` gives the rest). */
  fixPort?: number;
  version: string;
  /**
   * Split the engine over this many worker threads (partitions by instrument); absent or 0
   * runs one engine in the main thread.
   */
  workers?: number;
  /** A module exporting `createDetectors()`, used instead of the configured detectors. */
  detectorModule?: string;
  /** Case store: SQLite path (default `./tapewatch.db`), `postgres://…` or `memory`. */
  db?: string;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/** Resolves configured tokens, reading `tokenEnv` variables. */
export function tokenGrants(server: ServerConfig, env: NodeJS.ProcessEnv = process.env): TokenGrant[] {
  return server.auth.tokens.map((t, i) => {
    const token = t.token ?? env[t.tokenEnv as string];
    if (token === undefined || token.length === 0) {
      throw new UsageError(
        `server.auth.tokens.${i} (${t.name}): environment variable ${t.tokenEnv} is not set`,
      );
    }
    return { token, role: t.role, name: t.name };
  });
}

/** Starts the service; resolves once listening, with a function that stops it. */
export async function startServe(
  options: ServeOptions,
  io: CliIo,
): Promise<{
  app: TapewatchApp;
  /** The engine split over worker threads, with `--workers`. */
  partitioned: PartitionedEngine | undefined;
  grpcPort: number;
  httpPort: number;
  /** The FIX acceptor, when `fixPort` was given. */
  fix?: FixAcceptorHandle;
  config: TapewatchConfig;
  stop(): Promise<void>;
}> {
  const config = resolveConfig(options.configPath, io);
  const server = { ...config.server };
  if (options.host !== undefined) server.host = options.host;
  if (options.grpcPort !== undefined) server.grpcPort = options.grpcPort;
  if (options.httpPort !== undefined) server.httpPort = options.httpPort;
  const grants = tokenGrants(server);
  if (grants.length === 0 && !LOOPBACK.has(server.host)) {
    throw new UsageError(
      `refusing to serve on ${server.host} without tokens: configure server.auth.tokens or bind 127.0.0.1`,
    );
  }
  const logger = createLogger();
  const partitioned =
    options.workers === undefined || options.workers === 0
      ? undefined
      : await PartitionedEngine.start({
          ...specFromConfig(config),
          ...(options.detectorModule === undefined
            ? {}
            : { detectors: { kind: 'module' as const, module: options.detectorModule } }),
          workers: options.workers,
        });
  if (partitioned === undefined && options.detectorModule !== undefined) {
    throw new UsageError('--detectors needs --workers (worker threads build detectors from the module)');
  }
  const engine: PipelineEngine = partitioned ?? createEngineFromConfig(config);
  partitioned?.onError((error) => {
    logger.error({ err: error }, 'partition worker failed; signals stop until restart');
  });
  const cases = await CaseService.open({ store: await openCaseStore(options.db ?? DEFAULT_DB) });
  const app = new TapewatchApp({
    engine,
    cases,
    version: options.version,
    maxBatchEvents: server.maxBatchEvents,
    maxFutureSkewUs: server.maxFutureSkewMs * 1000,
  });
  const auth = new TokenAuthenticator(grants);
  // One limiter for both surfaces: a caller's budget is the same whichever it uses.
  const rateLimiter = new RateLimiter(server.rateLimit);
  const log = logFunction(logger);
  const grpcServer = await startGrpcServer({
    app,
    auth,
    host: server.host,
    port: server.grpcPort,
    subscriberCapacity: server.subscriberBufferSize,
    ...(server.tls === undefined ? {} : { tls: server.tls }),
    rateLimiter,
    log,
  });
  const gateway = createGateway({
    app,
    auth,
    metrics: new ServiceMetrics(app),
    subscriberCapacity: server.subscriberBufferSize,
    rateLimiter,
    log,
  });
  const httpServer = await startHttpServer(gateway, {
    host: server.host,
    port: server.httpPort,
    ...(server.tls === undefined ? {} : { tls: server.tls }),
  });
  const fix =
    options.fixPort === undefined
      ? undefined
      : // Loaded on demand, like the DEX poller below: both pull in large libraries.
        await (await import('../../ingest/fix/fix-acceptor')).startFixAcceptor({
          config: { ...config.ingest.fix, port: options.fixPort },
          sink: (events) => app.process(events),
          stats: app.stats,
          log,
        });
  const dexRpc = config.ingest.dex.rpc;
  const dex: DexPoller | undefined =
    dexRpc === undefined
      ? undefined
      : new (await import('../../ingest/dex/rpc-poller')).DexPoller({
          config: config.ingest.dex,
          sink: (trades) => app.process(trades),
          stats: app.stats,
          onError: (error) =>
            log('warn', 'DEX poller round failed', { url: dexRpc.url, reason: error.message }),
        });
  dex?.start();
  const feeds = config.ingest.cex.map(
    (feedConfig) =>
      new CexFeed({
        config: feedConfig,
        sink: (events) => app.process(events),
        stats: app.stats,
        onGap: (gap) => log('warn', 'CEX feed sequence gap', { venue: feedConfig.venue, ...gap }),
        onError: (error) => log('warn', 'CEX feed error', { venue: feedConfig.venue, reason: error.message }),
      }),
  );
  for (const feed of feeds) feed.start();
  const scheme = server.tls ? 'https' : 'http';
  io.err(
    `tapewatch ${options.version}${partitioned ? ` (${partitioned.partitions} worker threads)` : ''} serving gRPC on ${server.host}:${grpcServer.port}${server.tls ? ' (TLS)' : ''}, ` +
      `HTTP on ${scheme}://${server.host}:${httpServer.port}; ` +
      `${grants.length === 0 ? 'no tokens configured: open access on loopback' : `${grants.length} token(s)`}` +
      `${fix === undefined ? '' : `; FIX acceptor ${fix.config.senderCompId} ← ${fix.config.targetCompId} on ${fix.host}:${fix.port}`}\n`,
  );
  return {
    app,
    partitioned,
    grpcPort: grpcServer.port,
    httpPort: httpServer.port,
    ...(fix === undefined ? {} : { fix }),
    config,
    stop: async () => {
      await Promise.all(feeds.map((f) => f.stop()));
      await dex?.stop();
      await fix?.close();
      app.close();
      await Promise.all([grpcServer.close(), httpServer.close()]);
      await cases.close();
      await partitioned?.close();
      logger.flush();
    },
  };
}

/** Runs until SIGINT/SIGTERM; returns the exit code. */
export async function runServe(options: ServeOptions, io: CliIo): Promise<number> {
  const running = await startServe(options, io);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  io.err('shutting down…\n');
  await running.stop();
  return 0;
}
