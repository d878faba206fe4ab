/**
 * The market simulator: a seeded venue of several order-book instruments and a DEX pool,
 * traded by market makers, noise, momentum and informed traders, with manipulation
 * scenarios injected on top. Every event of an injected actor carries a ground-truth
 * label `{ scenario, episodeId }` on a side channel; the events themselves — what an
 * attached engine sees — carry nothing that gives the truth away.
 *
 * @module
 */
import { Subject } from 'rxjs';
import type { MarketEvent } from '../core/events';
import { SeededRandom } from '../core/random';
import type { Typology } from '../core/signal';
import type { Engine } from '../engine/engine';
import { AccountUniverse } from './accounts';
import { InformedTrader } from './agents/informed-trader';
import { MarketMaker } from './agents/market-maker';
import { MomentumTrader } from './agents/momentum-trader';
import { NoiseTraders } from './agents/noise-trader';
import { DexVenue } from './dex-venue';
import { ScenarioError } from './errors';
import {
  DEFAULT_DEX_POOL,
  DEFAULT_INSTRUMENTS,
  type DexPoolProfile,
  type InstrumentProfile,
} from './instruments';
import { FairValueDriver, SimInstrument, SimMarket } from './market';
import type { MatchingBook, MatchingSink } from './matching-engine';
import { SCENARIOS } from './scenarios/index';
import { SCENARIO_NAMES, type ScenarioContext, type ScenarioName } from './scenarios/scenario';
import { Scheduler } from './scheduler';

/** 2026-01-01T00:00:00Z in epoch µs: the default start of simulated time. */
export const DEFAULT_SIM_START_US = 1_767_225_600_000_000;

/** Options of {@link Simulator}. */
export interface SimulatorOptions {
  /** Seed of every random draw (default 1). Same seed and same calls → same stream. */
  seed?: number;
  /** Event time of the first event, epoch µs (default 2026-01-01T00:00Z). */
  startTs?: number;
  /** Venue name of the order-book instruments (default `simex`). */
  venue?: string;
  /** Order-book instruments (default {@link DEFAULT_INSTRUMENTS}: BTC, ETH, SOL, DOGE, MOON). */
  instruments?: readonly InstrumentProfile[];
  /** The DEX pool, or false for none (default {@link DEFAULT_DEX_POOL}). */
  dex?: DexPoolProfile | false;
  /** Publish `quote` events on top-of-book changes (default false). */
  emitQuotes?: boolean;
  /** Interval of the venue's fixings (candle closes) in seconds; closes fall on multiples of it (default 300). */
  closeIntervalS?: number;
}

/** The ground truth attached to an injected actor's events. */
export interface GroundTruthLabel {
  scenario: ScenarioName;
  episodeId: string;
}

/** An event with its label (undefined for normal trading). */
export interface LabelledEvent {
  event: MarketEvent;
  label: GroundTruthLabel | undefined;
}

/** One injected scenario run: what happened, where, by whom and when. */
export interface Episode {
  readonly episodeId: string;
  readonly scenario: ScenarioName;
  /** Typology a detector should report for it (null for `normal`). */
  readonly typology: Typology | null;
  readonly venue: string;
  /** Instrument acted on (`*` for a `normal` control period over all). */
  readonly instrument: string;
  /** The manipulating accounts or wallets. */
  readonly accounts: readonly string[];
  /** Their beneficial owners, same order. */
  readonly owners: readonly string[];
  /** Planned start (when the actor first acts) and end, epoch µs. */
  readonly startTs: number;
  readonly endTs: number;
  /** Event time of the first and last labelled event (NaN while none). */
  firstEventTs: number;
  lastEventTs: number;
  /** Labelled events so far. */
  events: number;
  /** The validated parameters. */
  readonly params: Readonly<Record<string, unknown>>;
  readonly label: GroundTruthLabel;
}

/** The pieces of an engine the simulator drives. */
export type AttachableEngine = Pick<Engine, 'process' | 'advanceTo' | 'reset' | 'owners'>;

/** Playback state. */
export type PlayState = 'idle' | 'playing' | 'paused';

/** What {@link Simulator.status} reports. */
export interface SimulatorStatus {
  seed: number;
  /** Current event time, epoch µs. */
  now: number;
  startTs: number;
  events: number;
  episodes: number;
  state: PlayState;
  /** Playback speed (event-time seconds per wall second). */
  speed: number;
}

/** Wall-clock interval between paced steps of {@link Simulator.play}, ms. */
const PLAY_TICK_MS = 50;
/** When paced playback falls this far behind (CPU-bound), it re-anchors instead of catching up, ms. */
const PLAY_MAX_LAG_MS = 1_000;

