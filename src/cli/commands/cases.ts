/**
 * `tapewatch cases list|show|transition|assign|comment` against the store `--db` names.
 *
 * @module
 */
import { openCaseStore } from '../../cases/store/open-store';
import {
  CASE_STATES,
  type Case,
  type CaseQuery,
  type CaseState,
  RESOLUTIONS,
  type Resolution,
} from '../../cases/types';
import { CASE_ACTION_TYPES, type CaseAction } from '../../cases/workflow';
import { formatTs } from '../../core/time';
import { CaseService } from '../../service/case-service';
import { num, table } from '../format';
import { type CliIo, UsageError } from '../io';

/** Options of {@link runCases}. */
export interface CasesCommandOptions {
  db?: string;
  json: boolean;
  actor?: string;
  note?: string;
  resolution?: string;
  expectedVersion?: number;
  query: CaseQuery;
}

const USAGE = `usage:
  tapewatch cases list [--state S] [--typology T] [--instrument I] [--owner O] [--assignee A] [--limit N] [--offset N]
  tapewatch cases show CASE_ID
  tapewatch cases transition CASE_ID triage|investigate|escalate|close|reopen [--resolution R] [--note TEXT]
  tapewatch cases assign CASE_ID NAME|-          (- unassigns)
  tapewatch cases comment CASE_ID TEXT
options: --db ./tapewatch.db | postgres://… | memory, --actor NAME, --expect-version N, --json`;

/** Runs one `cases` subcommand; returns the exit code. */
export async function runCases(
  args: readonly string[],
  options: CasesCommandOptions,
  io: CliIo,
): Promise<number> {
  const [sub, id, ...rest] = args;
  if (sub === undefined) throw new UsageError(USAGE);
  if (sub !== 'list' && id === undefined) throw new UsageError(`cases ${sub} needs a CASE_ID\n${USAGE}`);
  const service = await CaseService.open({ store: await openCaseStore(options.db) });
  try {
    const input = {
      actor: options.actor ?? process.env['USER'] ?? 'cli',
      ...(options.note === undefined ? {} : { note: options.note }),
      ...(options.expectedVersion === undefined ? {} : { expectedVersion: options.expectedVersion }),
    };
    switch (sub) {
      case 'list': {
        const page = await service.list(options.query);
        if (options.json) {
          io.out(
            `${JSON.stringify({ type: 'cases', total: page.total, nextOffset: page.nextOffset ?? null, cases: page.cases.map(summary) })}\n`,
          );
        } else {
          io.out(`${listTable(page.cases)}\n${page.cases.length} of ${page.total} cases\n`);
        }
        return 0;
      }
      case 'show': {
        const c = await service.get(id as string);
        io.out(options.json ? `${JSON.stringify(c)}\n` : `${describeCase(c)}\n`);
        return 0;
      }
      case 'transition': {
        const [verb, ...extra] = rest;
        if (verb === undefined || extra.length > 0) throw new UsageError(USAGE);
        const c = await service.transition(id as string, actionOf(verb, options.resolution), input);
        return printed(c, options.json, io);
      }
      case 'assign': {
        const [name, ...extra] = rest;
        if (name === undefined || extra.length > 0) throw new UsageError(USAGE);
        return printed(
          await service.assign(id as string, name === '-' ? null : name, input),
          options.json,
          io,
        );
      }
      case 'comment': {
        const text = rest.join(' ');
        if (text.trim() === '') throw new UsageError(`cases comment needs the comment text\n${USAGE}`);
        return printed(await service.comment(id as string, text, input), options.json, io);
      }
      default:
        throw new UsageError(`unknown cases subcommand '${sub}'\n${USAGE}`);
    }
  } finally {
    await service.close();
  }
}

/** Checks a `--state` value. */
export function stateOf(text: string): CaseState {
  if (!(CASE_STATES as readonly string[]).includes(text)) {
    throw new UsageError(`--state expects one of ${CASE_STATES.join(', ')}, got '${text}'`);
  }
  return text as CaseState;
}

function actionOf(verb: string, resolution: string | undefined): CaseAction {
  switch (verb) {
    case 'triage':
    case 'investigate':
    case 'escalate':
    case 'reopen':
      return { type: verb };
    case 'close':
      if (resolution === undefined || !(RESOLUTIONS as readonly string[]).includes(resolution)) {
        throw new UsageError(`close needs --resolution ${RESOLUTIONS.join('|')}`);
      }
      return { type: 'close', resolution: resolution as Resolution };
    default:
      throw new UsageError(
        `unknown transition '${verb}' (expected triage, investigate, escalate, close or reopen; other actions: ${CASE_ACTION_TYPES.join(', ')})`,
      );
  }
}

function printed(c: Case, json: boolean, io: CliIo): number {
  io.out(
    json
      ? `${JSON.stringify(c)}\n`
      : `${c.id} v${c.version}: ${c.state}${c.resolution ? ` (${c.resolution})` : ''}${c.assignee ? `, assigned to ${c.assignee}` : ''}\n`,
  );
  return 0;
}

function summary(c: Case): Record<string, unknown> {
  return {
    id: c.id,
    version: c.version,
    state: c.state,
    resolution: c.resolution ?? null,
    typology: c.typology,
    instrument: c.instrument,
    owner: c.owner,
    assignee: c.assignee ?? null,
    priority: c.priority,
    score: c.score,
    signals: c.signals.length,
    window: c.window,
  };
}

function listTable(cases: readonly Case[]): string {
  return table(
    ['id', 'state', 'typology', 'instrument', 'owner', 'score', 'priority', 'assignee', 'window start'],
    cases.map((c) => [
      c.id,
      c.state + (c.resolution ? `:${c.resolution}` : ''),
      c.typology,
      c.instrument,
      c.owner,
      num(c.score, 3),
      c.priority,
      c.assignee ?? '-',
      formatTs(c.window.start),
    ]),
  );
}

/** A case as text for the terminal. */
export function describeCase(c: Case): string {
  const lines = [
    `${c.id} (version ${c.version})`,
    `  ${c.typology} on ${c.instrument}@${c.venue}, owner ${c.owner}, accounts ${c.accounts.join(', ')}`,
    `  state ${c.state}${c.resolution ? ` (${c.resolution})` : ''}, priority ${c.priority}, assignee ${c.assignee ?? '-'}`,
    `  score ${num(c.score, 3)} (rule ${num(c.ruleScore, 3)}${c.mlScore === undefined ? '' : `, ML ${num(c.mlScore, 3)}`}), severity ${c.severity}`,
    `  window ${formatTs(c.window.start)} → ${formatTs(c.window.end)}, ${c.evidence.length} evidence events`,
  ];
  if (c.links.length > 0) lines.push(`  linked: ${c.links.join(', ')}`);
  lines.push('signals:');
  for (const s of c.signals)
    lines.push(
      `  ${formatTs(s.window.start)} ${s.detector}@${s.version} ${s.severity} ${num(s.score, 2)}: ${s.explanation}`,
    );
  lines.push('audit:');
  for (const e of c.audit) {
    const detail = e.value === undefined ? '' : ` [${e.value}]`;
    lines.push(
      `  ${formatTs(e.at)} ${e.actor} ${e.action} ${e.from}→${e.to}${detail}${e.note ? ` — ${e.note}` : ''}`,
    );
  }
  return lines.join('\n');
}
