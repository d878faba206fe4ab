/**
 * `tapewatch eval` / `npm run eval`: runs every scenario over a range of seeds through
 * the configured detectors, prints per-typology scores and writes docs/EVALUATION.md.
 *
 * @module
 */
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { createEngineFromConfig } from '../../config';
import { type EvaluationReport, evaluate, REPORTING_SEEDS, TUNING_SEEDS } from '../../simulator/evaluation';
import type { ScenarioName } from '../../simulator/scenarios/scenario';
import { num, table } from '../format';
import { type CliIo, UsageError } from '../io';
import { ProgressBar } from '../progress';
import { resolveConfig } from './replay';
import { scenarioName } from './simulate';

/** Options of {@link runEval}. */
export interface EvalCommandOptions {
  /** `1001-1010`, `1,2,3`, `tuning` or `reporting` (default). */
  seeds?: string;
  scenarios: string[];
  configPath?: string;
  json: boolean;
  /** Markdown report path; default docs/EVALUATION.md on the reporting seeds, none otherwise. */
  out?: string;
}

/** Parses a seed list: `reporting`, `tuning`, `A-B` or `a,b,c`. */
export function parseSeeds(text: string | undefined): number[] {
  if (text === undefined || text === 'reporting') return [...REPORTING_SEEDS];
  if (text === 'tuning') return [...TUNING_SEEDS];
  const range = /^(\d+)-(\d+)$/.exec(text);
  if (range !== null) {
    const from = Number(range[1]);
    const to = Number(range[2]);
    if (to < from || to - from > 10_000)
      throw new UsageError(`--seeds ${text}: expected FROM-TO with FROM ≤ TO, at most 10,000 seeds`);
    return Array.from({ length: to - from + 1 }, (_, i) => from + i);
  }
  const list = text.split(',').map((s) => Number(s.trim()));
  if (list.length === 0 || list.some((n) => !Number.isInteger(n) || n < 0)) {
    throw new UsageError(
      `--seeds ${text}: expected 'reporting', 'tuning', FROM-TO or a comma-separated list of integers`,
    );
  }
  return list;
}

const pct = (x: number): string => (Number.isFinite(x) ? `${(x * 100).toFixed(0)} %` : '–');
const secs = (x: number): string => (Number.isFinite(x) ? `${num(x, 1)} s` : '–');

/** Runs the evaluation; returns the exit code. */
export async function runEval(options: EvalCommandOptions, io: CliIo): Promise<number> {
  const seeds = parseSeeds(options.seeds);
  const scenarios: ScenarioName[] | undefined =
    options.scenarios.length === 0 ? undefined : options.scenarios.map(scenarioName);
  const config = resolveConfig(options.configPath, io);
  const isReporting = options.seeds === undefined || options.seeds === 'reporting';
  const out = options.out ?? (isReporting && scenarios === undefined ? 'docs/EVALUATION.md' : undefined);
  if (seeds.some((s) => TUNING_SEEDS.includes(s)) && out !== undefined && options.out === undefined) {
    throw new UsageError('refusing to write a report from tuning seeds');
  }
  const bar = new ProgressBar(io, 'eval');
  const started = performance.now();
  const report = evaluate({
    createEngine: () => createEngineFromConfig(config),
    seeds,
    ...(scenarios === undefined ? {} : { scenarios }),
    onProgress: (done, total) => bar.update(done / total, done, performance.now() - started),
  });
  bar.done();
  if (options.json) io.out(`${JSON.stringify(report)}\n`);
  else io.out(`${renderText(report)}\n`);
  if (out !== undefined) {
    writeFileSync(out, renderMarkdown(report, options));
    io.err(`wrote ${out}\n`);
  }
  return 0;
}

function typologyRows(report: EvaluationReport): string[][] {
  return report.typologies.map((t) =>
    t.hasDetector
      ? [
          t.typology,
          `${t.detectedEpisodes}/${t.episodes}`,
          pct(t.precision),
          pct(t.recall),
          pct(t.f1),
          secs(t.medianDelayS),
          secs(t.p90DelayS),
          num(t.falseAlertsPerInstrumentHour, 2),
        ]
      : [t.typology, `0/${t.episodes}`, 'no detector', '–', '–', '–', '–', '–'],
  );
}

const HEADERS = [
  'typology',
  'detected',
  'precision',
  'recall',
  'F1',
  'median delay',
  'p90 delay',
  'false alerts / instrument-hour',
];