/**
 * The simulator.
 *
 * @example
 * ```ts
 * import { createEngine } from 'tapewatch';
 * import { Simulator } from 'tapewatch/simulator';
 *
 * const sim = new Simulator({ seed: 7 });
 * const engine = createEngine({ detectors: [...] });
 * sim.attach(engine);                         // the engine sees events, never labels
 * sim.run({ forSeconds: 60 });                // a minute of normal trading, as fast as possible
 * sim.inject('spoofing', { durationS: 30 });  // then a spoofer on ETH-USDT
 * sim.run({ forSeconds: 60 });
 * sim.episodes;                               // the ground truth
 * ```
 */
export class Simulator {
  /** Every processed event (emits only while observed). */
  readonly events$ = new Subject<MarketEvent>();
  /** Every event with its label (emits only while observed). */
  readonly labelled$ = new Subject<LabelledEvent>();
  /** Accounts, wallets and their beneficial owners (the same for every seed). */
  readonly accounts = new AccountUniverse();

  private seedValue: number;
  private readonly options: SimulatorOptions;
  private readonly startTs: number;
  private readonly closeIntervalUs: number;
  private scheduler = new Scheduler();
  private market!: SimMarket;
  private nowTs: number;
  private seq = 0;
  private eventCount = 0;
  private readonly episodeList: Episode[] = [];
  private readonly listeners: ((e: MarketEvent, label: GroundTruthLabel | undefined) => void)[] = [];
  private engine: AttachableEngine | undefined;

  private playState: PlayState = 'idle';
  private speedValue = 1;
  private playUntil = Number.POSITIVE_INFINITY;
  private anchorWallMs = 0;
  private anchorSimUs = 0;
  private timer: ReturnType<typeof setInterval> | undefined;
  private resolvePlay: (() => void) | undefined;
  private playPromise: Promise<void> | undefined;

  constructor(options: SimulatorOptions = {}) {
    this.options = options;
    this.seedValue = options.seed ?? 1;
    this.startTs = options.startTs ?? DEFAULT_SIM_START_US;
    const closeS = options.closeIntervalS ?? 300;
    if (!(closeS > 0)) throw new RangeError(`closeIntervalS must be > 0, got ${closeS}`);
    this.closeIntervalUs = Math.round(closeS * 1e6);
    this.nowTs = this.startTs;
    this.build();
  }

  /** The seed of the current run. */
  get seed(): number {
    return this.seedValue;
  }

  /** Current event time, epoch µs. */
  get now(): number {
    return this.nowTs;
  }

  /** Every episode injected since the last reset, in injection order. */
  get episodes(): readonly Episode[] {
    return this.episodeList;
  }

  /** Account/wallet → beneficial owner, for `createEngine({ owners })` or tapewatch.yaml. */
  get owners(): Readonly<Record<string, string>> {
    return this.accounts.owners;
  }

  /** Order-book instrument symbols. */
  get instruments(): string[] {
    return this.market.instruments.map((i) => i.symbol);
  }

  /** Venue of the order-book instruments. */
  get venue(): string {
    return this.market.venue;
  }

  /** Venue (`chain:pool`) and symbol of the DEX pool, if any. */
  get dex(): { venue: string; instrument: string } | undefined {
    const dex = this.market.dex;
    return dex === undefined ? undefined : { venue: dex.venue, instrument: dex.symbol };
  }

  /** Interval of the venue's fixings, µs; a close falls on every multiple of it. */
  get closeInterval(): number {
    return this.closeIntervalUs;
  }

  /** The matching book of an order-book instrument (read it; do not trade on it). */
  book(symbol: string): MatchingBook | undefined {
    return this.market.bySymbol.get(symbol)?.book;
  }

  /** Current hidden fair value of an instrument or of the DEX pool's symbol. */
  fairValue(symbol: string): number | undefined {
    const dex = this.market.dex;
    if (dex !== undefined && dex.symbol === symbol) return dex.fair.value;
    return this.market.bySymbol.get(symbol)?.fair.value;
  }

  /** Events emitted since the last reset. */
  get eventsEmitted(): number {
    return this.eventCount;
  }

  /**
   * Feeds every event to `engine.process` synchronously (no RxJS on that path) and loads
   * the simulator's owner map into the engine. Labels never reach it. `reset()` resets it.
   */
  attach(engine: AttachableEngine): void {
    this.engine = engine;
    engine.owners.setMany(this.accounts.owners);
  }

  /** Stops feeding the attached engine. */
  detach(): void {
    this.engine = undefined;
  }

