import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CaseManager } from '../../src/cases/case-manager';
import { MarketContextRecorder } from '../../src/cases/market-context';
import { renderHtml, renderMarkdown, type storRecord } from '../../src/cases/report';
import { SqliteCaseStore } from '../../src/cases/store/sqlite-store';
import type { Case } from '../../src/cases/types';
import type { CliIo } from '../../src/cli/io';
import { runCli } from '../../src/cli/run';
import { aSignal, aTrade, at, resetIds } from '../stubs';

function capture(): CliIo & { stdout: string; stderr: string } {
  const io = {
    stdout: '',
    stderr: '',
    isTTY: false,
    out(text: string) {
      io.stdout += text;
    },
    err(text: string) {
      io.stderr += text;
    },
  };
  return io;
}

const dir = mkdtempSync(join(tmpdir(), 'tapewatch-cli-cases-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A store with one spoofing case whose account name is hostile markup. */
async function seeded(file: string): Promise<string> {
  resetIds();
  const manager = new CaseManager({ recorder: new MarketContextRecorder(), contextBars: 10 });
  for (let i = 0; i < 30; i++) manager.onEvent(aTrade({ ts: at(i - 20), price: 100 + (i % 5), qty: 1 }));
  const store = new SqliteCaseStore(file);
  const [result] = await store.upsert(manager.onSignal(aSignal({ accounts: ['<script>alert(1)</script>'] })));
  await store.close();
  return result?.case.id as string;
}

async function cli(...args: string[]) {
  const io = capture();
  const code = await runCli(args, io);
  return { code, ...io };
}

describe('tapewatch cases and report', () => {
  it('lists, transitions, assigns and comments through --db, with --json', async () => {
    const db = join(dir, 'work.db');
    const id = await seeded(db);
    const list = await cli('cases', 'list', '--db', db, '--json');
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout)).toMatchObject({
      total: 1,
      cases: [{ id, state: 'open', typology: 'spoofing' }],
    });
    expect((await cli('cases', 'transition', id, 'triage', '--db', db, '--actor', 'ana')).stdout).toContain(
      'triage',
    );
    expect((await cli('cases', 'assign', id, 'bo', '--db', db, '--actor', 'ana')).code).toBe(0);
    expect(
      (await cli('cases', 'comment', id, 'checked', 'venue', 'B', '--db', db, '--actor', 'bo')).code,
    ).toBe(0);
    const shown = JSON.parse((await cli('cases', 'show', id, '--db', db, '--json')).stdout) as Case;
    expect(shown.assignee).toBe('bo');
    expect(shown.audit.map((e) => [e.actor, e.action])).toEqual([
      ['tapewatch', 'create'],
      ['tapewatch', 'ingest_signal'],
      ['ana', 'triage'],
      ['ana', 'assign'],
      ['bo', 'comment'],
    ]);
    const filtered = await cli('cases', 'list', '--db', db, '--state', 'open', '--json');
    expect(JSON.parse(filtered.stdout).total).toBe(0);
  });

  it('reports an illegal transition and a stale version as errors, not crashes', async () => {
    const db = join(dir, 'errors.db');
    const id = await seeded(db);
    const illegal = await cli('cases', 'transition', id, 'escalate', '--db', db);
    expect(illegal.code).toBe(1);
    expect(illegal.stderr).toContain("action 'escalate' is not allowed in state 'open'");
    const stale = await cli('cases', 'transition', id, 'triage', '--db', db, '--expect-version', '7');
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain('expected version 7');
    expect((await cli('cases', 'show', 'case_missing', '--db', db)).code).toBe(1);
    expect((await cli('cases', 'list', '--db', db, '--state', 'dormant')).code).toBe(2);
  });

  it('writes a case file in Markdown and HTML with the chart and every user string escaped', async () => {
    const db = join(dir, 'report.db');
    const id = await seeded(db);
    const html = await cli('report', id, '--db', db, '--format', 'html', '--entity', 'Desk & Co');
    expect(html.code).toBe(0);
    expect(html.stdout).toContain('<svg');
    expect(html.stdout).toContain('&#60;script&#62;alert(1)&#60;/script&#62;');
    expect(html.stdout).not.toContain('<script>');
    expect(html.stdout).toContain('Desk &#38; Co');
    const md = await cli('report', id, '--db', db);
    expect(md.stdout).toContain(`# Case ${id.replace(/_/g, '\\_')}`);
    expect(md.stdout).not.toContain('<script>');
    expect(md.stdout).toContain('## Audit trail');
  });

  it('produces a STOR record with the instrument, times, orders, reasons and parties', async () => {
    const db = join(dir, 'stor.db');
    const id = await seeded(db);
    const out = await cli(
      'report',
      id,
      '--db',
      db,
      '--format',
      'json',
      '--entity',
      'Exchange X surveillance',
    );
    const stor = JSON.parse(out.stdout) as ReturnType<typeof storRecord>;
    expect(stor).toMatchObject({
      format: 'tapewatch.stor/1',
      caseId: id,
      reportingEntity: { name: 'Exchange X surveillance' },
      instrument: { identifier: 'BTC-USDT', venue: 'testex' },
      period: { start: '2023-11-14T22:13:20.000000Z', end: '2023-11-14T22:13:22.000000Z' },
      suspicion: { typology: 'spoofing' },
      parties: [{ beneficialOwner: 'owner-1', accounts: ['<script>alert(1)</script>'] }],
    });
    expect(stor.ordersAndTransactions[0]).toMatchObject({
      kind: 'order_new',
      side: 'sell',
      price: 101,
      quantity: 50,
    });
    expect(stor.suspicion.description).toContain('cancelled 96%');
  });

  it('renders evidence markers on the chart: orders as triangles, trades as dots', () => {
    resetIds();
    const manager = new CaseManager();
    const trade = {
      kind: 'trade' as const,
      ts: at(1),
      venue: 'testex',
      instrument: 'BTC-USDT',
      id: 't1',
      price: 100,
    };
    const [draft] = manager.onSignal(aSignal());
    const c = { ...(draft as unknown as Case) };
    const sig = aSignal();
    const full: Case = {
      ...c,
      version: 1,
      accounts: ['acct-1'],
      window: sig.window,
      openedAt: 0,
      updatedAt: 0,
      state: 'open',
      priority: 'high',
      score: 0.9,
      ruleScore: 0.9,
      severity: 'high',
      signals: [sig],
      detachedSignalIds: [],
      evidence: [...sig.evidence, trade],
      links: [],
      audit: [],
    };
    const html = renderHtml(full);
    expect(html.match(/<circle [^>]*fill="#dc2626"/g)).toHaveLength(1);
    expect(html.match(/<path d="M[^"]*Z" fill="#9333ea"/g)).toHaveLength(1);
    expect(renderMarkdown(full)).toContain('| trade | t1 |');
  });
});
