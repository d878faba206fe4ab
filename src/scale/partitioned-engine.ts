/**
 * One engine split over `worker_threads`: events are routed by instrument to n partition
 * engines, each in its own thread, and their signals are merged back in a deterministic
 * order. The signal set equals a single engine's on the same input (the router keeps the
 * stream's clock, see {@link PartitionRouter}).
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { MarketEvent } from '../core/events';
import type { Signal } from '../core/signal';
import type { EngineSnapshot, EngineStats } from '../engine/engine';
import { checkPartitionCount, type PartitionOp, PartitionRouter } from './partition-router';
import { type PartitionEngineSpec, routerOptionsOf } from './partition-spec';
import type { PartitionWorkerData, TaggedSignal, WorkerReply, WorkerRequest } from './worker-protocol';

/** Options of {@link PartitionedEngine.start}. */
export interface PartitionedEngineOptions extends PartitionEngineSpec {
  /** Worker threads, one partition each. */
  workers: number;
  /** Operations buffered (over all partitions) before a round is sent (default 8,192). */
  roundOps?: number;
}

/** A worker thread failed or refused its detectors. */
export class PartitionWorkerError extends Error {
  constructor(
    readonly partition: number,
    readonly reason: string,
  ) {
    super(`partition worker ${partition}: ${reason}`);
    this.name = 'PartitionWorkerError';
  }
}

/** A request before the handle numbers it. */
type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

interface Pending {
  resolve(reply: WorkerReply): void;
  reject(error: Error): void;
}

class WorkerHandle {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  failure: Error | undefined;

  constructor(
    readonly partition: number,
    readonly worker: Worker,
  ) {
    worker.on('message', (reply: WorkerReply) => {
      if (reply.type === 'ready' || reply.type === 'failed') return;
      const p = this.pending.get(reply.id);
      if (p === undefined) return;
      this.pending.delete(reply.id);
      if (reply.type === 'error')
        p.reject(new PartitionWorkerError(partition, `${reply.name}: ${reply.message}`));
      else p.resolve(reply);
    });
    const fail = (error: Error) => {
      this.failure ??= error;
      for (const p of this.pending.values()) p.reject(error);
      this.pending.clear();
    };
    worker.on('error', (e) => fail(new PartitionWorkerError(partition, e.message)));
    worker.on('exit', (code) => fail(new PartitionWorkerError(partition, `exited with code ${code}`)));
  }

  request(message: WithoutId<WorkerRequest>): Promise<WorkerReply> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise<WorkerReply>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...message, id } as WorkerRequest);
    });
  }
}

/**
 * An engine over n worker threads. `process` is synchronous and buffers; operations go to
 * the workers in rounds (when `roundOps` accumulate, or at the end of the current turn of
 * the event loop), and signals are delivered round by round, sorted by where in the stream
 * they were emitted.
 *
 * @example
 * ```ts
 * const engine = await PartitionedEngine.start({
 *   workers: 2,
 *   detectors: { kind: 'module', module: './my-detectors.js' }, // exports createDetectors()
 * });
 * engine.onSignal((s) => console.log(s.explanation));
 * engine.processBatch(events);
 * engine.flush();
 * await engine.drain();
 * await engine.close();
 * ```
 */
export class PartitionedEngine {
  readonly partitions: number;
  private readonly router: PartitionRouter;
  private readonly handles: WorkerHandle[];
  private ops: PartitionOp[][];
  private steps: number[][];
  private buffered = 0;
  private readonly roundOps: number;
  private sendScheduled = false;
  private delivered: Promise<void> = Promise.resolve();
  private inFlight = 0;
  private readonly signalListeners: ((s: Signal) => void)[] = [];
  private readonly errorListeners: ((e: Error) => void)[] = [];
  private readonly lastStats: EngineStats[];
  private failure: Error | undefined;

  private constructor(handles: WorkerHandle[], options: PartitionedEngineOptions) {
    this.partitions = handles.length;
    this.handles = handles;
    this.roundOps = options.roundOps ?? 8_192;
    this.ops = handles.map(() => []);
    this.steps = handles.map(() => []);
    this.lastStats = handles.map(() => emptyStats());
    this.router = new PartitionRouter(
      handles.length,
      (p, op, step) => {
        (this.ops[p] as PartitionOp[]).push(op);
        (this.steps[p] as number[]).push(step);
        this.buffered++;
      },
      routerOptionsOf(options),
    );
  }

