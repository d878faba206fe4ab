/**
 * `tapewatch simulate`: writes a simulated market with injected scenarios as JSONL —
 * events in one file (what `tapewatch replay` reads), ground-truth labels in another.
 *
 * @module
 */
import { createWriteStream, type WriteStream, writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { ScenarioError } from '../../simulator/errors';
import { SCENARIO_NAMES, type ScenarioName } from '../../simulator/scenarios/scenario';
import { Simulator } from '../../simulator/simulator';
import { type CliIo, UsageError } from '../io';
import { compact, ProgressBar } from '../progress';

/** Options of {@link runSimulate}. */
export interface SimulateCommandOptions {
  scenarios: string[];
  seed: number;
  minutes: number;
  /** Events file; undefined or `-` = stdout. */
  out?: string;
  /** Labels file; default `<out>.labels.jsonl` (required when events go to stdout and labels are wanted). */
  labels?: string;
  /** Seconds of normal trading before the scenarios start (default: a quarter of the run, at most 120). */
  atS?: number;
  /** Scenario duration, s (default: half the run). */
  durationS?: number;
  intensity?: number;
  /** Also write a tapewatch.yaml with the simulator's owner map here. */
  ownersConfig?: string;
}

/** Checks a scenario name from the command line. */
export function scenarioName(text: string): ScenarioName {
  if (!(SCENARIO_NAMES as readonly string[]).includes(text)) {
    throw new UsageError(`unknown scenario '${text}' (known: ${SCENARIO_NAMES.join(', ')})`);
  }
  return text as ScenarioName;
}

/** Runs the simulation and writes the files; resolves when they are flushed. */
export async function runSimulate(options: SimulateCommandOptions, io: CliIo): Promise<number> {
  if (!(options.minutes > 0)) throw new UsageError(`--minutes must be > 0, got ${options.minutes}`);
  const scenarios = options.scenarios.map(scenarioName);
  const totalS = options.minutes * 60;
  const atS = options.atS ?? Math.min(120, totalS / 4);
  const durationS = options.durationS ?? totalS / 2;
  const toStdout = options.out === undefined || options.out === '-';
  const labelsPath = options.labels ?? (toStdout ? undefined : `${options.out}.labels.jsonl`);

  const sim = new Simulator({ seed: options.seed });
  const events: WriteStream | undefined = toStdout ? undefined : createWriteStream(options.out as string);
  const labels: WriteStream | undefined =
    labelsPath === undefined ? undefined : createWriteStream(labelsPath);
  const write = (text: string): void => {
    if (events === undefined) io.out(text);
    else events.write(text);
  };
  sim.onEvent((event, label) => {
    write(`${JSON.stringify(event)}\n`);
    if (label !== undefined && labels !== undefined) {
      labels.write(
        `${JSON.stringify({ type: 'label', seq: event.seq, ts: event.ts, scenario: label.scenario, episodeId: label.episodeId })}\n`,
      );
    }
  });
  const bar = new ProgressBar(io, `simulate seed ${options.seed}`);
  const started = performance.now();
  const stepS = 10;
  const advance = (untilS: number): void => {
    const end = sim.status().startTs + untilS * 1e6;
    while (sim.now < end) {
      sim.run({ until: Math.min(end, sim.now + stepS * 1e6) });
      bar.update(
        (sim.now - sim.status().startTs) / 1e6 / totalS,
        sim.eventsEmitted,
        performance.now() - started,
      );
    }
  };
  advance(Math.min(atS, totalS));
  try {
    for (const scenario of scenarios) {
      const params: Record<string, unknown> = { durationS };
      if (options.intensity !== undefined) params.intensity = options.intensity;
      sim.inject(scenario, params);
    }
  } catch (error) {
    if (error instanceof ScenarioError) throw new UsageError(error.message);
    throw error;
  }
  advance(totalS);
  bar.done();
  if (labels !== undefined) {
    for (const episode of sim.episodes) labels.write(`${JSON.stringify({ type: 'episode', ...episode })}\n`);
  }
  await Promise.all(
    [events, labels].map((s) => (s === undefined ? undefined : new Promise((resolve) => s.end(resolve)))),
  );
  if (options.ownersConfig !== undefined) {
    writeFileSync(
      options.ownersConfig,
      `# Beneficial owners of the simulator's accounts and wallets (tapewatch simulate).\n${stringify({ owners: sim.owners })}`,
    );
  }
  const seconds = (performance.now() - started) / 1000;
  io.err(
    `${compact(sim.eventsEmitted)} events over ${options.minutes} simulated minute${options.minutes === 1 ? '' : 's'} in ${seconds.toFixed(1)} s` +
      `${toStdout ? '' : ` → ${options.out}`}${labelsPath === undefined ? '' : `, labels → ${labelsPath}`}` +
      `${options.ownersConfig === undefined ? '' : `, owners → ${options.ownersConfig}`}\n`,
  );
  for (const e of sim.episodes)
    io.err(
      `  ${e.episodeId}: ${e.scenario} on ${e.instrument}, ${e.events} labelled events, accounts ${e.accounts.join(', ') || '-'}\n`,
    );
  return 0;
}
