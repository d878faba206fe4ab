/**
 * The `tapewatch` command line: parses arguments and dispatches to commands.
 *
 * @module
 */
import { parseArgs } from 'node:util';
import {
  CaseNotFoundError,
  ConflictError,
  IllegalTransitionError,
  InvalidCaseActionError,
} from '../cases/errors';
import { ConfigError } from '../core/errors';
import { runCases, stateOf } from './commands/cases';
import { runConfigCheck } from './commands/config-check';
import { runDemo } from './commands/demo';
import { runEval } from './commands/eval';
import { runPublish, runWorker } from './commands/nats';
import { runReplay } from './commands/replay';
import { runReport } from './commands/report';
import { runServe } from './commands/serve';
import { runSimulate } from './commands/simulate';
import { type CliIo, UsageError } from './io';

const HELP = `tapewatch — market-surveillance engine for crypto venues

Usage:
  tapewatch <command> [options]

Commands:
  demo                     replay the bundled sample market and show what the engine finds
  replay FILE              run events from a file through the engine, print signals
                           (FILE.jsonl, FILE.csv read with the ingest.csv column mapping,
                           or FILE.fixlog: one FIX message per line)
  config check FILE        validate a tapewatch.yaml and list what it enables
  serve                    run the engine behind gRPC (50051) and the HTTP gateway (8080) until Ctrl-C
  simulate                 write a simulated market with injected scenarios as JSONL (labels apart)
  cases list|show|transition|assign|comment
                           work on cases in the store --db names (see tapewatch cases)
  report CASE_ID           a case file (--format md|html) or STOR record (--format json)
  eval                     score the detectors on labelled scenarios; writes docs/EVALUATION.md
  publish FILE.jsonl       publish events to NATS JetStream partitions (--nats URL --partitions N)
  worker                   run partition K of N from NATS JetStream (--nats URL --partition K --partitions N)

Options:
  --config FILE            tapewatch.yaml to use (default: ./tapewatch.yaml if present)
  --json                   machine-readable output, one JSON object per line
  --db DB                  case store: a SQLite file (default ./tapewatch.db for serve, demo,
                           cases, report), postgres://…[?schema=S], or memory; replay stores
                           cases only when --db is given
  --actor NAME             cases: who acts (default $USER)
  --note TEXT              cases transition/assign: a note for the audit trail
  --resolution R           cases transition close: true_positive|false_positive|inconclusive
  --expect-version N       cases: fail with a conflict unless the case is still at version N
  --state S, --typology T, --instrument I, --owner O, --assignee A, --limit N, --offset N
                           cases list: filters and paging
  --format F               report: md (default), html or json
  --entity NAME            report: the reporting entity named in the report
  --host HOST              serve: interface to bind (default 127.0.0.1)
  --grpc-port PORT         serve: gRPC port (default 50051; 0 picks a free one)
  --http-port PORT         serve: HTTP gateway port (default 8080; 0 picks a free one)
  --workers N              serve: split the engine over N worker threads (partitions by instrument)
  --detectors MODULE       serve --workers, worker: detectors from a module exporting createDetectors()
  --nats URL               publish, worker: NATS server (e.g. nats://127.0.0.1:4222)
  --partitions N           publish, worker: number of partitions
  --partition K            worker: the partition to consume (0..N-1)
  --prefix P               publish, worker: subjects P.ev.*/P.sig.*, streams P_EVENTS/P_SIGNALS (default tw)
  --run-id ID              publish: deduplication name of this publication (default: from the file)
  --fix-port PORT          serve: also run the FIX 4.4 drop-copy acceptor (ingest.fix) on PORT
  --scenario NAME          simulate/eval: a scenario to inject (repeatable; eval default: all)
  --seed N                 simulate: seed (default 1)
  --minutes N              simulate: simulated minutes (default 10)
  --out FILE               simulate: events file (default stdout); eval: report file
  --labels FILE            simulate: labels file (default FILE.labels.jsonl)
  --owners-config FILE     simulate: also write a tapewatch.yaml with the owner map
  --intensity X            simulate: scenario intensity (default 1)
  --seeds SEEDS            eval: reporting (1001–1010, default), tuning (1–100), FROM-TO or a,b,c
  -h, --help               show this help
  -v, --version            show the version

Examples:
  tapewatch replay examples/data/sample.jsonl
  tapewatch replay day.jsonl --config tapewatch.yaml --json > signals.jsonl
  tapewatch config check examples/tapewatch.yaml
  tapewatch simulate --scenario spoofing --seed 7 --minutes 10 --out sim.jsonl --owners-config sim.yaml
  tapewatch replay sim.jsonl --config sim.yaml
  tapewatch eval --seeds 1-20 --scenario wash_self
  tapewatch cases list --state open --json
  tapewatch cases transition case_0123abcd triage --actor ana
  tapewatch report case_0123abcd --format html --out case.html
`;

