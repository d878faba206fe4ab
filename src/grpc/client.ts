/**
 * The TypeScript client of the tapewatch gRPC service: typed methods, async iterators and
 * RxJS Observables for the streams, and a batching ingest helper that resends unacknowledged
 * batches after a reconnect (the server recognises resent batches, so nothing is counted
 * twice).
 *
 * @example
 * ```ts
 * import { connect } from 'tapewatch/grpc';
 * const client = connect('localhost:50051', { token: process.env.TAPEWATCH_TOKEN });
 * client.signals$({ typologies: ['spoofing'] }).subscribe((s) => console.log(s.explanation));
 * const summary = await client.ingest(events, { source: 'venue-a' });
 * ```
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { Observable } from 'rxjs';
import type { Case } from '../cases/index';
import type { MarketEvent, Trade } from '../core/events';
import type { Signal } from '../core/signal';
import { eventToProto, signalFromProto } from './convert';
import { caseFromProto } from './convert-cases';
import type { ListCasesRequest, ListCasesResponse, Case as PbCase } from './gen/tapewatch/v1/cases';
import type { IngestAck, Event as PbEvent } from './gen/tapewatch/v1/events';
import { type StatusResponse, TapewatchServiceClient } from './gen/tapewatch/v1/service';
import type { Signal as PbSignal } from './gen/tapewatch/v1/signals';
import {
  ControlSimulationRequest_Action,
  type Episode,
  type InjectScenarioRequest,
  type SimulationStatus,
} from './gen/tapewatch/v1/simulation';

/** Parameters of {@link TapewatchClient.injectScenario}; unset ones take the scenario's defaults. */
export interface InjectOptions {
  instrument?: string;
  intensity?: number;
  durationS?: number;
  accounts?: string[];
  startInS?: number;
  /** Scenario-specific numeric parameters by name. */
  extra?: Record<string, number>;
}

/** Options of {@link connect}. */
export interface ConnectOptions {
  /** Bearer token sent with every call. */
  token?: string;
  /** Use TLS; `caPath` pins a CA (for self-signed server certificates). */
  tls?: boolean | { caPath: string };
  /** Delay before a dropped stream reconnects, ms (default 500, doubling to 10 s). */
  reconnectDelayMs?: number;
}

/** Filters of a subscription. */
export interface StreamFilter {
  instruments?: string[];
  venues?: string[];
  typologies?: string[];
}

/** Options of {@link TapewatchClient.ingest}. */
export interface IngestOptions {
  /** Source name the server counts and deduplicates by (default `ts-client`). */
  source?: string;
  /** Events per batch (default 2,000). */
  batchSize?: number;
  /** Batches sent but not yet acknowledged before the sender waits (default 8). */
  maxInFlight?: number;
  /** First batch sequence (default 1). Continue a source across processes by passing the next one. */
  firstSequence?: number;
  /** Called with every ack. */
  onAck?(ack: IngestAck): void;
}

/** What an ingest run achieved. */
export interface IngestSummary {
  batches: number;
  accepted: number;
  rejected: number;
  /** Batches the server had already processed (resent after a reconnect). */
  duplicates: number;
  /** Times the stream was re-established. */
  reconnects: number;
  /** The sequence the next batch of this source should carry. */
  nextSequence: number;
}

/** Which stream a subscription follows. */
type StreamName = 'subscribeTrades' | 'subscribeSignals' | 'subscribeCases';

/** Parses `host:port`, `grpc://host:port` or `grpcs://host:port`. */
function parseUrl(url: string): { target: string; tls: boolean } {
  const match = /^(grpcs?):\/\/(.+)$/.exec(url);
  if (match === null) return { target: url, tls: false };
  return { target: match[2] as string, tls: match[1] === 'grpcs' };
}

/** Items a stream iterator holds for a slow consumer before it pauses the call. */
const FOLLOW_HIGH_WATER = 1_024;
const FOLLOW_LOW_WATER = 256;

/** A connection to a tapewatch server. */
export class TapewatchClient {
  private readonly client: TapewatchServiceClient;
  private readonly metadata = new grpc.Metadata();
  private readonly baseDelayMs: number;
  private closed = false;

