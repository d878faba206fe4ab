/**
 * `tapewatch replay FILE`: events from a file → engine → signals on stdout. The format
 * follows the extension: `.csv` (through the `ingest.csv` column mapping), else JSONL.
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { openCaseStore } from '../../cases/store/open-store';
import { createEngineFromConfig, defaultConfig, loadConfig, type TapewatchConfig } from '../../config';
import type { InvalidEventError } from '../../core/errors';
import type { Signal } from '../../core/signal';
import type { Engine } from '../../engine/engine';
import { CsvHeaderError, replayCsv } from '../../ingest/files/csv';
import { type JsonlReplayOptions, type ReplaySummary, replayJsonl } from '../../ingest/files/jsonl';
import { isFixLogFile } from '../../ingest/fix/fix-config';
import { CaseService } from '../../service/case-service';
import { formatSignal } from '../format';
import { type CliIo, UsageError } from '../io';
import { compact, ProgressBar } from '../progress';

/** Options of {@link runReplay}. */
export interface ReplayCommandOptions {
  file: string;
  /** Path of tapewatch.yaml; when absent, ./tapewatch.yaml if it exists, else defaults. */
  configPath?: string;
  json: boolean;
  /** Print at most this many rejected lines in the text summary. */
  showErrors?: number;
  /** Fold signals into cases in this store (SQLite path, `postgres://…` or `memory`). */
  db?: string;
}

/** What a replay produced. */
export interface ReplayOutcome {
  engine: Engine;
  summary: ReplaySummary;
  signals: Signal[];
  config: TapewatchConfig;
}

/** Resolves which configuration a command uses, telling the user when it picked one up. */
export function resolveConfig(configPath: string | undefined, io: CliIo): TapewatchConfig {
  if (configPath !== undefined) return loadConfig(configPath);
  if (existsSync('tapewatch.yaml')) {
    io.err('using ./tapewatch.yaml\n');
    return loadConfig('tapewatch.yaml');
  }
  return defaultConfig();
}

/** Which reader a file needs, from its extension. */
export type ReplayFormat = 'jsonl' | 'csv' | 'fixlog';

/**
 * The format of `file`: `.csv` is CSV (delimiter from the mapping), `.fixlog`/`.fix` a FIX
 * log, anything else JSONL.
 */
export function replayFormatOf(file: string): ReplayFormat {
  if (isFixLogFile(file)) return 'fixlog';
  return file.toLowerCase().endsWith('.csv') ? 'csv' : 'jsonl';
}

/** Replays a JSONL or CSV file through an engine built from the configuration. */
export async function runReplay(options: ReplayCommandOptions, io: CliIo): Promise<ReplayOutcome> {
  if (!existsSync(options.file)) throw new UsageError(`no such file: ${options.file}`);
  const config = resolveConfig(options.configPath, io);
  const engine = createEngineFromConfig(config);
  const cases =
    options.db === undefined ? undefined : await CaseService.open({ store: await openCaseStore(options.db) });
  const signals: Signal[] = [];
  engine.onSignal((s) => {
    signals.push(s);
    cases?.onSignal(s);
    if (options.json) io.out(`${JSON.stringify({ type: 'signal', ...s })}\n`);
    else io.out(`${formatSignal(s)}\n`);
  });
  engine.onDetectorError((f) => {
    io.err(`detector ${f.detector} failed: ${(f.error as Error)?.message ?? String(f.error)}\n`);
  });
  const bar = new ProgressBar(io, `replay ${options.file}`);
  const rejected: InvalidEventError[] = [];
  const keep = options.showErrors ?? 5;
  const replayOptions: JsonlReplayOptions = {
    onProgress: (p) => bar.update(p.bytesRead / p.totalBytes, p.lines, p.elapsedMs),
    onInvalid: (errors) => {
      if (options.json) {
        io.out(`${JSON.stringify({ type: 'invalid', errors: errors.map((e) => e.toJSON()) })}\n`);
      } else if (rejected.length < keep) rejected.push(...errors.slice(0, keep - rejected.length));
    },
  };
  const sink =
    cases === undefined
      ? (e: Parameters<Engine['process']>[0]) => engine.process(e)
      : (e: Parameters<Engine['process']>[0]) => {
          cases.onEvent(e);
          engine.process(e);
        };
  let summary: ReplaySummary;
  try {
    const format = replayFormatOf(options.file);
    summary =
      format === 'csv'
        ? await replayCsv(options.file, config.ingest.csv, sink, replayOptions)
        : format === 'fixlog'
          ? // Loaded on demand: the FIX engine and its dictionary cost a second of start-up.
            await (await import('../../ingest/fix/fix-log')).replayFixLog(
              options.file,
              config.ingest.fix,
              sink,
              replayOptions,
            )
          : await replayJsonl(options.file, sink, replayOptions);
  } catch (error) {
    bar.done();
    if (error instanceof CsvHeaderError) throw new UsageError(error.message);
    throw error;
  }
  engine.flush();
  if (cases !== undefined) {
    await cases.flush();
    const stats = cases.stats();
    const total = (await cases.list({ limit: 1 })).total;
    await cases.close();
    if (stats.flushFailures > 0) io.err(`case store refused writes: ${stats.lastFlushError}\n`);
    if (options.json)
      io.out(`${JSON.stringify({ type: 'cases', created: stats.casesCreated, total, db: options.db })}\n`);
    else io.err(`cases: ${stats.casesCreated} new, ${total} in ${options.db}\n`);
  }
  bar.update(1, summary.lines, summary.elapsedMs, true);
  bar.done();

  const stats = engine.stats();
  const eventsPerSecond = summary.elapsedMs > 0 ? (summary.accepted / summary.elapsedMs) * 1000 : 0;
  const bySource = summary.stats.report().sources;
  const rejectedByField = Object.values(bySource)[0]?.rejectedByField ?? {};
  if (options.json) {
    io.out(
      `${JSON.stringify({
        type: 'summary',
        file: options.file,
        lines: summary.lines,
        accepted: summary.accepted,
        rejected: summary.rejected,
        rejectedByField,
        signals: stats.signals,
        signalsByDetector: stats.signalsByDetector,
        detectorErrors: stats.detectorErrors,
        elapsedMs: Math.round(summary.elapsedMs),
        eventsPerSecond: Math.round(eventsPerSecond),
      })}\n`,
    );
  } else {
    io.out(
      `\n${summary.accepted} events replayed from ${options.file} in ${(summary.elapsedMs / 1000).toFixed(2)} s (${compact(eventsPerSecond)} events/s); ` +
        `${summary.rejected} line${summary.rejected === 1 ? '' : 's'} rejected; ${stats.signals} signal${stats.signals === 1 ? '' : 's'}` +
        ` from ${engine.detectors.length} detector${engine.detectors.length === 1 ? '' : 's'}.\n`,
    );
    for (const error of rejected) io.out(`  rejected ${error.message}\n`);
    if (summary.rejected > rejected.length) {
      io.out(`  … and ${summary.rejected - rejected.length} more rejected lines (--json lists all)\n`);
    }
  }
  return { engine, summary, signals, config };
}