/** Plain-text summary for the terminal. */
export function renderText(report: EvaluationReport): string {
  return `${table(HEADERS, typologyRows(report))}

${report.normal.runs} normal runs, ${num(report.normal.instrumentHours, 2)} instrument-hours: ${report.normal.signals} signals (${num(report.normal.signalsPerInstrumentHour, 2)} per instrument-hour).
Detectors: ${report.detectors.join(', ') || 'none'}; seeds ${report.seeds[0]}–${report.seeds.at(-1)}; ${num(report.events / 1e6, 2)}M events in ${num(report.elapsedMs / 1000, 1)} s.`;
}

/** docs/EVALUATION.md. */
export function renderMarkdown(report: EvaluationReport, options: EvalCommandOptions): string {
  const md = (rows: string[][], headers: string[]) =>
    [
      `| ${headers.join(' | ')} |`,
      `|${headers.map(() => '---').join('|')}|`,
      ...rows.map((r) => `| ${r.join(' | ')} |`),
    ].join('\n');
  const scenarioRows = report.byScenario.map((s) => {
    const score = report.typologies.find((t) => t.typology === s.typology);
    return [
      `\`${s.scenario}\``,
      s.typology ?? '–',
      score?.hasDetector ? `${s.detected}/${s.episodes}` : `no detector (${s.episodes} episodes)`,
    ];
  });
  const command = `npm run eval${options.seeds === undefined ? '' : ` -- --seeds ${options.seeds}`}${options.configPath === undefined ? '' : ` --config ${options.configPath}`}`;
  return `# Evaluation

Written by \`${command}\` — do not edit by hand; rerun it.

- Date: ${new Date().toISOString()}
- Machine: ${cpus()[0]?.model ?? 'unknown CPU'} × ${cpus().length}, Node ${process.version}
- Detectors: ${report.detectors.length === 0 ? 'none registered' : report.detectors.map((d) => `\`${d}\``).join(', ')} (tapewatch.yaml defaults${options.configPath === undefined ? '' : ` from \`${options.configPath}\``})
- Seeds: ${report.seeds[0]}–${report.seeds.at(-1)} (${report.seeds.length}); ${num(report.events / 1e6, 2)}M simulated events, ${num(report.elapsedMs / 1000, 0)} s

## Per typology

${md(typologyRows(report), HEADERS)}

"no detector" means no registered detector reports that typology; its episodes are still
simulated and counted, so the row fills in as detectors land. \`anomaly\` (the Isolation
Forest, when registered) counts as detecting any episode.

## Per scenario

${md(scenarioRows, ['scenario', 'typology', 'episodes detected'])}

## Normal trading

${report.normal.runs} runs of 10 minutes on ${report.normal.runs > 0 ? num((report.normal.instrumentHours * 3600) / (report.normal.runs * 600), 0) : 0} instruments (${num(report.normal.instrumentHours, 2)} instrument-hours) with no injection: ${report.normal.signals} signals in all, ${num(report.normal.signalsPerInstrumentHour, 2)} per instrument-hour. Every one is a false alert by construction.

## Method

- **Runs.** For every seed and every scenario: a fresh simulator (\`new Simulator({ seed })\`,
  5 order-book instruments and the WETH-USDC pool) and a fresh engine built from the
  configuration; 120 s of normal trading, the scenario injected with its default parameters
  and \`durationS: 60\`, then 60 s more; \`engine.flush()\` closes open windows. Plus one
  10-minute run of normal trading per seed.
- **Matching.** A signal matches an episode when it has the episode's typology, the same
  venue and instrument, a window overlapping the episode's labelled events widened by 30 s
  on either side, and — when both the signal and the episode name accounts — at least one
  beneficial owner or account in common.
- **Precision** = matching signals / all signals of the typology (scenario and normal runs;
  a signal elsewhere in a scenario run is a false positive). **Recall** = episodes with at
  least one matching signal / episodes. **Delay** = event time from the episode's first
  labelled event to the first matching signal's emission. **False alerts** = signals of
  the typology in the normal runs per instrument-hour.
- **Seeds.** Detector defaults are tuned on seeds 1–100 (\`--seeds tuning\`); this report uses
  seeds 1001–1010, never used for tuning. \`tapewatch eval\` refuses to write a report from
  tuning seeds unless \`--out\` is given explicitly.
- Cases are not scored yet: signals are what the detectors promise.
`;
}
