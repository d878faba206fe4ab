/**
 * The gRPC service on @grpc/grpc-js: a thin adapter from the generated service definition
 * to the application services, with bearer-token roles, optional TLS and the standard
 * health service.
 *
 * @module
 */
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import {
  type Case,
  InvalidCaseActionError,
  REPORT_FORMATS,
  type ReportFormat,
  renderReport,
} from '../cases/index';

const REPORT_CONTENT_TYPES: Record<ReportFormat, string> = {
  md: 'text/markdown; charset=utf-8',
  html: 'text/html; charset=utf-8',
  json: 'application/json',
};

import type { Trade } from '../core/events';
import type { Signal } from '../core/signal';
import type { TapewatchApp } from '../service/app';
import { AuthError, type Principal, type Role, type TokenAuthenticator } from '../service/auth';
import type { SubscribeOptions, Subscription } from '../service/broadcaster';
import type { ActorInput, CaseService } from '../service/case-service';
import { type ErrorKind, errorKindOf, PreconditionError } from '../service/error-kinds';
import { RateLimitedError, type RateLimiter } from '../service/rate-limit';
import type { SimulationService } from '../service/simulation-service';
import {
  episodeToProto,
  eventFromProto,
  eventToProto,
  injectParams,
  signalToProto,
  simulationStatusToProto,
} from './convert';
import { caseActionFromProto, caseQueryFromProto, caseToProto } from './convert-cases';
import {
  type HealthCheckRequest,
  type HealthCheckResponse,
  HealthCheckResponse_ServingStatus,
  HealthService,
} from './gen/grpc/health/v1/health';
import type {
  AssignCaseRequest,
  CaseReportRequest,
  CaseReportResponse,
  CommentCaseRequest,
  GetCaseRequest,
  ListCasesRequest,
  ListCasesResponse,
  Case as PbCase,
  TransitionCaseRequest,
} from './gen/tapewatch/v1/cases';
import type { IngestAck } from './gen/tapewatch/v1/events';
import {
  type StatusRequest,
  type StatusResponse,
  type SubscribeRequest,
  TapewatchServiceService,
} from './gen/tapewatch/v1/service';
import {
  type ControlSimulationRequest,
  ControlSimulationRequest_Action,
  type InjectScenarioRequest,
  type InjectScenarioResponse,
  type ResetRequest,
  type ResetResponse,
  type SimulationStatus,
} from './gen/tapewatch/v1/simulation';
import { type DecodedBatch, decodeEventBatch, isUndecodable } from './wire';

