/**
 * YAML configuration: parse with `yaml`, validate with zod, and report every problem with
 * its YAML path, its line and column, and the type that was expected.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { type Document, isMap, isPair, isScalar, LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { ConfigError, type ConfigIssue, describeValue } from './errors';

/** The `engine:` section. */
export const EngineConfigSchema = z.strictObject({
  /** Event-time interval between detector `onTime` calls. 100 ms closes windows promptly at negligible cost. */
  tickIntervalMs: z.number().positive().max(3_600_000).default(100),
  /** How far the end of a replay advances event time so open windows close. */
  flushHorizonMs: z.number().positive().default(3_600_000),
  /**
   * Lateness bound: windows close this long after the newest event time, so events that
   * arrive out of order by up to this much still count. Later ones are applied and reported.
   */
  latenessMs: z.number().min(0).max(3_600_000).default(0),
});

/** Owner map section: `{ account: owner }`. */
export const OwnersConfigSchema = z.record(z.string().min(1), z.string().min(1));

/**
 * Builds the schema of a whole `tapewatch.yaml` from the config schemas of the detectors
 * that can be enabled. Each detector section gains `enabled` (default true); unknown keys
 * anywhere are errors.
 */
export function buildConfigSchema<const S extends Record<string, z.ZodObject>>(detectorSchemas: S) {
  const shape = {} as { [K in keyof S]: z.ZodType };
  for (const id of Object.keys(detectorSchemas) as (keyof S & string)[]) {
    const schema = detectorSchemas[id] as z.ZodObject;
    shape[id] = schema
      .extend({ enabled: z.boolean().default(true) })
      .strict()
      .prefault({});
  }
  return z.strictObject({
    engine: EngineConfigSchema.prefault({}),
    owners: OwnersConfigSchema.default({}),
    // Every detector section has its own prefault, so `{}` is valid input; the mapped
    // generic shape hides that from TypeScript.
    detectors: z.strictObject(shape).prefault({} as never),
  });
}

/**
 * Parses YAML text and validates it against `schema`.
 *
 * @param file - file name used in error messages
 * @throws {@link ConfigError} with every YAML syntax or schema problem found
 */
export function parseConfig<T extends z.ZodType>(text: string, schema: T, file?: string): z.output<T> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((e) => {
        const issue: ConfigIssue = { path: '', message: e.message.split('\n')[0] ?? e.message };
        const offset = e.pos[0];
        if (Number.isInteger(offset)) {
          const pos = lineCounter.linePos(offset);
          issue.line = pos.line;
          issue.column = pos.col;
        }
        return issue;
      }),
      file,
    );
  }
  let data: unknown;
  try {
    // Aliases are expanded here: an unresolved one, or an alias bomb (YAML's "billion
    // laughs", capped by maxAliasCount), throws from toJS.
    data = doc.toJS({ maxAliasCount: 100 }) ?? {};
  } catch (error) {
    throw new ConfigError([{ path: '', message: `YAML aliases: ${(error as Error).message}` }], file);
  }
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.flatMap((i) => toConfigIssues(i, schema, data, doc, lineCounter)),
    file,
  );
}

/**
 * Reads and validates a YAML configuration file.
 *
 * @throws {@link ConfigError} when the file is missing, unreadable or invalid
 */
export function loadConfigFile<T extends z.ZodType>(path: string, schema: T): z.output<T> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const message =
      code === 'ENOENT'
        ? 'file not found'
        : code === 'EISDIR'
          ? 'is a directory, expected a YAML file'
          : `cannot be read (${code ?? String(error)})`;
    throw new ConfigError([{ path: '', message }], path);
  }
  return parseConfig(text, schema, path);
}

function toConfigIssues(
  issue: z.core.$ZodIssue,
  schema: z.ZodType,
  data: unknown,
  doc: Document,
  lineCounter: LineCounter,
): ConfigIssue[] {
  const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => {
      const keyPath = [...path, key];
      const out: ConfigIssue = {
        path: keyPath.join('.'),
        message: `unknown key '${key}'; expected one of: ${knownKeys(schema, path).join(', ')}`,
      };
      locate(out, doc, lineCounter, path, key);
      return out;
    });
  }
  const value = valueAt(data, path);
  const out: ConfigIssue = { path: path.join('.'), message: describeIssue(issue, value) };
  locate(out, doc, lineCounter, path);
  return [out];
}

function describeIssue(issue: z.core.$ZodIssue, value: unknown): string {
  switch (issue.code) {
    case 'invalid_type':
      if (value === undefined) return `required, expected ${issue.expected}`;
      return `expected ${issue.expected}, got ${kindOf(value)} ${describeValue(value, 40)}`;
    case 'too_small':
      return `expected ${issue.origin === 'string' ? 'a non-empty string' : `a number ${issue.inclusive ? '>=' : '>'} ${String(issue.minimum)}`}, got ${describeValue(value, 40)}`;
    case 'too_big':
      return `expected a number ${issue.inclusive ? '<=' : '<'} ${String(issue.maximum)}, got ${describeValue(value, 40)}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${describeValue(value, 40)}`;
    default:
      return issue.message;
  }
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `a ${typeof value}`;
}

/** The keys the object schema at `path` accepts. */
function knownKeys(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let current: z.ZodType | undefined = unwrap(schema);
  for (const key of path) {
    if (current instanceof z.ZodObject) current = unwrap(current.shape[String(key)]);
    else if (current instanceof z.ZodRecord) current = unwrap(current.valueType as z.ZodType);
    else return [];
  }
  return current instanceof z.ZodObject ? Object.keys(current.shape) : [];
}

/** Strips default/prefault/optional wrappers. */
function unwrap(schema: z.ZodType | undefined): z.ZodType | undefined {
  let current = schema;
  while (
    current instanceof z.ZodDefault ||
    current instanceof z.ZodPrefault ||
    current instanceof z.ZodOptional
  ) {
    current = current.unwrap() as z.ZodType;
  }
  return current;
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let value = data;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/** Fills `line`/`column` with the position of the node at `path` (or of its key `key`). */
function locate(
  issue: ConfigIssue,
  doc: Document,
  lineCounter: LineCounter,
  path: readonly PropertyKey[],
  key?: string,
): void {
  let nodePath = path as readonly unknown[];
  let node = nodePath.length === 0 ? doc.contents : doc.getIn(nodePath, true);
  // A missing value: point at the nearest ancestor that exists.
  while (node === undefined && nodePath.length > 0) {
    nodePath = nodePath.slice(0, -1);
    node = nodePath.length === 0 ? doc.contents : doc.getIn(nodePath, true);
  }
  let range: readonly number[] | null | undefined;
  if (key !== undefined && isMap(node)) {
    const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === key);
    if (pair !== undefined && isScalar(pair.key)) range = pair.key.range;
  }
  if (range == null && node !== null && typeof node === 'object' && 'range' in node) {
    range = (node as { range?: readonly number[] | null }).range;
  }
  if (range == null || range[0] === undefined) return;
  const pos = lineCounter.linePos(range[0]);
  issue.line = pos.line;
  issue.column = pos.col;
}
