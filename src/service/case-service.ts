/**
 * The case application service: signals → case manager → store, plus the analyst API the
 * gRPC and HTTP adapters and the CLI call. Adapters hold no case logic of their own.
 *
 * @module
 */
import { CaseManager } from '../cases/case-manager';
import { CaseNotFoundError, ConflictError } from '../cases/errors';
import { MarketContextRecorder } from '../cases/market-context';
import type { CaseStore } from '../cases/store/case-store';
import { DEFAULT_SUPPRESSION_US, SuppressionList } from '../cases/suppression';
import type { Case, CaseDraft, CasePage, CaseQuery, Priority, Suppression } from '../cases/types';
import { applyAction, type CaseAction } from '../cases/workflow';
import type { MarketEvent } from '../core/events';
import type { Signal } from '../core/signal';
import { Broadcaster } from './broadcaster';

/** Options of {@link CaseService}. */
export interface CaseServiceOptions {
  store: CaseStore;
  /** Default: a manager with a market-context recorder. */
  manager?: CaseManager;
  /** How long a false-positive resolution suppresses its owner/typology, event-time µs. Default 7 days. */
  suppressionUs?: number;
  /** Wall clock for analysts' audit entries, epoch µs. Default `Date.now() * 1000`. */
  clockUs?: () => number;
  /** Pending drafts are written after this delay, ms (batches many signals into one transaction). Default 50. */
  flushDelayMs?: number;
  /** Attempts of an action that met a concurrent write when the caller gave no version. Default 3. */
  maxActionRetries?: number;
}

/** Who acts, and optionally the version they saw (then a stale version is a {@link ConflictError}). */
export interface ActorInput {
  actor: string;
  note?: string;
  /** The case version the analyst's screen showed. Without it, the action applies to the latest version. */
  expectedVersion?: number;
}

/** Counters of a {@link CaseService}. */
export interface CaseServiceStats {
  /** Drafts waiting for the next flush. */
  pendingDrafts: number;
  /** Drafts written. */
  upserts: number;
  casesCreated: number;
  /** Flushes the store refused (the drafts are kept and retried). */
  flushFailures: number;
  lastFlushError?: string;
  suppressedSignals: number;
}

/**
 * Cases for an application: feeds the case manager, writes drafts to the store in batches,
 * publishes every changed case on {@link CaseService.cases}, and runs analysts' actions with
 * optimistic concurrency.
 *
 * @example
 * ```ts
 * const cases = await CaseService.open({ store: await openCaseStore('./tapewatch.db') });
 * const app = new TapewatchApp({ engine, cases });
 * const page = await cases.list({ state: 'open', order: 'score' });
 * await cases.transition(page.cases[0].id, { type: 'triage' }, { actor: 'ana' });
 * ```
 */
