/**
 * CSV replay: records are read with {@link CsvParser}, mapped to event fields by the
 * `ingest.csv` column mapping, validated, and handed to a sink. A bad record is counted
 * with an error naming its line, the event field, the column and the value, and the
 * replay goes on.
 *
 * @module
 */
import { createReadStream, statSync } from 'node:fs';
import { InvalidEventError } from '../../core/errors';
import type { MarketEvent } from '../../core/events';
import { IngestStats } from '../../core/ingest-stats';
import { tryParseEvent, type ValidationResult, validateEvent } from '../../core/validate';
import {
  CSV_EVENT_FIELDS,
  CSV_NUMERIC_FIELDS,
  type CsvEventField,
  type CsvMapping,
  type CsvMappingInput,
  CsvMappingSchema,
} from './csv-mapping';
import { CsvParser, type CsvRecord, type CsvSyntaxProblem } from './csv-parser';
import type { JsonlReplayOptions, ReplayProgress, ReplaySummary } from './jsonl';

/**
 * The file's header does not fit the mapping (a mapped column is missing), so no record
 * of it can be read. Raised before the first event, never mid-stream.
 */
export class CsvHeaderError extends Error {
  override readonly name = 'CsvHeaderError';
  constructor(
    /** The file (or source name). */
    readonly file: string,
    /** The event field whose column is missing. */
    readonly field: string,
    /** The column the mapping names. */
    readonly column: string | number,
    /** The columns the header has. */
    readonly header: readonly string[],
  ) {
    super(
      typeof column === 'number'
        ? `${file}: ingest.csv.columns.${field} is column ${column}, but the file has no header to check it against`
        : `${file}: ingest.csv.columns.${field} names column '${column}', which the header does not have; ` +
            `the header has: ${header.map((h) => `'${h}'`).join(', ') || '(nothing)'}`,
    );
  }
}

/** Where one event field is read from. */
interface FieldSource {
  field: CsvEventField;
  /** 0-based index into the record. */
  index: number;
  /** Column as the user knows it (header name or `#3`), for error messages. */
  label: string;
}

/**
 * Turns CSV records into validated events by a {@link CsvMapping}.
 *
 * @example
 * ```ts
 * const reader = new CsvEventReader({ constants: { venue: 'binance', kind: 'trade' }, timestamp: 'ms' }, 'day.csv');
 * reader.setHeader(['time', 'symbol', 'id', 'price', 'qty', 'side']); // names resolved here
 * const r = reader.read({ fields: ['1700000000000', 'BTCUSDT', '1', '37000', '0.1', 'buy'], line: 2 });
 * ```
 */
export class CsvEventReader {
  readonly mapping: CsvMapping;
  private sources: FieldSource[] = [];
  private readonly constants: [CsvEventField, string | number][];
  private readonly sides = new Map<string, string>();
  private readonly kinds = new Map<string, string>();
  private readonly orderTypes = new Map<string, string>();
  private ready: boolean;

  /**
   * @param mapping - the `ingest.csv` section (validated again here)
   * @param name - file or source name used in error locations
   */
  constructor(
    mapping: CsvMappingInput | CsvMapping,
    private readonly name: string,
  ) {
    this.mapping = CsvMappingSchema.parse(mapping);
    this.constants = Object.entries(this.mapping.constants) as [CsvEventField, string | number][];
    for (const [k, v] of Object.entries(this.mapping.sides)) this.sides.set(k.toLowerCase(), v);
    for (const [k, v] of Object.entries(this.mapping.kinds)) this.kinds.set(k.toLowerCase(), v);
    for (const [k, v] of Object.entries(this.mapping.orderTypes)) this.orderTypes.set(k.toLowerCase(), v);
    this.ready = !this.mapping.header;
    if (!this.mapping.header) {
      for (const [field, column] of Object.entries(this.mapping.columns) as [
        CsvEventField,
        string | number,
      ][]) {
        if (typeof column === 'string') throw new CsvHeaderError(name, field, column, []);
        this.sources.push({ field, index: column - 1, label: `#${column}` });
      }
    }
  }

  /** True once columns are resolved (after the header, or at once without one). */
  get hasHeader(): boolean {
    return this.ready;
  }

  /**
   * Resolves column names against the header record.
   *
   * @throws {@link CsvHeaderError} when a mapped column is not in the header
   */
  setHeader(header: readonly string[]): void {
    const trimmed = header.map((h) => h.trim());
    const byName = new Map<string, number>();
    for (let i = 0; i < trimmed.length; i++) {
      const h = trimmed[i] as string;
      if (!byName.has(h)) byName.set(h, i);
    }
    const sources: FieldSource[] = [];
    const columns = this.mapping.columns as Partial<Record<CsvEventField, string | number>>;
    for (const field of CSV_EVENT_FIELDS) {
      const column = columns[field];
      if (column === undefined) {
        // Unmapped fields come from a column of their own name, if the header has one.
        const index = byName.get(field);
        if (index !== undefined) sources.push({ field, index, label: field });
      } else if (typeof column === 'number') {
        sources.push({ field, index: column - 1, label: trimmed[column - 1] ?? `#${column}` });
      } else {
        const index = byName.get(column);
        if (index === undefined) throw new CsvHeaderError(this.name, field, column, trimmed);
        sources.push({ field, index, label: column });
      }
    }
    this.sources = sources;
    this.ready = true;
  }

