/**
 * The evaluation harness: runs labelled scenarios over many seeds through an engine and
 * scores what its detectors say against the ground truth — per typology precision,
 * recall, F1, detection delay, and false alerts per instrument-hour of normal trading.
 *
 * @module
 */
import type { Signal, Typology } from '../core/signal';
import type { Engine } from '../engine/engine';
import { SCENARIO_NAMES, type ScenarioName } from './scenarios/scenario';
import { type Episode, Simulator, type SimulatorOptions } from './simulator';

/** Seeds used while tuning detector defaults. Never report on them. */
export const TUNING_SEEDS: readonly number[] = Array.from({ length: 100 }, (_, i) => i + 1);
/** Seeds the published figures come from; disjoint from {@link TUNING_SEEDS}. */
export const REPORTING_SEEDS: readonly number[] = Array.from({ length: 10 }, (_, i) => i + 1001);

/** Options of {@link evaluate}. */
export interface EvaluationOptions {
  /** A fresh engine with the detectors under test; called once per run. */
  createEngine: () => Engine;
  /** Seeds; each scenario runs once per seed, and each seed has one normal-trading run. */
  seeds: readonly number[];
  /** Scenarios to inject (default: all but `normal`). */
  scenarios?: readonly ScenarioName[];
  /** Extra parameters per scenario. */
  scenarioParams?: Partial<Record<ScenarioName, Record<string, unknown>>>;
  /** Normal trading before the injection, s (default 120: lets rolling baselines fill). */
  warmupS?: number;
  /** Episode duration, s (default 60). */
  episodeS?: number;
  /** Trading after the episode, s (default 60). */
  cooldownS?: number;
  /** Length of each normal-trading run, s (default 600). */
  normalS?: number;
  /** A signal matches an episode if its window overlaps the episode's events widened by this, s (default 30). */
  graceS?: number;
  /** Simulator options besides the seed. */
  simulator?: Omit<SimulatorOptions, 'seed'>;
  /** Called after each run. */
  onProgress?: (done: number, total: number, what: string) => void;
}

/** Scores of one typology. */
export interface TypologyScore {
  typology: Typology;
  /** Scenarios exercising it. */
  scenarios: ScenarioName[];
  /** False when no registered detector reports this typology and no signal of it was seen. */
  hasDetector: boolean;
  episodes: number;
  detectedEpisodes: number;
  signals: number;
  matchedSignals: number;
  /** NaN when there were no signals. */
  precision: number;
  recall: number;
  f1: number;
  /** Event-time seconds from an episode's first event to its first matching signal. */
  medianDelayS: number;
  p90DelayS: number;
  /** Signals of this typology on normal trading, per instrument-hour. */
  falseAlertsPerInstrumentHour: number;
}

/** Result of {@link evaluate}. */
export interface EvaluationReport {
  seeds: number[];
  scenarios: ScenarioName[];
  detectors: string[];
  typologies: TypologyScore[];
  /** Per scenario: episodes and how many were detected by a signal of its typology. */
  byScenario: { scenario: ScenarioName; typology: Typology | null; episodes: number; detected: number }[];
  normal: { runs: number; instrumentHours: number; signals: number; signalsPerInstrumentHour: number };
  events: number;
  elapsedMs: number;
}

/** Typology of the Isolation Forest: its signals count as a detection of any episode. */
const ANOMALY: Typology = 'anomaly';

function normalized(id: string): string {
  return id.toLowerCase().replace(/-/g, '_');
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
  return sorted[i] as number;
}

/** True when `signal` is about `episode`: same place, overlapping time, and (when both name accounts) a shared owner. */
export function signalMatchesEpisode(signal: Signal, episode: Episode, graceUs: number): boolean {
  if (signal.venue !== episode.venue || signal.instrument !== episode.instrument) return false;
  if (episode.events === 0) return false;
  if (
    signal.window.end < episode.firstEventTs - graceUs ||
    signal.window.start > episode.lastEventTs + graceUs
  )
    return false;
  if (signal.owners.length === 0 || episode.owners.length === 0) return true;
  for (const o of signal.owners) if (episode.owners.includes(o)) return true;
  for (const a of signal.accounts) if (episode.accounts.includes(a)) return true;
  return false;
}

interface RunRecord {
  episode: Episode | undefined;
  signals: Signal[];
}

/**
 * Runs the evaluation.
 *
 * @example
 * ```ts
 * const report = evaluate({ createEngine: () => createEngineFromConfig(), seeds: REPORTING_SEEDS });
 * for (const t of report.typologies) console.log(t.typology, t.precision, t.recall);
 * ```
 */