  constructor(url: string, options: ConnectOptions = {}) {
    const { target, tls: urlTls } = parseUrl(url);
    const useTls = options.tls !== undefined ? options.tls !== false : urlTls;
    const credentials = useTls
      ? grpc.credentials.createSsl(
          typeof options.tls === 'object' ? readFileSync(options.tls.caPath) : undefined,
        )
      : grpc.credentials.createInsecure();
    this.client = new TapewatchServiceClient(target, credentials, {
      'grpc.max_receive_message_length': 64 * 1024 * 1024,
      'grpc.max_send_message_length': 64 * 1024 * 1024,
    });
    if (options.token !== undefined) this.metadata.set('authorization', `Bearer ${options.token}`);
    this.baseDelayMs = options.reconnectDelayMs ?? 500;
  }

  /** Engine and ingest counters (and the simulator's state when the server runs one). */
  status(): Promise<StatusResponse> {
    return this.unary('status', {});
  }

  /** Injects a labelled scenario into the server's simulator (admin). Resolves to the episode. */
  async injectScenario(scenario: string, options: InjectOptions = {}): Promise<Episode> {
    const request: InjectScenarioRequest = {
      scenario,
      accounts: options.accounts ?? [],
      extra: options.extra ?? {},
      ...(options.instrument === undefined ? {} : { instrument: options.instrument }),
      ...(options.intensity === undefined ? {} : { intensity: options.intensity }),
      ...(options.durationS === undefined ? {} : { durationS: options.durationS }),
      ...(options.startInS === undefined ? {} : { startInS: options.startInS }),
    };
    const response = await this.unary<{ episode?: Episode }>('injectScenario', request);
    if (response.episode === undefined) throw new Error('InjectScenario answered without an episode');
    return response.episode;
  }

  /** Starts the simulation, engine state, counters, demo cases and narrative over (admin). */
  async reset(seed?: number): Promise<void> {
    await this.unary('reset', seed === undefined ? {} : { seed });
  }

  /** Plays the simulator in real time at `speed` (event seconds per wall second) (admin). */
  play(speed?: number): Promise<SimulationStatus> {
    return this.unary('controlSimulation', {
      action: ControlSimulationRequest_Action.ACTION_PLAY,
      ...(speed === undefined ? {} : { speed }),
    });
  }

  /** Pauses the simulator (admin). */
  pause(): Promise<SimulationStatus> {
    return this.unary('controlSimulation', { action: ControlSimulationRequest_Action.ACTION_PAUSE });
  }

  /** Changes the simulator's speed (admin). */
  setSpeed(speed: number): Promise<SimulationStatus> {
    return this.unary('controlSimulation', {
      action: ControlSimulationRequest_Action.ACTION_SET_SPEED,
      speed,
    });
  }

  /** Calls a unary method of the generated client with this connection's metadata. */
  private unary<R>(method: string, request: object): Promise<R> {
    type Unary = (r: object, m: grpc.Metadata, cb: (e: grpc.ServiceError | null, r: R) => void) => void;
    const fn = (this.client as unknown as Record<string, Unary>)[method] as Unary;
    return new Promise((resolve, reject) => {
      fn.call(this.client, request, this.metadata, (error, response) =>
        error ? reject(error) : resolve(response),
      );
    });
  }

  /** Signals as an async iterator; reconnects when the stream drops. */
  signals(filter: StreamFilter = {}): AsyncIterableIterator<Signal> {
    return this.follow('subscribeSignals', filter, (m) => signalFromProto(m as PbSignal));
  }

  /** Trades as an async iterator; reconnects when the stream drops. */
  trades(filter: StreamFilter = {}): AsyncIterableIterator<Trade> {
    return this.follow('subscribeTrades', filter, (m) => tradeFromProto(m as PbEvent));
  }

  /** Cases as they are created or change, as an async iterator; reconnects when the stream drops. */
  cases(filter: StreamFilter = {}): AsyncIterableIterator<Case> {
    return this.follow('subscribeCases', filter, (m) => caseFromProto(m as PbCase));
  }

  /** Case updates as an Observable; unsubscribing cancels the stream. */
  cases$(filter: StreamFilter = {}): Observable<Case> {
    return toObservable(() => this.cases(filter));
  }

  /** One page of cases (viewer). `full` includes signals, evidence, context and audit. */
  async listCases(
    query: Omit<Partial<ListCasesRequest>, 'states'> & { states?: string[] } = {},
  ): Promise<{ cases: Case[]; total: number; nextOffset?: number }> {
    const r = await this.unary<ListCasesResponse>('listCases', { states: [], full: false, ...query });
    return {
      cases: r.cases.map(caseFromProto),
      total: r.total,
      ...(r.nextOffset === undefined ? {} : { nextOffset: r.nextOffset }),
    };
  }