/** Options of {@link startGrpcServer}. */
export interface GrpcServerOptions {
  app: TapewatchApp;
  auth: TokenAuthenticator;
  /** Interface to bind (default 127.0.0.1). */
  host?: string;
  /** Port (default 50051; 0 picks a free one). */
  port?: number;
  /** PEM files for TLS; plaintext when absent. */
  tls?: { keyPath: string; certPath: string };
  /** Per-subscriber buffer, in messages (default 10,000). */
  subscriberCapacity?: number;
  /** Largest message accepted, bytes (default 64 MiB). */
  maxReceiveMessageBytes?: number;
  /** Per-caller call rate limit (unary calls and stream opens); none when absent. */
  rateLimiter?: RateLimiter;
  /** The simulator behind InjectScenario, Reset and ControlSimulation, when the server runs one. */
  simulation?: SimulationService;
  /** Receives a line per notable server event (auth failures, stream errors). */
  log?: (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;
}

/** A running server. */
export interface GrpcServerHandle {
  /** The port actually bound. */
  readonly port: number;
  readonly server: grpc.Server;
  /** Stops accepting calls and ends open ones. */
  close(): Promise<void>;
}

const SERVICE_NAME = 'tapewatch.v1.TapewatchService';

/**
 * Starts the gRPC service.
 *
 * @example
 * ```ts
 * const app = new TapewatchApp({ engine: createEngineFromConfig(config) });
 * const server = await startGrpcServer({ app, auth: new TokenAuthenticator([]), port: 50051 });
 * ```
 */
export async function startGrpcServer(options: GrpcServerOptions): Promise<GrpcServerHandle> {
  const { app, auth } = options;
  const log = options.log ?? (() => {});
  const capacity = options.subscriberCapacity;
  const server = new grpc.Server({
    'grpc.max_receive_message_length': options.maxReceiveMessageBytes ?? 64 * 1024 * 1024,
  });

  const authorize = (metadata: grpc.Metadata, required: Role, method: string): Principal => {
    const value = metadata.get('authorization')[0];
    try {
      const principal = auth.authorize(typeof value === 'string' ? value : undefined, required);
      options.rateLimiter?.take(principal.name);
      return principal;
    } catch (error) {
      if (error instanceof AuthError || error instanceof RateLimitedError)
        log('warn', 'call refused', { method, reason: error.message });
      throw error;
    }
  };

  /** A unary method: authorize, run (sync or async), map any failure to its status code. */
  const unary =
    <Req, Res>(
      method: string,
      role: Role,
      handler: (request: Req, principal: Principal) => Res | Promise<Res>,
    ) =>
    (call: grpc.ServerUnaryCall<Req, Res>, callback: grpc.sendUnaryData<Res>): void => {
      const fail = (error: unknown): void => {
        if (errorKindOf(error) === 'internal') log('error', 'call failed', { method, error: String(error) });
        callback(toStatus(error));
      };
      let principal: Principal;
      try {
        principal = authorize(call.metadata, role, method);
      } catch (error) {
        fail(error);
        return;
      }
      Promise.resolve()
        .then(() => handler(call.request, principal))
        .then((response) => callback(null, response), fail);
    };
  const cases = (): CaseService => {
    if (app.cases === undefined)
      throw new PreconditionError('this server keeps no cases (start it with a case store: --db)');
    return app.cases;
  };
  /** Who acts: always the caller's token name, never a name from the request. */
  const actor = (who: Principal, expectedVersion: number | undefined, note?: string): ActorInput => ({
    actor: who.name,
    ...(note === undefined || note === '' ? {} : { note }),
    ...(expectedVersion === undefined ? {} : { expectedVersion }),
  });
  const simulation = (): SimulationService => {
    if (options.simulation === undefined)
      throw new PreconditionError('this server runs no simulator (start one with `tapewatch demo`)');
    return options.simulation;
  };

  // Ingest decodes tolerantly so one bad event cannot end the stream (see wire.ts).
  const definition = {
    ...TapewatchServiceService,
    ingest: {
      ...TapewatchServiceService.ingest,
      requestDeserialize: (value: Buffer): DecodedBatch => decodeEventBatch(value),
    },
  };

  const ingest = (call: grpc.ServerDuplexStream<DecodedBatch, IngestAck>): void => {
    try {
      authorize(call.metadata, 'admin', 'Ingest');
    } catch (error) {
      call.emit('error', toStatus(error));
      return;
    }
    call.on('data', (batch: DecodedBatch) => {
      const ack = ingestBatch(app, batch);
      // Flow control: stop reading while the client is not reading its acks.
      if (!call.write(ack)) {
        call.pause();
        call.once('drain', () => call.resume());
      }
    });
    call.on('end', () => call.end());
    call.on('error', (error) => log('warn', 'ingest stream error', { error: String(error) }));
  };

  const subscribe = <T, M>(
    broadcaster: { subscribe(options: SubscribeOptions<T>): Subscription<T> },
    filterOf: (request: SubscribeRequest) => ((item: T) => boolean) | undefined,
    toMessage: (item: T) => M,
    method: string,
  ) => {
    return (call: grpc.ServerWritableStream<SubscribeRequest, M>): void => {
      let sub: Subscription<T>;
      try {
        authorize(call.metadata, 'viewer', method);
        const filter = filterOf(call.request);
        sub = broadcaster.subscribe({
          ...(filter === undefined ? {} : { filter }),
          ...(capacity === undefined ? {} : { capacity }),
        });
      } catch (error) {
        call.emit('error', toStatus(error));
        return;
      }
      call.on('cancelled', () => sub.close());
      call.on('close', () => sub.close());
      call.on('error', () => sub.close());
      void pump(sub, call, toMessage);
    };
  };

  server.addService(definition, {
    ingest,
    subscribeTrades: subscribe<Trade, ReturnType<typeof eventToProto>>(
      { subscribe: (o) => app.trades.subscribe(o) },
      (r) => instrumentFilter(r),
      eventToProto,
      'SubscribeTrades',
    ),
    subscribeSignals: subscribe<Signal, ReturnType<typeof signalToProto>>(
      { subscribe: (o) => app.signals.subscribe(o) },
      (r) => signalFilter(r),
      signalToProto,
      'SubscribeSignals',
    ),
    subscribeCases: subscribe<Case, ReturnType<typeof caseToProto>>(
      { subscribe: (o) => cases().cases.subscribe(o) },
      (r) => signalFilter(r),
      (c) => caseToProto(c),
      'SubscribeCases',
    ),
    listCases: unary<ListCasesRequest, ListCasesResponse>('ListCases', 'viewer', async (r) => {
      const page = await cases().list(caseQueryFromProto(r));
      return {
        cases: page.cases.map((c) => caseToProto(c, r.full)),
        total: page.total,
        ...(page.nextOffset === undefined ? {} : { nextOffset: page.nextOffset }),
      };
    }),
    getCase: unary<GetCaseRequest, PbCase>('GetCase', 'viewer', async (r) =>
      caseToProto(await cases().get(r.id)),
    ),
    transitionCase: unary<TransitionCaseRequest, PbCase>('TransitionCase', 'analyst', async (r, who) =>
      caseToProto(
        await cases().transition(r.id, caseActionFromProto(r), actor(who, r.expectedVersion, r.note)),
      ),
    ),
    assignCase: unary<AssignCaseRequest, PbCase>('AssignCase', 'analyst', async (r, who) =>
      caseToProto(
        await cases().assign(
          r.id,
          r.assignee === '' ? null : r.assignee,
          actor(who, r.expectedVersion, r.note),
        ),
      ),
    ),
    commentCase: unary<CommentCaseRequest, PbCase>('CommentCase', 'analyst', async (r, who) =>
      caseToProto(await cases().comment(r.id, r.note, actor(who, r.expectedVersion))),
    ),
    caseReport: unary<CaseReportRequest, CaseReportResponse>('CaseReport', 'viewer', async (r) => {
      const format = r.format === '' ? 'md' : r.format;
      if (!(REPORT_FORMATS as readonly string[]).includes(format))
        throw new InvalidCaseActionError('format', r.format, `one of ${REPORT_FORMATS.join(', ')}`);
      const body = renderReport(await cases().get(r.id), format as ReportFormat);
      return { contentType: REPORT_CONTENT_TYPES[format as ReportFormat], body };
    }),
    status: (
      call: grpc.ServerUnaryCall<StatusRequest, StatusResponse>,
      callback: grpc.sendUnaryData<StatusResponse>,
    ) => {
      try {
        authorize(call.metadata, 'viewer', 'Status');
      } catch (error) {
        callback(toStatus(error));
        return;
      }
      const s = app.status();
      callback(null, {
        version: s.version,
        events: s.events,
        signals: s.signals,
        books: s.books,
        restingOrders: s.restingOrders,
        watermark: Number.isFinite(s.watermark) ? s.watermark : 0,
        sources: s.sources.map((x) => ({
          source: x.source,
          accepted: x.accepted,
          rejected: x.rejected,
          duplicateBatches: x.duplicateBatches,
        })),
        subscriberDrops: s.subscriberDrops,
        lateEvents: s.lateEvents,
        tooLateEvents: s.tooLateEvents,
        ...(options.simulation === undefined
          ? {}
          : { simulation: simulationStatusToProto(options.simulation.status()) }),
      });
    },
    injectScenario: unary<InjectScenarioRequest, InjectScenarioResponse>('InjectScenario', 'admin', (r) => ({
      episode: episodeToProto(simulation().inject(r.scenario, injectParams(r))),
    })),
    reset: unary<ResetRequest, ResetResponse>('Reset', 'admin', (r) => {
      simulation().reset(r.seed);
      return {};
    }),
    controlSimulation: unary<ControlSimulationRequest, SimulationStatus>(
      'ControlSimulation',
      'admin',
      (r) => {
        const sim = simulation();
        if (r.speed !== undefined && !(r.speed > 0 && r.speed <= 10_000))
          throw new RangeError(`speed = ${r.speed}: expected event seconds per wall second in (0, 10000]`);
        if (r.action === ControlSimulationRequest_Action.ACTION_PLAY) sim.play(r.speed);
        else if (r.action === ControlSimulationRequest_Action.ACTION_PAUSE) sim.pause();
        else if (r.action === ControlSimulationRequest_Action.ACTION_SET_SPEED && r.speed !== undefined)
          sim.setSpeed(r.speed);
        else throw new RangeError(`action = ${r.action}: expected PLAY, PAUSE or SET_SPEED with a speed`);
        return simulationStatusToProto(sim.status());
      },
    ),
  });
  server.addService(HealthService, {
    check: (
      call: grpc.ServerUnaryCall<HealthCheckRequest, HealthCheckResponse>,
      callback: grpc.sendUnaryData<HealthCheckResponse>,
    ) => {
      callback(null, { status: healthOf(call.request.service) });
    },
    watch: (call: grpc.ServerWritableStream<HealthCheckRequest, HealthCheckResponse>) => {
      call.write({ status: healthOf(call.request.service) });
    },
  });

  const credentials =
    options.tls === undefined
      ? grpc.ServerCredentials.createInsecure()
      : grpc.ServerCredentials.createSsl(
          null,
          [
            {
              private_key: readFileSync(options.tls.keyPath),
              cert_chain: readFileSync(options.tls.certPath),
            },
          ],
          false,
        );
  const host = options.host ?? '127.0.0.1';
  const address = host.includes(':')
    ? `[${host}]:${options.port ?? 50051}`
    : `${host}:${options.port ?? 50051}`;
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(address, credentials, (error, bound) => (error ? reject(error) : resolve(bound)));
  });
  log('info', 'gRPC listening', { host, port, tls: options.tls !== undefined });
  return {
    port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.tryShutdown(() => resolve());
        // Streams held open by subscribers would block a graceful shutdown for ever.
        setTimeout(() => server.forceShutdown(), 2_000).unref();
      }),
  };
}

