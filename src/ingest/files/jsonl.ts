/**
 * JSONL replay: one event per line, parsed, validated and handed to a sink. A bad line is
 * counted with its line number and the replay goes on.
 *
 * @module
 */
import { isUtf8 } from 'node:buffer';
import { createReadStream, statSync } from 'node:fs';
import { InvalidEventError } from '../../core/errors';
import type { MarketEvent } from '../../core/events';
import { IngestStats } from '../../core/ingest-stats';
import { tryParseEvent, type ValidationResult, validateEvent } from '../../core/validate';

/** Progress of a replay, reported every few thousand lines. */
export interface ReplayProgress {
  bytesRead: number;
  /** File size, or NaN when unknown. */
  totalBytes: number;
  lines: number;
  accepted: number;
  rejected: number;
  elapsedMs: number;
}

/** Options of {@link replayJsonl}. */
export interface JsonlReplayOptions {
  /** Source name for counters (default `file:<path>`). */
  source?: string;
  /** Counters to add to (default: a new one, returned in the summary). */
  stats?: IngestStats;
  /** Called with every rejected line's errors. */
  onInvalid?(errors: readonly InvalidEventError[]): void;
  /** Called about every `progressEveryLines` lines and once at the end. */
  onProgress?(progress: ReplayProgress): void;
  progressEveryLines?: number;
}

/** Outcome of a replay. */
export interface ReplaySummary extends ReplayProgress {
  stats: IngestStats;
}

/**
 * Parses and validates one JSONL line. `location` names it in errors (`file.jsonl:12`).
 */
export function parseJsonlLine(line: string, location?: string): ValidationResult {
  const raw = parseJson(line);
  if (raw === INVALID_JSON) return { ok: false, errors: [jsonError(line, location)] };
  return validateEvent(raw, location);
}

const INVALID_JSON = Symbol('invalid JSON');

function parseJson(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return INVALID_JSON;
  }
}

/** The error of a line that is not JSON (parsed again for the message: bad lines are rare). */
function jsonError(line: string, location: string | undefined): InvalidEventError {
  let message = 'unparsable';
  try {
    JSON.parse(line);
  } catch (error) {
    message = (error as Error).message;
  }
  return new InvalidEventError('(line)', line, `not valid JSON (${message})`, location);
}

/**
 * Parses JSONL text held in memory: valid events in order, and the errors of bad lines.
 */
export function parseJsonl(
  text: string,
  name = 'jsonl',
): { events: MarketEvent[]; errors: InvalidEventError[] } {
  const events: MarketEvent[] = [];
  const errors: InvalidEventError[] = [];
  let lineNo = 0;
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    lineNo++;
    const line = text.slice(start, end);
    start = end + 1;
    if (isBlank(line)) continue;
    const r = parseJsonlLine(line, `${name}:${lineNo}`);
    if (r.ok) events.push(r.event);
    else errors.push(...r.errors);
  }
  return { events, errors };
}

/**
 * Streams a JSONL file into `sink`, validating every line.
 *
 * @example
 * ```ts
 * const engine = createEngine({ detectors });
 * const summary = await replayJsonl('day.jsonl', (e) => engine.process(e));
 * engine.flush();
 * console.log(summary.accepted, summary.rejected);
 * ```
 */
export async function replayJsonl(
  path: string,
  sink: (event: MarketEvent) => void,
  options: JsonlReplayOptions = {},
): Promise<ReplaySummary> {
  const source = options.source ?? `file:${path}`;
  const stats = options.stats ?? new IngestStats();
  const every = options.progressEveryLines ?? 50_000;
  const started = performance.now();
  let totalBytes = Number.NaN;
  try {
    totalBytes = statSync(path).size;
  } catch {
    // Reported by the stream below with its own error.
  }
  const progress: ReplayProgress = {
    bytesRead: 0,
    totalBytes,
    lines: 0,
    accepted: 0,
    rejected: 0,
    elapsedMs: 0,
  };
  const stream = createReadStream(path, { highWaterMark: 1 << 20 });
  let carry: Buffer | undefined;
  let nextReport = every;

  const handleLine = (bytes: Buffer, start: number, end: number): void => {
    const line = bytes.toString('utf8', start, end);
    progress.lines++;
    if (isBlank(line)) return;
    // Bad bytes decode to U+FFFD; only then is the line checked, and rejected if not UTF-8,
    // rather than letting a mangled instrument or account name through.
    if (line.includes('\uFFFD') && !isUtf8(bytes.subarray(start, end))) {
      const error = new InvalidEventError('(line)', line, 'not valid UTF-8', `${path}:${progress.lines}`);
      progress.rejected++;
      stats.reject(source, [error]);
      options.onInvalid?.([error]);
      return;
    }
    const raw = parseJson(line);
    // The fast path takes valid events; only bad lines pay for the detailed errors.
    const event = raw === INVALID_JSON ? undefined : tryParseEvent(raw);
    if (event !== undefined) {
      progress.accepted++;
      sink(event);
      return;
    }
    const location = `${path}:${progress.lines}`;
    const result = raw === INVALID_JSON ? undefined : validateEvent(raw, location);
    const errors = result === undefined ? [jsonError(line, location)] : result.ok ? [] : result.errors;
    progress.rejected++;
    stats.reject(source, errors);
    options.onInvalid?.(errors);
  };

  for await (const chunk of stream as AsyncIterable<Buffer>) {
    progress.bytesRead = stream.bytesRead;
    const buffer = carry === undefined ? chunk : Buffer.concat([carry, chunk]);
    let start = 0;
    for (;;) {
      const end = buffer.indexOf(NEWLINE, start);
      if (end < 0) break;
      handleLine(buffer, start, end);
      start = end + 1;
    }
    carry = start < buffer.length ? buffer.subarray(start) : undefined;
    if (options.onProgress !== undefined && progress.lines >= nextReport) {
      progress.elapsedMs = performance.now() - started;
      options.onProgress({ ...progress });
      nextReport = progress.lines + every;
    }
  }
  if (carry !== undefined) handleLine(carry, 0, carry.length);
  stats.accept(source, progress.accepted);
  progress.elapsedMs = performance.now() - started;
  options.onProgress?.({ ...progress });
  return { ...progress, stats };
}

const NEWLINE = 0x0a;

function isBlank(line: string): boolean {
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 13) return false;
  }
  return true;
}