  /** One case with everything in it (viewer). */
  async getCase(id: string): Promise<Case> {
    return caseFromProto(await this.unary<PbCase>('getCase', { id }));
  }

  /**
   * A workflow action on a case (analyst): `triage`, `investigate`, `escalate`, `reopen`,
   * `close` (with `resolution`) or `set_priority` (with `priority`). The audit entry names
   * this connection's token, not anything in the request.
   */
  async transitionCase(
    id: string,
    action: string,
    options: { note?: string; resolution?: string; priority?: string; expectedVersion?: number } = {},
  ): Promise<Case> {
    return caseFromProto(
      await this.unary<PbCase>('transitionCase', { id, action, note: options.note ?? '', ...options }),
    );
  }

  /** Assigns a case, or unassigns it with `null` (analyst). */
  async assignCase(
    id: string,
    assignee: string | null,
    options: { note?: string; expectedVersion?: number } = {},
  ): Promise<Case> {
    return caseFromProto(
      await this.unary<PbCase>('assignCase', {
        id,
        assignee: assignee ?? '',
        note: options.note ?? '',
        ...options,
      }),
    );
  }

  /** The case file: `md`, `html` (with its chart) or `json` (the STOR-shaped record) (viewer). */
  async caseReport(
    id: string,
    format: 'md' | 'html' | 'json' = 'md',
  ): Promise<{ contentType: string; body: string }> {
    return this.unary('caseReport', { id, format });
  }

  /** Comments on a case (analyst). */
  async commentCase(id: string, note: string, options: { expectedVersion?: number } = {}): Promise<Case> {
    return caseFromProto(await this.unary<PbCase>('commentCase', { id, note, ...options }));
  }

  /** Signals as an Observable; unsubscribing cancels the stream. */
  signals$(filter: StreamFilter = {}): Observable<Signal> {
    return toObservable(() => this.signals(filter));
  }

  /** Trades as an Observable; unsubscribing cancels the stream. */
  trades$(filter: StreamFilter = {}): Observable<Trade> {
    return toObservable(() => this.trades(filter));
  }

  /**
   * Sends events in numbered batches over one Ingest stream, at most `maxInFlight`
   * unacknowledged at a time. When the stream drops, it reconnects and resends every
   * unacknowledged batch with its original sequence.
   */
  async ingest(
    events: Iterable<MarketEvent> | AsyncIterable<MarketEvent> | Observable<MarketEvent>,
    options: IngestOptions = {},
  ): Promise<IngestSummary> {
    const source = options.source ?? 'ts-client';
    const batchSize = options.batchSize ?? 2_000;
    const maxInFlight = options.maxInFlight ?? 8;
    const summary: IngestSummary = {
      batches: 0,
      accepted: 0,
      rejected: 0,
      duplicates: 0,
      reconnects: 0,
      nextSequence: options.firstSequence ?? 1,
    };
    const sender = new BatchSender(
      this.client,
      this.metadata,
      source,
      maxInFlight,
      this.baseDelayMs,
      (ack) => {
        summary.batches++;
        summary.accepted += ack.accepted;
        summary.rejected += ack.rejected;
        if (ack.duplicate) summary.duplicates++;
        options.onAck?.(ack);
      },
    );
    let batch: PbEvent[] = [];
    const add = async (e: MarketEvent): Promise<void> => {
      batch.push(eventToProto(e));
      if (batch.length >= batchSize) {
        const full = batch;
        batch = [];
        await sender.send(summary.nextSequence++, full);
      }
    };
    if (isSyncIterable(events)) {
      // No await per event: only when a batch is full.
      for (const e of events) {
        batch.push(eventToProto(e));
        if (batch.length >= batchSize) {
          const full = batch;
          batch = [];
          await sender.send(summary.nextSequence++, full);
        }
      }
    } else {
      for await (const e of iterate(events)) await add(e);
    }
    if (batch.length > 0) await sender.send(summary.nextSequence++, batch);
    await sender.finish();
    summary.reconnects = sender.reconnects;
    return summary;
  }

  /** Closes the channel and ends open streams. */
  close(): void {
    this.closed = true;
    this.client.close();
  }

