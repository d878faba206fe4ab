import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CliIo } from '../src/cli/io';
import { runCli } from '../src/cli/run';
import { anOrder, aTrade } from './stubs';

function capture(isTTY = false): CliIo & { stdout: string; stderr: string } {
  const io = {
    stdout: '',
    stderr: '',
    isTTY,
    out(text: string) {
      io.stdout += text;
    },
    err(text: string) {
      io.stderr += text;
    },
  };
  return io;
}

function tempFile(name: string, text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'tw-cli-')), name);
  writeFileSync(file, text);
  return file;
}

describe('tapewatch CLI', () => {
  it('prints help listing every command', async () => {
    const io = capture();
    expect(await runCli(['--help'], io)).toBe(0);
    for (const command of ['demo', 'replay', 'config check']) expect(io.stdout).toContain(command);
  });

  it('rejects an unknown command and unknown flags with exit code 2', async () => {
    const io = capture();
    expect(await runCli(['frobnicate'], io)).toBe(2);
    expect(io.stderr).toContain("unknown command 'frobnicate'");
    expect(await runCli(['replay', 'x.jsonl', '--frob'], io)).toBe(2);
    expect(io.stderr).toContain('--frob');
  });

  it('replays a file, reporting rejected lines and a summary', async () => {
    const file = tempFile(
      'r.jsonl',
      `${JSON.stringify(anOrder())}\n{"kind":"quote"}\n${JSON.stringify(aTrade())}\n`,
    );
    const io = capture();
    expect(await runCli(['replay', file], io)).toBe(0);
    expect(io.stdout).toContain(`2 events replayed from ${file}`);
    expect(io.stdout).toContain('1 line rejected');
    expect(io.stdout).toContain(`${file}:2: invalid event field 'ts'`);
  });

  it('emits JSON lines with --json, ending with a summary', async () => {
    const file = tempFile('r.jsonl', `${JSON.stringify(anOrder())}\n{"kind":"nope"}\n`);
    const io = capture();
    expect(await runCli(['replay', file, '--json'], io)).toBe(0);
    const lines = io.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string });
    expect(lines.map((l) => l.type)).toEqual(['invalid', 'summary']);
    expect(lines[1]).toMatchObject({ accepted: 1, rejected: 1, rejectedByField: { kind: 1 } });
  });

  it('draws a progress bar with events/s only on a terminal', async () => {
    const file = tempFile('r.jsonl', `${JSON.stringify(anOrder())}\n`);
    const tty = capture(true);
    await runCli(['replay', file], tty);
    expect(tty.stderr).toMatch(/\[#+\] 100%.*events\/s/);
    const pipe = capture(false);
    await runCli(['replay', file], pipe);
    expect(pipe.stderr).toBe('');
  });

  it('says when the replay file does not exist', async () => {
    const io = capture();
    expect(await runCli(['replay', '/nonexistent.jsonl'], io)).toBe(2);
    expect(io.stderr).toContain('no such file: /nonexistent.jsonl');
  });

  it('checks a configuration file and reports problems with their path', async () => {
    const io = capture();
    expect(await runCli(['config', 'check', 'examples/tapewatch.yaml'], io)).toBe(0);
    expect(io.stdout).toContain('examples/tapewatch.yaml: ok');
    const bad = tempFile('tapewatch.yaml', 'engine:\n  tickIntervalMs: soon\n');
    const io2 = capture();
    expect(await runCli(['config', 'check', bad], io2)).toBe(1);
    expect(io2.stderr).toContain(`${bad}:2:19  engine.tickIntervalMs: expected number, got a string "soon"`);
    const io3 = capture();
    expect(await runCli(['config', 'check', '/nonexistent.yaml', '--json'], io3)).toBe(1);
    expect(JSON.parse(io3.stdout)).toMatchObject({ ok: false, issues: [{ message: 'file not found' }] });
  });

  it('fails a replay with a clear message when --config is invalid', async () => {
    const file = tempFile('r.jsonl', `${JSON.stringify(anOrder())}\n`);
    const io = capture();
    expect(await runCli(['replay', file, '--config', '/nonexistent.yaml'], io)).toBe(1);
    expect(io.stderr).toContain('/nonexistent.yaml');
  });

  it('runs the demo over the bundled sample', async () => {
    const io = capture();
    expect(await runCli(['demo'], io)).toBe(0);
    expect(io.stdout).toContain('Market state at the end of the replay');
    expect(io.stdout).toMatch(/3 lines rejected/);
  });

  it('starts as a real process from its entry point', () => {
    const out = execFileSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', '--version'], {
      encoding: 'utf8',
    });
    expect(out.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
