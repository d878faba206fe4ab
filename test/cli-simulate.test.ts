import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSeeds, renderMarkdown } from '../src/cli/commands/eval';
import type { CliIo } from '../src/cli/io';
import { runCli } from '../src/cli/run';
import type { MarketEvent } from '../src/core/events';
import { createEngine } from '../src/engine/engine';
import { evaluate } from '../src/simulator/evaluation';

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

describe('tapewatch simulate', () => {
  it('writes events, labels joined by seq, and an owners config that replay accepts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tw-sim-'));
    const out = join(dir, 'sim.jsonl');
    const owners = join(dir, 'owners.yaml');
    const io = capture();
    const args = [
      'simulate',
      '--scenario',
      'wash_self',
      '--seed',
      '3',
      '--minutes',
      '1',
      '--out',
      out,
      '--owners-config',
      owners,
    ];
    expect(await runCli(args, io)).toBe(0);
    const events = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as MarketEvent);
    const lines = readFileSync(`${out}.labels.jsonl`, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const labels = lines.filter((l) => l.type === 'label');
    const episodes = lines.filter((l) => l.type === 'episode');
    expect(episodes).toHaveLength(1);
    expect(labels.length).toBe(episodes[0]?.events);
    const bySeq = new Map(events.map((e) => [e.seq, e]));
    for (const l of labels) {
      const e = bySeq.get(l.seq as number);
      expect(e).toBeDefined();
      const actor =
        e === undefined ? undefined : 'account' in e ? e.account : e.kind === 'trade' ? e.buyAccount : '';
      expect(actor).toBe((episodes[0] as { accounts: string[] }).accounts[0]);
    }
    expect(JSON.stringify(events)).not.toContain('wash_self');
    const replay = capture();
    expect(await runCli(['replay', out, '--config', owners, '--json'], replay)).toBe(0);
    const summary = JSON.parse(replay.stdout.trim().split('\n').at(-1) as string);
    expect(summary).toMatchObject({ type: 'summary', accepted: events.length, rejected: 0 });
  });

  it('rejects unknown scenarios and bad numbers with exit code 2', async () => {
    const io = capture();
    expect(await runCli(['simulate', '--scenario', 'nope', '--out', join(tmpdir(), 'x.jsonl')], io)).toBe(2);
    expect(io.stderr).toContain("unknown scenario 'nope'");
    expect(await runCli(['simulate', '--minutes', 'ten'], io)).toBe(2);
  });
});

describe('tapewatch eval', () => {
  it('parses seed sets and keeps tuning and reporting seeds apart', async () => {
    expect(parseSeeds('3-5')).toEqual([3, 4, 5]);
    expect(parseSeeds('7,9')).toEqual([7, 9]);
    expect(parseSeeds(undefined)[0]).toBe(1001);
    expect(parseSeeds('tuning')).toHaveLength(100);
    expect(() => parseSeeds('x')).toThrow(/--seeds x/);
    const io = capture();
    expect(await runCli(['eval', '--seeds', 'nine'], io)).toBe(2);
  });

  it('renders a report that names typologies without a detector', () => {
    const report = evaluate({
      createEngine: () => createEngine(),
      seeds: [1],
      scenarios: ['spoofing'],
      warmupS: 5,
      episodeS: 5,
      cooldownS: 1,
      normalS: 10,
      simulator: { dex: false },
    });
    const text = renderMarkdown(report, { scenarios: [], json: false });
    expect(text).toContain('| spoofing | 0/1 | no detector |');
    expect(text).toContain('seeds 1001–1010, never used for tuning');
  });
});