  /**
   * Starts the worker threads and waits until each has built its detectors.
   *
   * @throws {@link PartitionWorkerError} when a worker cannot build its engine (for example a
   * detector whose state spans instruments)
   */
  static async start(options: PartitionedEngineOptions): Promise<PartitionedEngine> {
    const n = checkPartitionCount(options.workers);
    const { workers: _workers, roundOps: _roundOps, ...spec } = options;
    const entry = workerEntry();
    const handles: WorkerHandle[] = [];
    const started: Promise<void>[] = [];
    for (let partition = 0; partition < n; partition++) {
      const workerData: PartitionWorkerData = { partition, partitions: n, spec };
      const worker = new Worker(entry, { workerData });
      handles.push(new WorkerHandle(partition, worker));
      started.push(
        new Promise<void>((resolve, reject) => {
          const onMessage = (reply: WorkerReply) => {
            if (reply.type === 'ready') resolve();
            else if (reply.type === 'failed') {
              reject(new PartitionWorkerError(partition, `${reply.name}: ${reply.message}`));
            }
          };
          worker.on('message', onMessage);
          worker.once('error', (e) => reject(new PartitionWorkerError(partition, e.message)));
          worker.once('exit', (code) =>
            reject(new PartitionWorkerError(partition, `exited with code ${code}`)),
          );
        }),
      );
    }
    try {
      await Promise.all(started);
    } catch (error) {
      await Promise.all(handles.map((h) => h.worker.terminate()));
      throw error;
    }
    return new PartitionedEngine(handles, options);
  }

  /** Routes one event to its partition (buffered). */
  process(e: MarketEvent): void {
    this.router.route(e);
    this.afterInput();
  }

  /** {@link PartitionedEngine.process} for each event, in order. */
  processBatch(events: readonly MarketEvent[]): void {
    for (let i = 0; i < events.length; i++) {
      this.router.route(events[i] as MarketEvent);
      if (this.buffered >= this.roundOps) this.sendRound();
    }
    this.afterInput();
  }

  /** Advances the stream's clock without an event, in every partition. */
  advanceTo(ts: number): void {
    this.router.advanceTo(ts);
    this.afterInput();
  }

  /** End of stream: closes every window in every partition. */
  flush(): void {
    this.router.flush();
    this.afterInput();
  }

  /** Calls `listener` for every merged signal; returns an unsubscribe function. */
  onSignal(listener: (signal: Signal) => void): () => void {
    this.signalListeners.push(listener);
    return () => {
      const i = this.signalListeners.indexOf(listener);
      if (i >= 0) this.signalListeners.splice(i, 1);
    };
  }

  /** Calls `listener` when a worker fails; the engine stops delivering after that. */
  onError(listener: (error: Error) => void): () => void {
    this.errorListeners.push(listener);
    return () => {
      const i = this.errorListeners.indexOf(listener);
      if (i >= 0) this.errorListeners.splice(i, 1);
    };
  }

  /** Rounds sent whose signals have not been delivered yet. */
  get roundsInFlight(): number {
    return this.inFlight;
  }

  /** Sends what is buffered and resolves once every signal so far has been delivered. */
  async drain(): Promise<void> {
    this.sendRound();
    await this.delivered;
    if (this.failure !== undefined) throw this.failure;
  }

  /**
   * Resolves when at most `maxRounds` rounds are in flight: a producer awaits it between
   * batches so it does not run ahead of the workers.
   */
  async pace(maxRounds = 4): Promise<void> {
    while (this.inFlight > maxRounds && this.failure === undefined) await this.delivered;
    if (this.failure !== undefined) throw this.failure;
  }

  /**
   * Counters summed over partitions, as of the last delivered round (synchronous, for
   * status endpoints; call {@link PartitionedEngine.drain} first for exact figures).
   */
  stats(): EngineStats {
    return sumStats(this.lastStats);
  }

  /** Each partition's state, after everything routed so far has been applied. */
  async snapshot(): Promise<EngineSnapshot[]> {
    await this.drain();
    const replies = await Promise.all(this.handles.map((h) => h.request({ type: 'snapshot' })));
    return replies.map((r) => (r as Extract<WorkerReply, { type: 'snapshot' }>).snapshot);
  }

  /** Forgets all state in every partition (routing clock included). */
  reset(): void {
    this.ops = this.handles.map(() => []);
    this.steps = this.handles.map(() => []);
    this.buffered = 0;
    this.router.restoreClock({ watermark: null, nextTickTs: null, step: 0 });
    const done = Promise.all(this.handles.map((h) => h.request({ type: 'reset' })));
    this.chain(done.then((replies) => this.recordStats(replies)));
  }

  /** Delivers what is pending and stops the workers. */
  async close(): Promise<void> {
    try {
      if (this.failure === undefined) await this.drain();
    } finally {
      await Promise.all(this.handles.map((h) => h.worker.terminate()));
    }
  }

