/**
 * A streaming CSV reader (RFC 4180): quoted fields with `""` escapes, delimiters and line
 * breaks inside quotes, LF or CRLF line ends. Text arrives in chunks of any size; a record
 * is emitted with the line it starts on as soon as its line end is seen.
 *
 * Malformed records (a quote inside an unquoted field, text after a closing quote, a quote
 * never closed) are reported with their line and the parser goes on with the next record,
 * so one bad line never stops a replay.
 *
 * @module
 */

/** A parsed record and the 1-based line it starts on. */
export interface CsvRecord {
  fields: string[];
  line: number;
}

/** A record that could not be read; `text` is the raw record as far as it went. */
export interface CsvSyntaxProblem {
  line: number;
  column: number;
  reason: string;
  text: string;
}

/** Receives what {@link CsvParser} reads. */
export interface CsvHandler {
  record(record: CsvRecord): void;
  problem(problem: CsvSyntaxProblem): void;
}

const QUOTE = 34;
const CR = 13;
const LF = 10;

/** Longest accepted record, in characters: a quote never closed must not eat the whole file. */
export const MAX_CSV_RECORD_LENGTH = 1 << 20;
/** How much of a malformed record is kept for its error message. */
const MAX_PROBLEM_TEXT = 200;

type State =
  /** At the start of a field. */
  | 'field_start'
  /** Inside an unquoted field. */
  | 'unquoted'
  /** Inside a quoted field. */
  | 'quoted'
  /** Just read a quote inside a quoted field: either `""` or the closing quote. */
  | 'quote_in_quoted'
  /** The record is malformed: skip to its line end. */
  | 'skip';

/**
 * Incremental CSV parser.
 *
 * @example
 * ```ts
 * const parser = new CsvParser(',', { record: (r) => rows.push(r), problem: (p) => bad.push(p) });
 * parser.push('a,"b\n');
 * parser.push('c"\n1,2\n');
 * parser.end(); // rows: [['a','b\nc'] @1, ['1','2'] @3]
 * ```
 */
export class CsvParser {
  private readonly delimiter: number;
  private state: State = 'field_start';
  private fields: string[] = [];
  private field = '';
  /** Raw text of the current record, kept only for problem reports. */
  private raw = '';
  private line = 1;
  private recordLine = 1;
  private column = 0;
  private quoteLine = 1;
  private quoteColumn = 0;
  /** The last character seen was CR (across chunks), so an LF right after it is skipped. */
  private prevCr = false;
  private problemReason = '';
  private problemColumn = 0;

