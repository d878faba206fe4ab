/**
 * Error classes that carry data. Every user-facing error says what was wrong, where, and
 * what was expected, and keeps those parts as fields so programs can act on them.
 *
 * @module
 */

/** Renders a value for an error message without dumping megabytes of it. */
export function describeValue(value: unknown, maxLength = 80): string {
  let text: string;
  if (typeof value === 'string') text = JSON.stringify(value);
  else if (typeof value === 'number') text = Number.isNaN(value) ? 'NaN' : String(value);
  else if (value === undefined) text = 'undefined (missing)';
  else if (typeof value === 'bigint') text = `${value}n`;
  else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = Object.prototype.toString.call(value);
    }
  }
  return text.length > maxLength ? `${text.slice(0, maxLength)}… (${text.length} chars)` : text;
}

/**
 * An event failed validation at an edge. It never reaches the engine; the source counts
 * it and the stream goes on.
 *
 * @example
 * ```ts
 * const r = validateEvent({ kind: 'trade', ts: 1.5 });
 * if (!r.ok) console.log(r.errors[0].field); // 'ts'
 * ```
 */
export class InvalidEventError extends Error {
  override readonly name = 'InvalidEventError';
  /** Dotted path of the offending field (`price`, `kind`), or `(line)` for unparsable input. */
  readonly field: string;
  /** The offending value as received (`undefined` when missing). */
  readonly value: unknown;
  /** What was expected, in words. */
  readonly reason: string;
  /** Where the event came from (`file.jsonl:12`, `grpc:batch 7 #3`), when known. */
  readonly location: string | undefined;

  constructor(field: string, value: unknown, reason: string, location?: string) {
    super(
      `${location ? `${location}: ` : ''}invalid event field '${field}' = ${describeValue(value)}: ${reason}`,
    );
    this.field = field;
    this.value = value;
    this.reason = reason;
    this.location = location;
  }

  /** A copy with a location attached. */
  at(location: string): InvalidEventError {
    return new InvalidEventError(this.field, this.value, this.reason, location);
  }

  /** Plain-data form for JSON output and wire protocols. */
  toJSON(): { field: string; value: string; reason: string; location?: string } {
    const out: { field: string; value: string; reason: string; location?: string } = {
      field: this.field,
      value: describeValue(this.value),
      reason: this.reason,
    };
    if (this.location !== undefined) out.location = this.location;
    return out;
  }
}

/** One problem found in a configuration file. */
export interface ConfigIssue {
  /** Dotted YAML path (`detectors.spoofing.minQty`), empty for the document root. */
  path: string;
  /** What was wrong and what was expected. */
  message: string;
  /** 1-based line in the file, when known. */
  line?: number;
  /** 1-based column in the file, when known. */
  column?: number;
}

/** A configuration file could not be read, parsed or validated. Carries every issue found. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly file: string | undefined;
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[], file?: string) {
    const where = file ?? 'config';
    const lines = issues.map((i) => {
      const pos = i.line !== undefined ? `${where}:${i.line}:${i.column ?? 1}` : where;
      return `  ${pos}  ${i.path || '(root)'}: ${i.message}`;
    });
    super(`${issues.length} problem${issues.length === 1 ? '' : 's'} in ${where}:\n${lines.join('\n')}`);
    this.file = file;
    this.issues = issues;
  }
}