  /** Maps and validates one record; the errors name line, field, column and value. */
  read(record: CsvRecord): ValidationResult {
    const location = `${this.name}:${record.line}`;
    const raw: Record<string, unknown> = {};
    for (const [field, value] of this.constants) raw[field] = value;
    const columnOf = new Map<string, string>();
    const errors: InvalidEventError[] = [];
    for (const source of this.sources) {
      const cell = record.fields[source.index];
      if (cell === undefined) {
        errors.push(
          new InvalidEventError(
            source.field,
            undefined,
            `the record has ${record.fields.length} column${record.fields.length === 1 ? '' : 's'}, so column '${source.label}' is missing`,
            location,
          ),
        );
        continue;
      }
      const text = cell.trim();
      // An empty cell is an absent field (a constant, if any, fills it).
      if (text === '') continue;
      const converted = this.convert(source.field, text);
      if (converted === INVALID) {
        errors.push(new InvalidEventError(source.field, cell, this.expectation(source), location));
        continue;
      }
      raw[source.field] = converted;
      columnOf.set(source.field, source.label);
    }
    if (errors.length > 0) return { ok: false, errors };
    const event = tryParseEvent(raw);
    if (event !== undefined) return { ok: true, event };
    const result = validateEvent(raw, location);
    if (result.ok) return result;
    return {
      ok: false,
      errors: result.errors.map((e) => {
        const column = columnOf.get(e.field);
        if (column !== undefined) {
          return new InvalidEventError(e.field, e.value, `${e.reason} (column '${column}')`, location);
        }
        const constant = this.constants.some(([f]) => f === e.field);
        return constant
          ? new InvalidEventError(e.field, e.value, `${e.reason} (ingest.csv.constants.${e.field})`, location)
          : e;
      }),
    };
  }

  private convert(field: CsvEventField, text: string): unknown {
    if (field === 'ts') return parseTimestamp(text, this.mapping.timestamp);
    if (CSV_NUMERIC_FIELDS.has(field)) {
      const n = Number(text);
      return Number.isFinite(n) ? n : INVALID;
    }
    if (field === 'side' || field === 'aggressor')
      return this.sides.get(text.toLowerCase()) ?? lowerIf(text, SIDES);
    if (field === 'kind') return this.kinds.get(text.toLowerCase()) ?? text;
    if (field === 'type') return this.orderTypes.get(text.toLowerCase()) ?? lowerIf(text, ORDER_TYPES);
    return text;
  }

  private expectation(source: FieldSource): string {
    if (source.field === 'ts') {
      return `column '${source.label}' is not a timestamp in ${TIMESTAMP_WORDS[this.mapping.timestamp]}`;
    }
    return `column '${source.label}' is not a number`;
  }
}

const INVALID = Symbol('invalid cell');
const SIDES: ReadonlySet<string> = new Set(['buy', 'sell']);
const ORDER_TYPES: ReadonlySet<string> = new Set(['limit', 'market']);
const TIMESTAMP_WORDS: Record<CsvMapping['timestamp'], string> = {
  us: 'epoch microseconds (an integer)',
  ms: 'epoch milliseconds',
  s: 'epoch seconds',
  ns: 'epoch nanoseconds (an integer)',
  iso: 'ISO 8601 with a time zone (2024-03-01T12:00:00.123456Z)',
};

function lowerIf(text: string, known: ReadonlySet<string>): string {
  const lower = text.toLowerCase();
  return known.has(lower) ? lower : text;
}

const INTEGER = /^\d+$/;
const DECIMAL = /^\d+(\.\d+)?$/;
const ISO = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})$/;

/**
 * Parses a timestamp cell into epoch microseconds; `INVALID` when it is not one.
 * Integers are parsed from their digits so nanoseconds beyond 2^53 keep their precision.
 */
function parseTimestamp(text: string, unit: CsvMapping['timestamp']): number | typeof INVALID {
  switch (unit) {
    case 'us':
      return INTEGER.test(text) ? Number(text) : INVALID;
    case 'ns':
      // Dropping the last three digits is exact truncation to microseconds.
      if (!INTEGER.test(text)) return INVALID;
      return text.length <= 3 ? 0 : Number(text.slice(0, -3));
    case 'ms':
    case 's': {
      if (!DECIMAL.test(text)) return INVALID;
      return scaleDecimal(text, unit === 'ms' ? 3 : 6);
    }
    case 'iso': {
      const m = ISO.exec(text);
      if (m === null) return INVALID;
      const [, date, time, fraction = '', zone] = m;
      const ms = Date.parse(`${date}T${time}${zone === 'Z' ? 'Z' : normaliseZone(zone as string)}`);
      if (!Number.isFinite(ms)) return INVALID;
      const micros = Number(`${fraction}000000`.slice(0, 6));
      return ms * 1000 + micros;
    }
  }
}