  /** Calls `listener` synchronously for every event with its label; returns an unsubscribe function. */
  onEvent(listener: (event: MarketEvent, label: GroundTruthLabel | undefined) => void): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  /**
   * Injects a scenario starting now (plus `startInS`). Parameters are validated with the
   * scenario's zod schema.
   *
   * @returns the episode, whose counters fill in as the simulation runs
   * @throws {@link ScenarioError} for an unknown scenario or invalid parameters, naming each bad field
   */
  inject(scenario: ScenarioName, params: Record<string, unknown> = {}): Episode {
    const definition = SCENARIOS[scenario];
    if (definition === undefined) {
      throw new ScenarioError(String(scenario), [
        {
          path: 'scenario',
          message: `unknown scenario '${String(scenario)}' (known: ${SCENARIO_NAMES.join(', ')})`,
        },
      ]);
    }
    const parsed = definition.schema.safeParse(params);
    if (!parsed.success) {
      throw new ScenarioError(
        scenario,
        parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
      );
    }
    const data = parsed.data as Record<string, unknown> & { startInS: number };
    const tag = this.episodeList.length + 1;
    const ctx: ScenarioContext = {
      market: this.market,
      accounts: this.accounts,
      rng: new SeededRandom((Math.imul(this.seedValue, 0x9e3779b1) + tag * 0x85ebca6b) >>> 0),
      tag,
      closeIntervalUs: this.closeIntervalUs,
    };
    const startTs = this.nowTs + Math.round(data.startInS * 1e6);
    let plan: ReturnType<typeof definition.plan>;
    try {
      plan = definition.plan(data, ctx, startTs);
    } catch (error) {
      if (error instanceof RangeError)
        throw new ScenarioError(scenario, [{ path: 'params', message: error.message }]);
      throw error;
    }
    const episodeId = `${scenario}-s${this.seedValue}-e${tag}`;
    const episode: Episode = {
      episodeId,
      scenario,
      typology: definition.typology,
      venue: plan.venue,
      instrument: plan.instrument,
      accounts: plan.accounts,
      owners: plan.accounts.map((a) => this.accounts.ownerOf(a)),
      startTs: Math.max(startTs, plan.firstWakeTs),
      endTs: plan.endTs,
      firstEventTs: Number.NaN,
      lastEventTs: Number.NaN,
      events: 0,
      params: data,
      label: { scenario, episodeId },
    };
    this.episodeList.push(episode);
    this.scheduler.schedule(Math.max(plan.firstWakeTs, this.nowTs), plan.agent);
    return episode;
  }

  /**
   * Runs as fast as possible up to an event time: absolute (`until`, epoch µs) or relative
   * (`forSeconds`). Every event up to and including that time is emitted; then the
   * attached engine's clock is advanced to it.
   *
   * @returns the number of events emitted
   */
  run(options: { until?: number; forSeconds?: number }): number {
    const until = options.until ?? this.nowTs + Math.round((options.forSeconds ?? 0) * 1e6);
    if (!Number.isFinite(until))
      throw new RangeError(`run: until must be a finite epoch-µs time, got ${until}`);
    const before = this.eventCount;
    const scheduler = this.scheduler;
    while (scheduler.peekTime() <= until) {
      const t = scheduler.peekTime();
      const agent = scheduler.pop();
      if (agent === undefined) break;
      this.nowTs = t;
      scheduler.schedule(agent.wake(t), agent);
    }
    if (until > this.nowTs) this.nowTs = until;
    this.engine?.advanceTo(this.nowTs);
    return this.eventCount - before;
  }

  /**
   * Plays in real time: `speed` event-time seconds per wall second (default 1), until
   * `until` (epoch µs) or {@link Simulator.stop}. Calling it while playing changes the speed.
   *
   * @returns a promise that resolves when playback stops
   */
  play(options: { speed?: number; until?: number } = {}): Promise<void> {
    if (options.speed !== undefined) this.setSpeed(options.speed);
    if (options.until !== undefined) this.playUntil = options.until;
    if (this.playState !== 'idle' && this.playPromise !== undefined) {
      if (this.playState === 'paused') this.resume();
      return this.playPromise;
    }
    if (options.until === undefined) this.playUntil = Number.POSITIVE_INFINITY;
    this.playState = 'playing';
    this.anchor();
    this.playPromise = new Promise<void>((resolve) => {
      this.resolvePlay = resolve;
    });
    this.timer = setInterval(() => this.playStep(), PLAY_TICK_MS);
    return this.playPromise;
  }

  /** Pauses playback (event time stands still). */
  pause(): void {
    if (this.playState === 'playing') this.playState = 'paused';
  }

  /** Resumes paused playback. */
  resume(): void {
    if (this.playState !== 'paused') return;
    this.playState = 'playing';
    this.anchor();
  }

  /** Changes the playback speed (event-time seconds per wall second, > 0). */
  setSpeed(speed: number): void {
    if (!(speed > 0 && Number.isFinite(speed)))
      throw new RangeError(`speed must be a positive number, got ${speed}`);
    this.speedValue = speed;
    this.anchor();
  }