const OPTIONS = {
  config: { type: 'string' },
  json: { type: 'boolean', default: false },
  host: { type: 'string' },
  'grpc-port': { type: 'string' },
  'http-port': { type: 'string' },
  workers: { type: 'string' },
  nats: { type: 'string' },
  partitions: { type: 'string' },
  partition: { type: 'string' },
  prefix: { type: 'string' },
  'run-id': { type: 'string' },
  detectors: { type: 'string' },
  'fix-port': { type: 'string' },
  scenario: { type: 'string', multiple: true },
  seed: { type: 'string' },
  minutes: { type: 'string' },
  out: { type: 'string' },
  labels: { type: 'string' },
  'owners-config': { type: 'string' },
  intensity: { type: 'string' },
  seeds: { type: 'string' },
  db: { type: 'string' },
  actor: { type: 'string' },
  note: { type: 'string' },
  resolution: { type: 'string' },
  'expect-version': { type: 'string' },
  state: { type: 'string' },
  typology: { type: 'string' },
  instrument: { type: 'string' },
  owner: { type: 'string' },
  assignee: { type: 'string' },
  limit: { type: 'string' },
  offset: { type: 'string' },
  format: { type: 'string' },
  entity: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
  version: { type: 'boolean', short: 'v', default: false },
} as const;