  private follow<T>(
    stream: StreamName,
    filter: StreamFilter,
    convert: (message: unknown) => T,
  ): AsyncIterableIterator<T> {
    const queue: T[] = [];
    let waiter: { resolve(r: IteratorResult<T>): void; reject(e: unknown): void } | undefined;
    let call: grpc.ClientReadableStream<unknown> | undefined;
    let done = false;
    let failure: grpc.ServiceError | undefined;
    let delay = this.baseDelayMs;
    const request = {
      instruments: filter.instruments ?? [],
      venues: filter.venues ?? [],
      typologies: filter.typologies ?? [],
    };
    // Flow control: a consumer that falls behind pauses the call, so HTTP/2 windows fill
    // and the server's bounded per-subscriber buffer (drop-oldest, counted) takes the excess
    // instead of this process's memory.
    let paused = false;
    const deliver = (item: T): void => {
      const w = waiter;
      waiter = undefined;
      if (w !== undefined) w.resolve({ value: item, done: false });
      else {
        queue.push(item);
        if (queue.length >= FOLLOW_HIGH_WATER && !paused && call !== undefined) {
          paused = true;
          call.pause();
        }
      }
    };
    /** Ends the iterator, with an error for refusals (they would fail again on retry). */
    const finish = (error?: grpc.ServiceError): void => {
      done = true;
      failure = error;
      const w = waiter;
      waiter = undefined;
      if (w === undefined) return;
      if (error === undefined) w.resolve({ value: undefined, done: true });
      else w.reject(error);
    };
    const open = (): void => {
      if (done || this.closed) {
        finish();
        return;
      }
      const subscribe = this.client[stream] as (
        r: typeof request,
        m: grpc.Metadata,
      ) => grpc.ClientReadableStream<unknown>;
      const c = subscribe.call(this.client, request, this.metadata);
      call = c;
      paused = false;
      c.on('data', (m: unknown) => {
        delay = this.baseDelayMs;
        deliver(convert(m));
      });
      c.on('error', (error: grpc.ServiceError) => {
        if (error.code === grpc.status.CANCELLED || done || this.closed) finish();
        else if (error.code === grpc.status.UNAUTHENTICATED || error.code === grpc.status.PERMISSION_DENIED) {
          finish(error);
        } else {
          // Reconnect; items published while disconnected are not replayed.
          setTimeout(open, delay).unref();
          delay = Math.min(delay * 2, 10_000);
        }
      });
      c.on('end', () => {
        if (!done && !this.closed) setTimeout(open, delay).unref();
      });
    };
    open();
    const iterator: AsyncIterableIterator<T> = {
      next: () => {
        if (queue.length > 0) {
          const value = queue.shift() as T;
          if (paused && queue.length <= FOLLOW_LOW_WATER) {
            paused = false;
            call?.resume();
          }
          return Promise.resolve({ value, done: false });
        }
        if (failure !== undefined) return Promise.reject(failure);
        if (done) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve, reject) => {
          waiter = { resolve, reject };
        });
      },
      return: () => {
        done = true;
        call?.cancel();
        return Promise.resolve({ value: undefined, done: true });
      },
      [Symbol.asyncIterator]() {
        return iterator;
      },
    };
    return iterator;
  }
}

/** Sends numbered batches on an Ingest stream, resending the unacknowledged ones after a drop. */
class BatchSender {
  reconnects = 0;
  private readonly unacked = new Map<number, PbEvent[]>();
  private call: grpc.ClientDuplexStream<unknown, IngestAck> | undefined;
  private slotWaiters: (() => void)[] = [];
  private failure: Error | undefined;
  private delay: number;

  constructor(
    private readonly client: TapewatchServiceClient,
    private readonly metadata: grpc.Metadata,
    private readonly source: string,
    private readonly maxInFlight: number,
    private readonly baseDelayMs: number,
    private readonly onAck: (ack: IngestAck) => void,
  ) {
    this.delay = baseDelayMs;
    this.open();
  }

  async send(sequence: number, events: PbEvent[]): Promise<void> {
    while (this.unacked.size >= this.maxInFlight) {
      this.throwIfFailed();
      await new Promise<void>((resolve) => this.slotWaiters.push(resolve));
    }
    this.throwIfFailed();
    this.unacked.set(sequence, events);
    this.call?.write({ source: this.source, sequence, events });
  }

  async finish(): Promise<void> {
    while (this.unacked.size > 0) {
      this.throwIfFailed();
      await new Promise<void>((resolve) => this.slotWaiters.push(resolve));
    }
    this.call?.end();
  }

