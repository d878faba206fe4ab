/**
 * `tapewatch demo`: replays the bundled sample market through the engine and shows what
 * it saw and found.
 *
 * @module
 */
import { DEFAULT_DB } from '../../cases/store/open-store';
import { formatTs } from '../../core/time';
import { num, table } from '../format';
import type { CliIo } from '../io';
import { packageFile } from '../paths';
import { runReplay } from './replay';

/** Runs the demo; returns the exit code. */
export async function runDemo(
  options: { configPath?: string; json: boolean; db?: string },
  io: CliIo,
): Promise<number> {
  const file = packageFile('examples', 'data', 'sample.jsonl');
  if (!options.json) io.out(`tapewatch demo — replaying the bundled sample market (${file})\n\n`);
  // The demo keeps its cases (default ./tapewatch.db) so `tapewatch cases list` shows them after.
  const db = options.db ?? DEFAULT_DB;
  const replayOptions =
    options.configPath === undefined
      ? { file, json: options.json, db }
      : { file, json: options.json, configPath: options.configPath, db };
  const { engine } = await runReplay(replayOptions, io);
  if (options.json) return 0;

  const rows: string[][] = [];
  const states = [...engine.instruments()].sort((a, b) =>
    `${a.book.instrument}@${a.book.venue}`.localeCompare(`${b.book.instrument}@${b.book.venue}`),
  );
  for (const { book, stats } of states) {
    const last = stats.window(stats.lastTradeTs, 60);
    rows.push([
      `${book.instrument}@${book.venue}`,
      String(stats.tradeCount),
      num(stats.volume, 4),
      num(stats.lastPrice, 4),
      num(last.vwap, 4),
      num(book.bestBid(), 4),
      num(book.bestAsk(), 4),
      String(book.size),
      Number.isFinite(stats.lastTradeTs) ? formatTs(stats.lastTradeTs) : '-',
    ]);
  }
  io.out('\nMarket state at the end of the replay:\n');
  io.out(
    `${table(['instrument', 'trades', 'volume', 'last', 'vwap 60s', 'bid', 'ask', 'resting', 'last trade'], rows)}\n`,
  );
  return 0;
}