export function evaluate(options: EvaluationOptions): EvaluationReport {
  const started = performance.now();
  const scenarios = [...(options.scenarios ?? SCENARIO_NAMES.filter((s) => s !== 'normal'))];
  const warmupS = options.warmupS ?? 120;
  const episodeS = options.episodeS ?? 60;
  const cooldownS = options.cooldownS ?? 60;
  const normalS = options.normalS ?? 600;
  const graceUs = (options.graceS ?? 30) * 1e6;
  const total = options.seeds.length * (scenarios.length + 1);
  let done = 0;
  let events = 0;
  const runs: RunRecord[] = [];
  const normalRuns: Signal[][] = [];
  let detectorIds: string[] = [];
  let instrumentsPerRun = 0;

  for (const seed of options.seeds) {
    for (const scenario of scenarios) {
      const sim = new Simulator({ ...options.simulator, seed });
      const engine = options.createEngine();
      detectorIds = engine.detectors.map((d) => d.id);
      const signals: Signal[] = [];
      engine.onSignal((s) => signals.push(s));
      sim.attach(engine);
      sim.run({ forSeconds: warmupS });
      const episode = sim.inject(scenario, { durationS: episodeS, ...options.scenarioParams?.[scenario] });
      sim.run({ until: Math.max(episode.endTs, sim.now) + cooldownS * 1e6 });
      engine.flush();
      events += sim.eventsEmitted;
      runs.push({ episode, signals });
      options.onProgress?.(++done, total, `${scenario} seed ${seed}`);
    }
    const sim = new Simulator({ ...options.simulator, seed });
    const engine = options.createEngine();
    const signals: Signal[] = [];
    engine.onSignal((s) => signals.push(s));
    sim.attach(engine);
    sim.run({ forSeconds: normalS });
    engine.flush();
    events += sim.eventsEmitted;
    instrumentsPerRun = sim.instruments.length + (sim.dex === undefined ? 0 : 1);
    normalRuns.push(signals);
    options.onProgress?.(++done, total, `normal seed ${seed}`);
  }

  const instrumentHours = (options.seeds.length * normalS * instrumentsPerRun) / 3600;
  const typologyOf = new Map<ScenarioName, Typology | null>();
  for (const r of runs) if (r.episode !== undefined) typologyOf.set(r.episode.scenario, r.episode.typology);
  const typologies: Typology[] = [];
  for (const s of scenarios) {
    const t = typologyOf.get(s);
    if (t !== null && t !== undefined && !typologies.includes(t)) typologies.push(t);
  }
  const seenTypologies = new Set<string>();
  for (const r of runs) for (const s of r.signals) seenTypologies.add(s.typology);
  for (const signals of normalRuns) for (const s of signals) seenTypologies.add(s.typology);
  if (
    seenTypologies.has(ANOMALY) ||
    detectorIds.some((id) => normalized(id).includes('anomaly') || normalized(id).includes('isolation'))
  ) {
    typologies.push(ANOMALY);
  }

  const scores: TypologyScore[] = typologies.map((typology) => {
    const isAnomaly = typology === ANOMALY;
    const relevant = runs.filter(
      (r) => r.episode !== undefined && (isAnomaly || r.episode.typology === typology),
    );
    let signals = 0;
    let matched = 0;
    for (const r of runs) {
      for (const s of r.signals) {
        if (s.typology !== typology) continue;
        signals++;
        if (
          r.episode !== undefined &&
          (isAnomaly || r.episode.typology === typology) &&
          signalMatchesEpisode(s, r.episode, graceUs)
        )
          matched++;
      }
    }
    let normalSignals = 0;
    for (const run of normalRuns) for (const s of run) if (s.typology === typology) normalSignals++;
    signals += normalSignals;
    const delays: number[] = [];
    let detected = 0;
    for (const r of relevant) {
      const episode = r.episode as Episode;
      let first = Number.POSITIVE_INFINITY;
      for (const s of r.signals)
        if (s.typology === typology && signalMatchesEpisode(s, episode, graceUs) && s.emittedAt < first)
          first = s.emittedAt;
      if (first !== Number.POSITIVE_INFINITY) {
        detected++;
        delays.push(Math.max(0, first - episode.firstEventTs) / 1e6);
      }
    }
    delays.sort((a, b) => a - b);
    const precision = signals === 0 ? Number.NaN : matched / signals;
    const recall = relevant.length === 0 ? Number.NaN : detected / relevant.length;
    const f1 =
      precision + recall > 0
        ? (2 * precision * recall) / (precision + recall)
        : precision === precision
          ? 0
          : Number.NaN;
    const hasDetector =
      seenTypologies.has(typology) ||
      detectorIds.some((id) => normalized(id) === normalized(typology)) ||
      (isAnomaly && detectorIds.length > 0);
    return {
      typology,
      scenarios: scenarios.filter((s) => (isAnomaly ? s !== 'normal' : typologyOf.get(s) === typology)),
      hasDetector,
      episodes: relevant.length,
      detectedEpisodes: detected,
      signals,
      matchedSignals: matched,
      precision,
      recall,
      f1,
      medianDelayS: percentile(delays, 0.5),
      p90DelayS: percentile(delays, 0.9),
      falseAlertsPerInstrumentHour: instrumentHours > 0 ? normalSignals / instrumentHours : Number.NaN,
    };
  });

  const byScenario = scenarios.map((scenario) => {
    const mine = runs.filter((r) => r.episode?.scenario === scenario);
    const typology = typologyOf.get(scenario) ?? null;
    const detected = mine.filter((r) =>
      r.signals.some(
        (s) => s.typology === typology && signalMatchesEpisode(s, r.episode as Episode, graceUs),
      ),
    ).length;
    return { scenario, typology, episodes: mine.length, detected };
  });
  let normalSignals = 0;
  for (const run of normalRuns) normalSignals += run.length;
  return {
    seeds: [...options.seeds],
    scenarios,
    detectors: detectorIds,
    typologies: scores,
    byScenario,
    normal: {
      runs: normalRuns.length,
      instrumentHours,
      signals: normalSignals,
      signalsPerInstrumentHour: instrumentHours > 0 ? normalSignals / instrumentHours : Number.NaN,
    },
    events,
    elapsedMs: performance.now() - started,
  };
}
