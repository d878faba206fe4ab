import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/io';
import { runCli } from '../../src/cli/run';
import type { InvalidEventError } from '../../src/core/errors';
import type { MarketEvent } from '../../src/core/events';
import { replayFixLog } from '../../src/ingest/fix/fix-log';
import { encodeFix, execReport } from './fix-peer';

function logFile(lines: string[]): string {
  const file = join(mkdtempSync(join(tmpdir(), 'tw-fixlog-')), 'venue.fixlog');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

const h = (seq: number, possDup = false) => ({ sender: 'VENUE', target: 'TW', seq, possDup });
const pipes = (m: string) => m.replaceAll('\u0001', '|');

describe('FIX log replay', () => {
  it('maps application messages, skips session messages and resent duplicates, rejects garbled lines', async () => {
    const fill = encodeFix(
      '8',
      h(3),
      execReport({
        execId: 'e2',
        orderId: 'o1',
        execType: 'F',
        side: 'buy',
        price: 10,
        qty: 1,
        account: 'a1',
      }),
    );
    const garbled = pipes(
      encodeFix(
        '8',
        h(5),
        execReport({
          execId: 'e3',
          orderId: 'o2',
          execType: '0',
          side: 'buy',
          price: 10,
          qty: 1,
          account: 'a1',
        }),
      ),
    ).replace('|44=10|', '|44=11|');
    const file = logFile([
      `20240301-12:00:00.000 : ${pipes(
        encodeFix('A', h(1), [
          [98, 0],
          [108, 30],
        ]),
      )}`,
      pipes(
        encodeFix(
          '8',
          h(2),
          execReport({
            execId: 'e1',
            orderId: 'o1',
            execType: '0',
            side: 'buy',
            price: 10,
            qty: 1,
            account: 'a1',
          }),
        ),
      ),
      fill,
      pipes(
        encodeFix(
          '8',
          h(3, true),
          execReport({
            execId: 'e2',
            orderId: 'o1',
            execType: 'F',
            side: 'buy',
            price: 10,
            qty: 1,
            account: 'a1',
          }),
        ),
      ),
      pipes(
        encodeFix('D', h(4), [
          [11, 'c9'],
          [55, 'BTC-USD'],
          [54, 2],
          [60, '20240301-12:00:01.000000'],
          [38, 2],
          [40, 2],
          [44, 11],
          [1, 'a2'],
        ]),
      ),
      garbled,
      'not a fix line',
    ]);
    const events: MarketEvent[] = [];
    const invalid: InvalidEventError[] = [];
    const summary = await replayFixLog(file, { venue: 'venue-a' }, (e) => events.push(e), {
      onInvalid: (e) => invalid.push(...e),
    });
    expect(
      events.map((e) => `${e.kind}:${'orderId' in e ? e.orderId : (e as { tradeId: string }).tradeId}`),
    ).toEqual(['order_new:o1', 'trade:e2', 'order_new:c9']);
    expect(summary).toMatchObject({ accepted: 3, rejected: 1, lines: 7 });
    expect(invalid[0]?.location).toBe(`${file}:6`);
    expect(invalid[0]?.reason).toMatch(/CheckSum \(10\) is \d+, computed \d+/);
  });

  it('runs from the CLI: tapewatch replay FILE.fixlog', async () => {
    const file = logFile([
      pipes(
        encodeFix(
          '8',
          h(1),
          execReport({
            execId: 'e1',
            orderId: 'o1',
            execType: '0',
            side: 'sell',
            price: 5,
            qty: 1,
            account: 'a',
          }),
        ),
      ),
    ]);
    const io: CliIo & { stdout: string } = {
      stdout: '',
      isTTY: false,
      out(t) {
        io.stdout += t;
      },
      err() {},
    };
    expect(await runCli(['replay', file], io)).toBe(0);
    expect(io.stdout).toContain(`1 events replayed from ${file}`);
  });
});