  private throwIfFailed(): void {
    if (this.failure !== undefined) throw this.failure;
  }

  private wake(): void {
    const waiters = this.slotWaiters;
    this.slotWaiters = [];
    for (const w of waiters) w();
  }

  private open(): void {
    const call = this.client.ingest(this.metadata) as grpc.ClientDuplexStream<unknown, IngestAck>;
    this.call = call;
    call.on('data', (ack: IngestAck) => {
      this.delay = this.baseDelayMs;
      if (this.unacked.delete(ack.sequence)) this.onAck(ack);
      this.wake();
    });
    call.on('error', (error: grpc.ServiceError) => {
      if (this.call !== call) return;
      if (
        error.code === grpc.status.UNAUTHENTICATED ||
        error.code === grpc.status.PERMISSION_DENIED ||
        error.code === grpc.status.INVALID_ARGUMENT
      ) {
        this.failure = error;
        this.wake();
        return;
      }
      this.call = undefined;
      setTimeout(() => {
        this.reconnects++;
        this.open();
        // Resend in sequence order; the server skips what it already processed.
        for (const [sequence, events] of [...this.unacked.entries()].sort((a, b) => a[0] - b[0])) {
          this.call?.write({ source: this.source, sequence, events });
        }
      }, this.delay).unref();
      this.delay = Math.min(this.delay * 2, 10_000);
    });
  }
}

function tradeFromProto(e: PbEvent): Trade {
  const t = e.trade;
  if (t === undefined) throw new Error('SubscribeTrades delivered an event without a trade body');
  const trade: Trade = {
    kind: 'trade',
    ts: e.ts,
    venue: e.venue,
    instrument: e.instrument,
    tradeId: t.tradeId,
    price: t.price,
    qty: t.qty,
    aggressor: t.aggressor === 1 ? 'buy' : 'sell',
  };
  if (e.seq !== undefined) trade.seq = e.seq;
  if (t.buyAccount !== undefined) trade.buyAccount = t.buyAccount;
  if (t.sellAccount !== undefined) trade.sellAccount = t.sellAccount;
  if (t.buyOrderId !== undefined) trade.buyOrderId = t.buyOrderId;
  if (t.sellOrderId !== undefined) trade.sellOrderId = t.sellOrderId;
  if (t.txHash !== undefined) trade.txHash = t.txHash;
  if (t.block !== undefined) trade.block = t.block;
  if (t.logIndex !== undefined) trade.logIndex = t.logIndex;
  return trade;
}

function isSyncIterable<T>(source: unknown): source is Iterable<T> {
  return typeof (source as Iterable<T>)[Symbol.iterator] === 'function' && !(source instanceof Observable);
}

async function* iterate<T>(source: Iterable<T> | AsyncIterable<T> | Observable<T>): AsyncIterable<T> {
  if (source instanceof Observable) {
    const buffer: T[] = [];
    let wake: (() => void) | undefined;
    let finished = false;
    let failure: unknown;
    const subscription = source.subscribe({
      next: (v) => {
        buffer.push(v);
        wake?.();
      },
      error: (e) => {
        failure = e;
        finished = true;
        wake?.();
      },
      complete: () => {
        finished = true;
        wake?.();
      },
    });
    try {
      for (;;) {
        const item = buffer.shift();
        if (item !== undefined) {
          yield item;
          continue;
        }
        if (failure !== undefined) throw failure;
        if (finished) return;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
      }
    } finally {
      subscription.unsubscribe();
    }
  }
  yield* source as Iterable<T> | AsyncIterable<T>;
}

function toObservable<T>(start: () => AsyncIterableIterator<T>): Observable<T> {
  return new Observable<T>((subscriber) => {
    const iterator = start();
    let active = true;
    (async () => {
      try {
        for (;;) {
          const r = await iterator.next();
          if (!active) return;
          if (r.done) return subscriber.complete();
          subscriber.next(r.value);
        }
      } catch (error) {
        if (active) subscriber.error(error);
      }
    })();
    return () => {
      active = false;
      void iterator.return?.();
    };
  });
}

/**
 * Connects to a tapewatch server.
 *
 * @param url - `host:port`, `grpc://host:port` or `grpcs://host:port`
 */
export function connect(url: string, options: ConnectOptions = {}): TapewatchClient {
  return new TapewatchClient(url, options);
}