/** Runs the CLI with `argv` (without node and script); resolves to the exit code. */
export async function runCli(argv: readonly string[], io: CliIo, version = '0.0.0'): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      options: OPTIONS,
      allowPositionals: true,
      strict: true,
    });
    if (values.version) {
      io.out(`${version}\n`);
      return 0;
    }
    const [command, ...rest] = positionals;
    if (values.help || command === undefined || command === 'help') {
      io.out(HELP);
      return 0;
    }
    const configPath = values.config;
    const db = values.db;
    const withDb = db === undefined ? {} : { db };
    switch (command) {
      case 'demo':
        return await runDemo(
          configPath === undefined
            ? { json: values.json, ...withDb }
            : { json: values.json, configPath, ...withDb },
          io,
        );
      case 'cases': {
        const query = {
          ...(values.state === undefined ? {} : { state: stateOf(values.state) }),
          ...(values.typology === undefined ? {} : { typology: values.typology }),
          ...(values.instrument === undefined ? {} : { instrument: values.instrument }),
          ...(values.owner === undefined ? {} : { owner: values.owner }),
          ...(values.assignee === undefined ? {} : { assignee: values.assignee }),
          ...(values.limit === undefined ? {} : { limit: countOf(values.limit, '--limit') }),
          ...(values.offset === undefined ? {} : { offset: numberOf(values.offset, '--offset') }),
        };
        return await runCases(
          rest,
          {
            json: values.json,
            query,
            ...withDb,
            ...(values.actor === undefined ? {} : { actor: values.actor }),
            ...(values.note === undefined ? {} : { note: values.note }),
            ...(values.resolution === undefined ? {} : { resolution: values.resolution }),
            ...(values['expect-version'] === undefined
              ? {}
              : { expectedVersion: numberOf(values['expect-version'], '--expect-version') }),
          },
          io,
        );
      }
      case 'report': {
        const [caseId, ...extra] = rest;
        if (caseId === undefined || extra.length > 0) {
          throw new UsageError(
            'usage: tapewatch report CASE_ID [--format md|html|json] [--out FILE] [--db DB]',
          );
        }
        return await runReport(
          {
            caseId,
            ...withDb,
            ...(values.format === undefined ? {} : { format: values.format }),
            ...(values.out === undefined ? {} : { out: values.out }),
            ...(values.entity === undefined ? {} : { entity: values.entity }),
          },
          io,
        );
      }
      case 'replay': {
        const [file, ...extra] = rest;
        if (file === undefined) {
          throw new UsageError('replay needs a file: tapewatch replay FILE.jsonl (or .csv)');
        }
        if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(' ')}`);
        const options =
          configPath === undefined
            ? { file, json: values.json, ...withDb }
            : { file, json: values.json, configPath, ...withDb };
        await runReplay(options, io);
        return 0;
      }
      case 'serve': {
        const grpcPort =
          values['grpc-port'] === undefined ? undefined : portOf(values['grpc-port'], '--grpc-port');
        const httpPort =
          values['http-port'] === undefined ? undefined : portOf(values['http-port'], '--http-port');
        const fixPort =
          values['fix-port'] === undefined ? undefined : portOf(values['fix-port'], '--fix-port');
        return await runServe(
          {
            version,
            ...(configPath === undefined ? {} : { configPath }),
            ...(values.host === undefined ? {} : { host: values.host }),
            ...(grpcPort === undefined ? {} : { grpcPort }),
            ...(httpPort === undefined ? {} : { httpPort }),
            ...(values.workers === undefined ? {} : { workers: countOf(values.workers, '--workers') }),
            ...(values.detectors === undefined ? {} : { detectorModule: values.detectors }),
            ...(fixPort === undefined ? {} : { fixPort }),
            ...withDb,
          },
          io,
        );
      }
      case 'simulate':
        return await runSimulate(
          {
            scenarios: values.scenario ?? [],
            seed: numberOf(values.seed ?? '1', '--seed'),
            minutes: numberOf(values.minutes ?? '10', '--minutes'),
            ...(values.out === undefined ? {} : { out: values.out }),
            ...(values.labels === undefined ? {} : { labels: values.labels }),
            ...(values['owners-config'] === undefined ? {} : { ownersConfig: values['owners-config'] }),
            ...(values.intensity === undefined
              ? {}
              : { intensity: numberOf(values.intensity, '--intensity') }),
          },
          io,
        );
      case 'eval':
        return await runEval(
          {
            scenarios: values.scenario ?? [],
            json: values.json,
            ...(values.seeds === undefined ? {} : { seeds: values.seeds }),
            ...(values.out === undefined ? {} : { out: values.out }),
            ...(configPath === undefined ? {} : { configPath }),
          },
          io,
        );
      case 'publish':
      case 'worker': {
        if (values.nats === undefined) throw new UsageError(`${command} needs --nats URL`);
        if (values.partitions === undefined) throw new UsageError(`${command} needs --partitions N`);
        const common = {
          nats: values.nats,
          partitions: countOf(values.partitions, '--partitions'),
          json: values.json,
          ...(values.prefix === undefined ? {} : { prefix: values.prefix }),
          ...(configPath === undefined ? {} : { configPath }),
          ...(values.detectors === undefined ? {} : { detectorModule: values.detectors }),
        };
        if (common.partitions < 1) throw new UsageError('--partitions must be at least 1');
        if (command === 'publish') {
          const [file, ...extra] = rest;
          if (file === undefined)
            throw new UsageError('publish needs a file: tapewatch publish FILE.jsonl --nats URL');
          if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(' ')}`);
          return await runPublish(
            { ...common, file, ...(values['run-id'] === undefined ? {} : { runId: values['run-id'] }) },
            io,
          );
        }
        if (values.partition === undefined) throw new UsageError('worker needs --partition K');
        const partition = countOf(values.partition, '--partition');
        if (partition >= common.partitions) {
          throw new UsageError(`--partition must be 0..${common.partitions - 1}, got ${partition}`);
        }
        return await runWorker({ ...common, partition }, io);
      }
      case 'config': {
        const [sub, file] = rest;
        if (sub !== 'check' || file === undefined) {
          throw new UsageError('usage: tapewatch config check FILE');
        }
        return runConfigCheck(file, values.json, io);
      }
      default:
        throw new UsageError(`unknown command '${command}' (see tapewatch --help)`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`tapewatch: ${error.message}\n`);
      return 2;
    }
    if (
      error instanceof CaseNotFoundError ||
      error instanceof IllegalTransitionError ||
      error instanceof InvalidCaseActionError ||
      error instanceof ConflictError
    ) {
      io.err(`tapewatch: ${error.message}\n`);
      return 1;
    }
    if (error instanceof ConfigError) {
      io.err(`tapewatch: ${error.message}\n`);
      return 1;
    }
    if (error instanceof TypeError && (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`tapewatch: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

/** Parses a numeric flag. */
function numberOf(text: string, flag: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n))
    throw new UsageError(`${flag} expects a number, got '${text}'`);
  return n;
}

/** Parses a port flag. */
function portOf(text: string, flag: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`${flag} expects a port number 0–65535, got '${text}'`);
  }
  return port;
}

/** Parses a count flag (0–4096). */
function countOf(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0 || n > 4096) {
    throw new UsageError(`${flag} expects a whole number 0–4096, got '${text}'`);
  }
  return n;
}