function healthOf(service: string): HealthCheckResponse_ServingStatus {
  return service === '' || service === SERVICE_NAME
    ? HealthCheckResponse_ServingStatus.SERVING
    : HealthCheckResponse_ServingStatus.SERVICE_UNKNOWN;
}

/** Validates and processes one decoded batch; every problem becomes part of the ack. */
function ingestBatch(app: TapewatchApp, batch: DecodedBatch): IngestAck {
  const raws: unknown[] = new Array(batch.events.length);
  const undecodable: { index: number; reason: string }[] = [];
  for (let i = 0; i < batch.events.length; i++) {
    const e = batch.events[i] as (typeof batch.events)[number];
    if (isUndecodable(e)) {
      // Validation rejects a non-object with field '(event)'; the decode reason is kept below.
      raws[i] = null;
      undecodable.push({ index: i, reason: e.undecodable });
    } else {
      raws[i] = eventFromProto(e);
    }
  }
  const envelopeError = batch.error;
  try {
    const result = app.ingest.ingest(batch.source, batch.sequence, raws);
    const errors = result.errors.map(({ index, error }) => {
      const bad = undecodable.find((u) => u.index === index);
      return {
        index,
        field: bad === undefined ? error.field : '(event)',
        value: bad === undefined ? String(error.toJSON().value) : '',
        reason: bad === undefined ? error.reason : `undecodable protobuf: ${bad.reason}`,
      };
    });
    if (envelopeError !== undefined)
      errors.push({ index: raws.length, field: '(batch)', value: '', reason: envelopeError });
    return {
      source: result.source,
      sequence: result.sequence,
      accepted: result.accepted,
      rejected: result.rejected,
      errors,
      duplicate: result.duplicate,
    };
  } catch (error) {
    const e = error as { field?: string; value?: unknown; reason?: string; message: string };
    return {
      source: batch.source,
      sequence: batch.sequence,
      accepted: 0,
      rejected: raws.length,
      errors: [
        {
          index: 0,
          field: e.field ?? '(batch)',
          value: e.value === undefined ? '' : String(e.value),
          reason: e.reason ?? e.message,
        },
      ],
      duplicate: false,
    };
  }
}