/** `1700000000.123456` with 6 → `1700000000123456`, exactly, by shifting the decimal point. */
function scaleDecimal(text: string, digits: number): number {
  const dot = text.indexOf('.');
  const whole = dot < 0 ? text : text.slice(0, dot);
  const fraction = dot < 0 ? '' : text.slice(dot + 1);
  const kept = `${fraction}${'0'.repeat(digits)}`.slice(0, digits);
  const rest = fraction.slice(digits);
  const value = Number(`${whole}${kept}`);
  // Sub-microsecond digits round half up.
  return rest.length > 0 && rest.charCodeAt(0) - 48 >= 5 ? value + 1 : value;
}

function normaliseZone(zone: string): string {
  return zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone;
}

/** Options of {@link replayCsv}: those of JSONL replay. */
export type CsvReplayOptions = JsonlReplayOptions;

/** The error of a record the CSV reader could not split into fields. */
function syntaxError(problem: CsvSyntaxProblem, name: string): InvalidEventError {
  return new InvalidEventError(
    '(line)',
    problem.text,
    `malformed CSV at column ${problem.column}: ${problem.reason}`,
    `${name}:${problem.line}`,
  );
}

/**
 * Parses CSV text held in memory (see {@link replayCsv}).
 *
 * @throws {@link CsvHeaderError} when the header lacks a mapped column
 */
export function parseCsvEvents(
  text: string,
  mapping: CsvMappingInput | CsvMapping = {},
  name = 'csv',
): { events: MarketEvent[]; errors: InvalidEventError[] } {
  const reader = new CsvEventReader(mapping, name);
  const events: MarketEvent[] = [];
  const errors: InvalidEventError[] = [];
  const parser = new CsvParser(reader.mapping.delimiter, {
    record: (record) => {
      if (!reader.hasHeader) {
        reader.setHeader(record.fields);
        return;
      }
      const r = reader.read(record);
      if (r.ok) events.push(r.event);
      else errors.push(...r.errors);
    },
    problem: (p) => errors.push(syntaxError(p, name)),
  });
  parser.push(text);
  parser.end();
  return { events, errors };
}

/**
 * Streams a CSV file into `sink` through a column mapping.
 *
 * @throws {@link CsvHeaderError} before the first event when the header lacks a mapped column
 * @example
 * ```ts
 * // time,symbol,trade_id,price,amount,taker_side
 * const mapping = {
 *   timestamp: 'ms',
 *   constants: { kind: 'trade', venue: 'binance' },
 *   columns: { ts: 'time', instrument: 'symbol', tradeId: 'trade_id', qty: 'amount', aggressor: 'taker_side' },
 * } as const;
 * const summary = await replayCsv('trades.csv', mapping, (e) => engine.process(e));
 * ```
 */
export async function replayCsv(
  path: string,
  mapping: CsvMappingInput | CsvMapping,
  sink: (event: MarketEvent) => void,
  options: CsvReplayOptions = {},
): Promise<ReplaySummary> {
  const source = options.source ?? `file:${path}`;
  const stats = options.stats ?? new IngestStats();
  const every = options.progressEveryLines ?? 50_000;
  const reader = new CsvEventReader(mapping, path);
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
  const reject = (errors: InvalidEventError[]): void => {
    progress.rejected++;
    stats.reject(source, errors);
    options.onInvalid?.(errors);
  };
  const parser = new CsvParser(reader.mapping.delimiter, {
    record: (record: CsvRecord) => {
      progress.lines = record.line;
      if (!reader.hasHeader) {
        reader.setHeader(record.fields);
        return;
      }
      const r = reader.read(record);
      if (r.ok) {
        progress.accepted++;
        sink(r.event);
      } else reject(r.errors);
    },
    problem: (p) => {
      progress.lines = p.line;
      reject([syntaxError(p, path)]);
    },
  });
  const stream = createReadStream(path, { highWaterMark: 1 << 20, encoding: 'utf8' });
  let nextReport = every;
  for await (const chunk of stream as AsyncIterable<string>) {
    progress.bytesRead = stream.bytesRead;
    parser.push(chunk);
    if (options.onProgress !== undefined && progress.lines >= nextReport) {
      progress.elapsedMs = performance.now() - started;
      options.onProgress({ ...progress });
      nextReport = progress.lines + every;
    }
  }
  parser.end();
  stats.accept(source, progress.accepted);
  progress.elapsedMs = performance.now() - started;
  options.onProgress?.({ ...progress });
  return { ...progress, stats };
}