export class CaseService {
  readonly store: CaseStore;
  readonly manager: CaseManager;
  /** False-positive feedback, loaded from the store and kept current. */
  readonly suppressions: SuppressionList;
  /** Every case the engine or an analyst changed, after it was stored. */
  readonly cases = new Broadcaster<Case>();
  private readonly suppressionUs: number;
  private readonly clockUs: () => number;
  private readonly flushDelayMs: number;
  private readonly maxActionRetries: number;
  private pending: CaseDraft[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private counters = { upserts: 0, casesCreated: 0, flushFailures: 0 };
  private lastFlushError: string | undefined;

  private constructor(options: CaseServiceOptions, suppressions: SuppressionList) {
    this.store = options.store;
    this.suppressions = suppressions;
    this.manager =
      options.manager ?? new CaseManager({ recorder: new MarketContextRecorder(), suppressions });
    this.suppressionUs = options.suppressionUs ?? DEFAULT_SUPPRESSION_US;
    this.clockUs = options.clockUs ?? (() => Date.now() * 1000);
    this.flushDelayMs = options.flushDelayMs ?? 50;
    this.maxActionRetries = options.maxActionRetries ?? 3;
  }

  /**
   * Initialises the store and loads its suppressions. When `manager` is given, build it with
   * the same {@link SuppressionList} (`service.suppressions`) to honour analysts' feedback; the
   * default manager does.
   */
  static async open(options: CaseServiceOptions): Promise<CaseService> {
    await options.store.init();
    const suppressions = new SuppressionList(await options.store.suppressions());
    return new CaseService(options, suppressions);
  }

  /** Market context for cases: call with every processed event (only trades are kept). */
  onEvent(e: MarketEvent): void {
    this.manager.onEvent(e);
  }

  /** Folds a signal; its drafts are written on the next flush. */
  onSignal(signal: Signal): void {
    const drafts = this.manager.onSignal(signal);
    if (drafts.length === 0) return;
    for (const d of drafts) this.pending.push(d);
    if (this.timer === undefined) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        void this.flush();
      }, this.flushDelayMs);
      this.timer.unref?.();
    }
  }

  /**
   * Writes pending drafts now, in order. A store failure keeps the drafts for the next flush
   * (nothing is lost) and is counted in {@link CaseService.stats}. Resolves when written.
   */
  flush(): Promise<void> {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.flushing = this.flushing.then(async () => {
      if (this.pending.length === 0) return;
      const batch = this.pending;
      this.pending = [];
      try {
        const results = await this.store.upsert(batch);
        this.counters.upserts += batch.length;
        const latest = new Map<string, Case>();
        for (const r of results) {
          if (r.created) this.counters.casesCreated++;
          if (r.changed) latest.set(r.case.id, r.case);
        }
        for (const c of latest.values()) this.cases.publish(c);
      } catch (error) {
        this.counters.flushFailures++;
        this.lastFlushError = error instanceof Error ? error.message : String(error);
        this.pending = batch.concat(this.pending);
      }
    });
    return this.flushing;
  }

  /** One page of cases. */
  list(query?: CaseQuery): Promise<CasePage> {
    return this.store.query(query);
  }

  /**
   * One case.
   *
   * @throws CaseNotFoundError
   */
  async get(id: string): Promise<Case> {
    const c = await this.store.get(id);
    if (c === undefined) throw new CaseNotFoundError(id);
    return c;
  }

  /**
   * Applies an analyst's action and stores it. With `expectedVersion`, a case changed since is
   * a {@link ConflictError}; without, the action is re-applied to the latest version (and
   * re-checked against the workflow) up to `maxActionRetries` times. A `false_positive` close
   * also records a suppression of the case's owner and typology.
   *
   * @throws IllegalTransitionError, InvalidCaseActionError, ConflictError, CaseNotFoundError
   */
  async transition(id: string, action: CaseAction, input: ActorInput): Promise<Case> {
    for (let attempt = 1; ; attempt++) {
      const current = await this.get(id);
      const expected = input.expectedVersion ?? current.version;
      if (expected !== current.version) throw new ConflictError(id, expected, current.version);
      const meta = {
        actor: input.actor,
        at: this.clockUs(),
        ...(input.note === undefined ? {} : { note: input.note }),
      };
      const next = applyAction(current, action, meta);
      let written: Case;
      try {
        written = await this.store.update(next, expected);
      } catch (error) {
        const canRetry = input.expectedVersion === undefined && attempt < this.maxActionRetries;
        if (error instanceof ConflictError && canRetry) continue;
        throw error;
      }
      if (action.type === 'close' && action.resolution === 'false_positive') {
        await this.suppress(written, input.actor, meta.at);
      }
      this.cases.publish(written);
      return written;
    }
  }

  /** Assigns (or with `null` unassigns) a case. */
  assign(id: string, assignee: string | null, input: ActorInput): Promise<Case> {
    return this.transition(id, { type: 'assign', assignee }, input);
  }

  /** Adds a comment (`note`) to a case. */
  comment(id: string, note: string, input: Omit<ActorInput, 'note'>): Promise<Case> {
    return this.transition(id, { type: 'comment' }, { ...input, note });
  }

  /** Sets a case's priority. */
  setPriority(id: string, priority: Priority, input: ActorInput): Promise<Case> {
    return this.transition(id, { type: 'set_priority', priority }, input);
  }

  private async suppress(c: Case, actor: string, at: number): Promise<void> {
    const s: Suppression = {
      owner: c.owner,
      typology: c.typology,
      until: c.window.end + this.suppressionUs,
      caseId: c.id,
      actor,
      at,
    };
    await this.store.addSuppression(s);
    this.suppressions.add(s);
  }

  /** Counters for status pages and metrics. */
  stats(): CaseServiceStats {
    const out: CaseServiceStats = {
      pendingDrafts: this.pending.length,
      ...this.counters,
      suppressedSignals: this.manager.stats().suppressed,
    };
    if (this.lastFlushError !== undefined) out.lastFlushError = this.lastFlushError;
    return out;
  }

  /** Forgets the manager's merge state (simulator reset). Stored cases stay. */
  reset(): void {
    this.pending = [];
    this.manager.reset();
  }

  /** Writes what is pending, ends subscriptions and closes the store. */
  async close(): Promise<void> {
    await this.flush();
    this.cases.closeAll();
    await this.store.close();
  }
}
