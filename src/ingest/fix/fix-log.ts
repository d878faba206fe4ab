/**
 * FIX log replay: `tapewatch replay session.fixlog`. Each line holds one FIX message
 * (SOH or `|` between fields), optionally after a prefix such as QuickFIX's
 * `20240301-12:00:00.000 : `. Application messages are mapped as the live acceptor maps
 * them; session messages are skipped; PossDup copies of executions already seen are
 * dropped; a line with a bad checksum or body length is rejected with its line number.
 *
 * @module
 */
import 'reflect-metadata';
import { createReadStream, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { AsciiParser, DITokens, type ElasticBuffer, type MsgView } from 'jspurefix';
import { makeSessionScope } from 'jspurefix/dist/runtime/session-scope.js';
import { InvalidEventError } from '../../core/errors';
import type { MarketEvent } from '../../core/events';
import { IngestStats } from '../../core/ingest-stats';
import type { JsonlReplayOptions, ReplayProgress, ReplaySummary } from '../files/jsonl';
import { makeFixRuntime } from './fix-acceptor';
import { type FixConfig, type FixConfigInput, FixConfigSchema } from './fix-config';
import { FixEventMapper } from './fix-mapper';
import { framingProblem, RecentIds } from './fix-session';

const APPLICATION_TYPES: ReadonlySet<string> = new Set(['D', 'F', 'G', '8', 'AE', 'W', 'X']);

/**
 * Replays a FIX log into `sink`.
 *
 * @param config - the `ingest.fix` section: venue, dictionary and party roles
 * @example
 * ```ts
 * const summary = await replayFixLog('venue.fixlog', { venue: 'venue-a' }, (e) => engine.process(e));
 * ```
 */
export async function replayFixLog(
  path: string,
  config: FixConfigInput | FixConfig,
  sink: (event: MarketEvent) => void,
  options: JsonlReplayOptions = {},
): Promise<ReplaySummary> {
  const fix = FixConfigSchema.parse(config);
  const source = options.source ?? `file:${path}`;
  const stats = options.stats ?? new IngestStats();
  const every = options.progressEveryLines ?? 50_000;
  const started = performance.now();
  const jsfix = await makeFixRuntime(fix);
  // The parser must share its buffer with the parser state the scope injects; a
  // hand-made buffer is written but never read.
  const scoped = makeSessionScope(jsfix);
  const container = scoped.sessionContainer;
  const parser = new AsciiParser(
    scoped,
    null,
    container.resolve<ElasticBuffer>(DITokens.ParseBuffer),
    container.resolve<number>(DITokens.maxMessageLen),
  );
  const mapper = new FixEventMapper({ venue: fix.venue, accountPartyRoles: fix.accountPartyRoles });
  const seen = new RecentIds(fix.dedupCapacity);
  let totalBytes = Number.NaN;
  try {
    totalBytes = statSync(path).size;
  } catch {
    // The stream reports a missing file.
  }
  const progress: ReplayProgress = {
    bytesRead: 0,
    totalBytes,
    lines: 0,
    accepted: 0,
    rejected: 0,
    elapsedMs: 0,
  };
  const reject = (errors: InvalidEventError[]) => {
    progress.rejected++;
    stats.reject(source, errors);
    options.onInvalid?.(errors);
  };
  // A view is only valid inside the parser's callback, so each message is handled there.
  let line = '';
  let location = '';
  let handled = false;
  const handle = (msgType: string, view: MsgView): void => {
    handled = true;
    const checksum = Number.parseInt(view.getString(10) ?? '', 10);
    if (checksum !== view.checksum()) {
      reject([
        new InvalidEventError(
          '(line)',
          line,
          `CheckSum (10) is ${checksum}, computed ${view.checksum()}`,
          location,
        ),
      ]);
      return;
    }
    if (!APPLICATION_TYPES.has(msgType)) return;
    const execId = msgType === '8' ? view.getString(17) : msgType === 'AE' ? view.getString(571) : null;
    if (execId !== null) {
      if ((view.getString(43) === 'Y' || view.getString(97) === 'Y') && seen.has(execId)) return;
      seen.add(execId);
    }
    const result = mapper.map(msgType, view, location);
    if (result.errors.length > 0) reject(result.errors);
    for (const e of result.events) {
      progress.accepted++;
      sink(e);
    }
  };
  parser.on('msg', handle);
  parser.on('error', () => {});

  const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 });
  const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
  let nextReport = every;
  for await (const text of lines) {
    progress.lines++;
    progress.bytesRead = stream.bytesRead;
    const start = text.indexOf('8=FIX');
    if (start < 0) continue;
    line = text;
    location = `${path}:${progress.lines}`;
    const message = text.slice(start).replaceAll('|', '\u0001');
    const framing = framingProblem(message);
    handled = false;
    if (framing === undefined) {
      try {
        parser.parseText(message);
      } catch {
        handled = false;
      }
    }
    if (!handled) {
      reject([
        new InvalidEventError(
          '(line)',
          text,
          `not a complete FIX message: ${framing ?? 'unparsable'}`,
          location,
        ),
      ]);
      parser.reset();
    }
    if (options.onProgress !== undefined && progress.lines >= nextReport) {
      progress.elapsedMs = performance.now() - started;
      options.onProgress({ ...progress });
      nextReport = progress.lines + every;
    }
  }
  stats.accept(source, progress.accepted);
  progress.elapsedMs = performance.now() - started;
  options.onProgress?.({ ...progress });
  return { ...progress, stats };
}