  private afterInput(): void {
    if (this.buffered >= this.roundOps) this.sendRound();
    else if (this.buffered > 0 && !this.sendScheduled) {
      // Coalesce everything routed in this turn of the event loop into one round.
      this.sendScheduled = true;
      setImmediate(() => {
        this.sendScheduled = false;
        this.sendRound();
      });
    }
  }

  private sendRound(): void {
    if (this.buffered === 0 || this.failure !== undefined) return;
    const ops = this.ops;
    const steps = this.steps;
    this.ops = this.handles.map(() => []);
    this.steps = this.handles.map(() => []);
    this.buffered = 0;
    const replies = Promise.all(
      this.handles.map((h, p) =>
        h.request({ type: 'ops', ops: ops[p] as PartitionOp[], steps: steps[p] as number[] }),
      ),
    );
    this.chain(replies.then((r) => this.deliverRound(r)));
  }

  private chain(round: Promise<void>): void {
    this.inFlight++;
    this.delivered = this.delivered
      .then(() => round)
      .catch((error: unknown) => this.fail(error))
      .finally(() => {
        this.inFlight--;
      });
  }

  private fail(error: unknown): void {
    if (this.failure !== undefined) return;
    this.failure = error instanceof Error ? error : new Error(String(error));
    for (const listener of this.errorListeners) listener(this.failure);
  }

  private recordStats(replies: WorkerReply[]): void {
    replies.forEach((r, p) => {
      if (r.type === 'ops' || r.type === 'done') this.lastStats[p] = r.stats;
    });
  }

  private deliverRound(replies: WorkerReply[]): void {
    if (this.failure !== undefined) return;
    this.recordStats(replies);
    const merged: (TaggedSignal & { partition: number; order: number })[] = [];
    replies.forEach((r, partition) => {
      if (r.type !== 'ops') return;
      r.signals.forEach((s, order) => {
        merged.push({ ...s, partition, order });
      });
    });
    merged.sort(
      (a, b) => a.step - b.step || a.phase - b.phase || a.partition - b.partition || a.order - b.order,
    );
    for (const { signal } of merged) {
      for (let i = 0; i < this.signalListeners.length; i++)
        (this.signalListeners[i] as (s: Signal) => void)(signal);
    }
  }
}

/**
 * The worker's module. From dist/ it is the bundled `partition-worker.js`; from source
 * (tsx, vitest) it is the .ts file, loaded through a `data:` bootstrap that registers tsx
 * in the worker first.
 */
function workerEntry(): URL {
  const here = import.meta.url;
  if (here.endsWith('.ts')) {
    const tsxRoot = dirname(createRequire(here).resolve('tsx/package.json'));
    const tsxApi = pathToFileURL(join(tsxRoot, 'dist/esm/api/index.mjs')).href;
    const worker = new URL('./partition-worker.ts', here).href;
    const bootstrap =
      `import { register } from ${JSON.stringify(tsxApi)};\n` +
      'register();\n' +
      `await import(${JSON.stringify(worker)});\n`;
    return new URL(`data:text/javascript,${encodeURIComponent(bootstrap)}`);
  }
  for (const candidate of ['./partition-worker.js', '../partition-worker.js']) {
    const url = new URL(candidate, here);
    if (existsSync(fileURLToPath(url))) return url;
  }
  throw new Error(`cannot find partition-worker.js next to ${here}`);
}

function emptyStats(): EngineStats {
  return {
    events: 0,
    eventsByKind: { order_new: 0, order_cancel: 0, order_replace: 0, trade: 0, quote: 0 },
    lateEvents: 0,
    tooLateEvents: 0,
    signals: 0,
    signalsByDetector: {},
    detectorErrors: {},
    books: 0,
    restingOrders: 0,
    watermark: Number.NaN,
  };
}

/** Counters of partitions added up; the watermark is the largest. */
export function sumStats(all: readonly EngineStats[]): EngineStats {
  const out = emptyStats();
  for (const s of all) {
    out.events += s.events;
    for (const k of Object.keys(out.eventsByKind) as (keyof EngineStats['eventsByKind'])[]) {
      out.eventsByKind[k] += s.eventsByKind[k];
    }
    out.lateEvents += s.lateEvents;
    out.tooLateEvents += s.tooLateEvents;
    out.signals += s.signals;
    for (const [k, v] of Object.entries(s.signalsByDetector))
      out.signalsByDetector[k] = (out.signalsByDetector[k] ?? 0) + v;
    for (const [k, v] of Object.entries(s.detectorErrors))
      out.detectorErrors[k] = (out.detectorErrors[k] ?? 0) + v;
    out.books += s.books;
    out.restingOrders += s.restingOrders;
    if (!Number.isNaN(s.watermark) && (Number.isNaN(out.watermark) || s.watermark > out.watermark)) {
      out.watermark = s.watermark;
    }
  }
  return out;
}