/** Writes a subscription's items to a gRPC stream, waiting for the client when it is slow. */
async function pump<T, M>(
  sub: Subscription<T>,
  call: grpc.ServerWritableStream<SubscribeRequest, M>,
  toMessage: (item: T) => M,
): Promise<void> {
  try {
    for await (const item of sub) {
      if (!call.write(toMessage(item))) {
        // The buffer of this subscription absorbs (and, when full, drops) meanwhile.
        await once(call, 'drain');
      }
    }
  } catch {
    sub.close();
  }
}

function instrumentFilter(r: SubscribeRequest): ((t: Trade) => boolean) | undefined {
  if (r.instruments.length === 0 && r.venues.length === 0) return undefined;
  const instruments = new Set(r.instruments);
  const venues = new Set(r.venues);
  return (t) =>
    (instruments.size === 0 || instruments.has(t.instrument)) && (venues.size === 0 || venues.has(t.venue));
}

function signalFilter<T extends { instrument: string; venue: string; typology?: string | undefined }>(
  r: SubscribeRequest,
): ((s: T) => boolean) | undefined {
  if (r.instruments.length === 0 && r.venues.length === 0 && r.typologies.length === 0) return undefined;
  const instruments = new Set(r.instruments);
  const venues = new Set(r.venues);
  const typologies = new Set(r.typologies);
  return (s) =>
    (instruments.size === 0 || instruments.has(s.instrument)) &&
    (venues.size === 0 || venues.has(s.venue)) &&
    (typologies.size === 0 || (s.typology !== undefined && typologies.has(s.typology)));
}

/** An error as a gRPC status. */
const GRPC_STATUS: Record<ErrorKind, grpc.status> = {
  invalid_argument: grpc.status.INVALID_ARGUMENT,
  not_found: grpc.status.NOT_FOUND,
  failed_precondition: grpc.status.FAILED_PRECONDITION,
  conflict: grpc.status.ABORTED,
  unauthenticated: grpc.status.UNAUTHENTICATED,
  permission_denied: grpc.status.PERMISSION_DENIED,
  rate_limited: grpc.status.RESOURCE_EXHAUSTED,
  internal: grpc.status.INTERNAL,
};

function toStatus(error: unknown): grpc.ServiceError {
  const status = new Error(error instanceof Error ? error.message : String(error)) as grpc.ServiceError;
  status.code = GRPC_STATUS[errorKindOf(error)];
  status.details = status.message;
  status.metadata = new grpc.Metadata();
  return status;
}