  /** Stops playback; the promise of {@link Simulator.play} resolves. */
  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.playState = 'idle';
    const resolve = this.resolvePlay;
    this.resolvePlay = undefined;
    this.playPromise = undefined;
    resolve?.();
  }

  /** Playback state, clock and counters. */
  status(): SimulatorStatus {
    return {
      seed: this.seedValue,
      now: this.nowTs,
      startTs: this.startTs,
      events: this.eventCount,
      episodes: this.episodeList.length,
      state: this.playState,
      speed: this.speedValue,
    };
  }

  /**
   * Starts over: empty books, fresh agents, no episodes, the clock back at the start, the
   * same seed (or `seed`), and the attached engine reset. Playback continues if it was on.
   */
  reset(options: { seed?: number } = {}): void {
    if (options.seed !== undefined) this.seedValue = options.seed;
    this.nowTs = this.startTs;
    this.seq = 0;
    this.eventCount = 0;
    this.episodeList.length = 0;
    this.build();
    if (this.engine !== undefined) {
      this.engine.reset();
      this.engine.owners.setMany(this.accounts.owners);
    }
    this.anchor();
  }

  /** Every event goes through here: sequence number, label bookkeeping, engine, listeners. */
  private readonly sink: MatchingSink = (event, tag) => {
    event.seq = ++this.seq;
    this.eventCount++;
    let label: GroundTruthLabel | undefined;
    if (tag !== 0) {
      const episode = this.episodeList[tag - 1] as Episode;
      if (episode.events === 0) episode.firstEventTs = event.ts;
      episode.lastEventTs = event.ts;
      episode.events++;
      label = episode.label;
    }
    this.engine?.process(event);
    const listeners = this.listeners;
    for (let i = 0; i < listeners.length; i++)
      (listeners[i] as (e: MarketEvent, l: GroundTruthLabel | undefined) => void)(event, label);
    if (this.events$.observed) this.events$.next(event);
    if (this.labelled$.observed) this.labelled$.next({ event, label });
  };

  /** Builds the market and its agents from the seed. */
  private build(): void {
    const root = new SeededRandom(this.seedValue);
    const fork = (): SeededRandom => new SeededRandom(root.nextUint32());
    const venue = this.options.venue ?? 'simex';
    const emitQuotes = this.options.emitQuotes ?? false;
    const profiles = this.options.instruments ?? DEFAULT_INSTRUMENTS;
    const instruments = profiles.map((p) => new SimInstrument(p, venue, this.sink, emitQuotes));
    const dexProfile = this.options.dex === undefined ? DEFAULT_DEX_POOL : this.options.dex;
    const u = this.accounts;
    const dex =
      dexProfile === false
        ? undefined
        : new DexVenue(
            dexProfile,
            this.sink,
            fork(),
            u.noiseWallets.slice(0, -1),
            u.noiseWallets[u.noiseWallets.length - 1] as string,
          );
    this.market = new SimMarket(venue, instruments, dex);
    const scheduler = new Scheduler();
    const start = this.startTs;
    instruments.forEach((inst, i) => {
      const p = inst.profile;
      scheduler.schedule(start, new FairValueDriver(inst.fair, fork()));
      for (let j = 0; j < p.marketMakers; j++) {
        const account = u.marketMakers[((j % 4) * 4 + (i % 4)) % u.marketMakers.length] as string;
        scheduler.schedule(start, new MarketMaker(this.market, inst, account, fork()));
      }
      scheduler.schedule(start + 1_000, new NoiseTraders(this.market, inst, u.noiseTraders, fork()));
      for (let j = 0; j < p.momentumTraders; j++) {
        const account = u.momentumTraders[(i + j) % u.momentumTraders.length] as string;
        scheduler.schedule(start + 1_000_000, new MomentumTrader(this.market, inst, account, fork()));
      }
      for (let j = 0; j < p.informedTraders; j++) {
        const account = u.informedTraders[(i + j) % u.informedTraders.length] as string;
        scheduler.schedule(start + 1_000_000, new InformedTrader(this.market, inst, account, fork()));
      }
    });
    if (dex !== undefined) scheduler.schedule(start + dex.profile.blockMs * 1000, dex);
    this.scheduler = scheduler;
  }

  private anchor(): void {
    this.anchorWallMs = performance.now();
    this.anchorSimUs = this.nowTs;
  }

  private playStep(): void {
    if (this.playState !== 'playing') return;
    const wall = performance.now();
    let target = this.anchorSimUs + (wall - this.anchorWallMs) * 1000 * this.speedValue;
    if (target >= this.playUntil) target = this.playUntil;
    this.run({ until: Math.floor(target) });
    if (this.nowTs >= this.playUntil) {
      this.stop();
      return;
    }
    if (performance.now() - wall > PLAY_MAX_LAG_MS) this.anchor();
  }
}