  constructor(
    delimiter: string,
    private readonly handler: CsvHandler,
  ) {
    if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
      throw new RangeError(
        `CSV delimiter must be one character other than a quote or line break, got ${JSON.stringify(delimiter)}`,
      );
    }
    this.delimiter = delimiter.charCodeAt(0);
  }

  /** Feeds the next piece of text. */
  push(chunk: string): void {
    const d = this.delimiter;
    let runStart = -1;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      const afterCr = this.prevCr;
      this.prevCr = c === CR;
      // The LF of a CRLF: the line (or the line inside a quoted field) already ended at CR.
      if (afterCr && c === LF) {
        if (this.state === 'quoted') {
          if (runStart < 0) runStart = i;
        }
        continue;
      }
      this.column++;
      // Unquoted and quoted runs are copied in slices rather than per character.
      switch (this.state) {
        case 'field_start':
          if (c === QUOTE) {
            this.state = 'quoted';
            runStart = i + 1;
            this.raw += '"';
            this.quoteLine = this.line;
            this.quoteColumn = this.column;
          } else if (c === d) {
            this.raw += chunk[i];
            this.endField();
          } else if (c === LF || c === CR) {
            this.endLine();
          } else {
            this.state = 'unquoted';
            runStart = i;
          }
          break;
        case 'unquoted':
          if (runStart < 0) runStart = i;
          if (c === d || c === LF || c === CR || c === QUOTE) {
            this.take(chunk, runStart, i);
            runStart = -1;
            if (c === QUOTE) {
              this.raw += '"';
              this.fail('a quote inside an unquoted field (quote the whole field and double inner quotes)');
            } else if (c === d) {
              this.raw += chunk[i];
              this.endField();
              this.state = 'field_start';
            } else {
              this.endLine();
            }
          }
          break;
        case 'quoted':
          if (runStart < 0) runStart = i;
          if (c === QUOTE) {
            this.take(chunk, runStart, i);
            this.raw += '"';
            runStart = -1;
            this.state = 'quote_in_quoted';
          } else if (c === LF || c === CR) {
            // A line break inside quotes belongs to the field; only the line counter moves.
            this.line++;
            this.column = 0;
            if (this.field.length + (i - runStart) > MAX_CSV_RECORD_LENGTH) {
              runStart = -1;
              this.fail(
                `a quoted field runs past ${MAX_CSV_RECORD_LENGTH} characters (is a closing quote missing?)`,
              );
            }
          }
          break;
        case 'quote_in_quoted':
          if (c === QUOTE) {
            this.field += '"';
            this.raw += '"';
            this.state = 'quoted';
            runStart = i + 1;
          } else if (c === d) {
            this.raw += chunk[i];
            this.endField();
            this.state = 'field_start';
          } else if (c === LF || c === CR) {
            this.endLine();
          } else {
            this.raw += chunk[i];
            this.fail('text after the closing quote of a field');
          }
          break;
        case 'skip':
          if (c === LF || c === CR) this.endLine();
          else if (this.raw.length < MAX_PROBLEM_TEXT) this.raw += chunk[i];
          break;
      }
    }
    if (runStart >= 0 && (this.state === 'unquoted' || this.state === 'quoted')) {
      this.take(chunk, runStart, chunk.length);
    }
  }

  /** Appends `chunk[from, to)` to the current field. */
  private take(chunk: string, from: number, to: number): void {
    const text = chunk.slice(from, to);
    this.field += text;
    if (this.raw.length < MAX_PROBLEM_TEXT) this.raw += text;
  }

  /** Ends the input: a last record without a line end is emitted, an open quote reported. */
  end(): void {
    if (this.state === 'quoted') {
      this.fail(`the quote opened at line ${this.quoteLine} is never closed`);
      this.problemColumn = this.quoteColumn;
    }
    if (this.state === 'skip') {
      this.report();
    } else if (this.fields.length > 0 || this.field.length > 0 || this.state !== 'field_start') {
      this.fields.push(this.field);
      this.emit();
    }
    this.reset();
  }

  private endField(): void {
    if (this.state === 'skip') return;
    this.fields.push(this.field);
    this.field = '';
  }

  private endLine(): void {
    if (this.state === 'skip') {
      this.report();
    } else if (this.fields.length > 0 || this.field.length > 0 || this.state !== 'field_start') {
      this.fields.push(this.field);
      this.emit();
    }
    // An empty line is no record.
    this.line++;
    this.reset();
  }

  private emit(): void {
    this.handler.record({ fields: this.fields, line: this.recordLine });
  }

  private fail(reason: string): void {
    this.problemReason = reason;
    this.problemColumn = this.column;
    this.state = 'skip';
  }

  private report(): void {
    this.handler.problem({
      line: this.recordLine,
      column: this.problemColumn,
      reason: this.problemReason,
      text: this.raw,
    });
  }

  private reset(): void {
    this.fields = [];
    this.field = '';
    this.raw = '';
    this.state = 'field_start';
    this.recordLine = this.line;
    this.column = 0;
  }
}

/** Parses a whole CSV text (see {@link CsvParser}). */
export function parseCsv(
  text: string,
  delimiter = ',',
): { records: CsvRecord[]; problems: CsvSyntaxProblem[] } {
  const records: CsvRecord[] = [];
  const problems: CsvSyntaxProblem[] = [];
  const parser = new CsvParser(delimiter, {
    record: (r) => records.push(r),
    problem: (p) => problems.push(p),
  });
  parser.push(text);
  parser.end();
  return { records, problems };
}

/** Formats one record, quoting only the fields that need it. */
export function formatCsvRecord(fields: readonly string[], delimiter = ','): string {
  let out = '';
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i] as string;
    if (i > 0) out += delimiter;
    // A record of one empty field would read back as an empty line (no record): quote it.
    const needsQuotes =
      f.includes(delimiter) ||
      f.includes('"') ||
      f.includes('\n') ||
      f.includes('\r') ||
      (f === '' && fields.length === 1);
    out += needsQuotes ? `"${f.replaceAll('"', '""')}"` : f;
  }
  return out;
}
