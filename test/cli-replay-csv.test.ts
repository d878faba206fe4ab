import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CliIo } from '../src/cli/io';
import { runCli } from '../src/cli/run';

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

function tempDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'tw-cli-csv-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const CONFIG = `ingest:
  csv:
    timestamp: ms
    constants: { kind: trade, venue: binance }
    columns: { ts: time, instrument: symbol, tradeId: id, price: px, qty: amount, aggressor: taker }
    sides: { B: buy, S: sell }
`;

describe('tapewatch replay FILE.csv', () => {
  it('reads the file through ingest.csv and lists rejected lines with line, field and value', async () => {
    const dir = tempDir({
      'tapewatch.yaml': CONFIG,
      'trades.csv':
        'time,symbol,id,px,amount,taker\n1700000000000,BTCUSDT,1,37000,1,B\n1700000000001,BTCUSDT,2,oops,1,S\n',
    });
    const io = capture();
    const file = join(dir, 'trades.csv');
    expect(await runCli(['replay', file, '--config', join(dir, 'tapewatch.yaml')], io)).toBe(0);
    expect(io.stdout).toContain(`1 events replayed from ${file}`);
    expect(io.stdout).toContain('1 line rejected');
    expect(io.stdout).toContain(
      `${file}:3: invalid event field 'price' = "oops": column 'px' is not a number`,
    );
  });

  it('exits 2 naming the missing column when the header does not fit the mapping', async () => {
    const dir = tempDir({ 'tapewatch.yaml': CONFIG, 'other.csv': 'time,symbol\n1,x\n' });
    const io = capture();
    expect(
      await runCli(['replay', join(dir, 'other.csv'), '--config', join(dir, 'tapewatch.yaml')], io),
    ).toBe(2);
    expect(io.stderr).toContain("ingest.csv.columns.price names column 'px', which the header does not have");
  });
});
