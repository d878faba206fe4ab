import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { anOrder, aTrade } from '../../../test/stubs';
import { parseConfigText } from '../../config';
import { ConfigError, type InvalidEventError } from '../../core/errors';
import type { MarketEvent } from '../../core/events';
import { CsvEventReader, CsvHeaderError, parseCsvEvents, replayCsv } from './csv';
import { CSV_EVENT_FIELDS } from './csv-mapping';
import { formatCsvRecord } from './csv-parser';

function tempFile(name: string, text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'tw-csv-')), name);
  writeFileSync(file, text);
  return file;
}

/** A venue export: millisecond times, its own column names and side letters. */
const EXCHANGE_MAPPING = {
  timestamp: 'ms',
  constants: { kind: 'trade', venue: 'binance' },
  columns: {
    ts: 'time',
    instrument: 'symbol',
    tradeId: 'id',
    price: 'px',
    qty: 'amount',
    aggressor: 'taker',
  },
  sides: { B: 'buy', S: 'sell' },
} as const;

describe('CSV events through a column mapping', () => {
  it('reads a venue export with renamed columns, ms timestamps and side letters', () => {
    const text =
      'time,symbol,id,px,amount,taker\n1700000000123,BTCUSDT,t1,37000.5,0.25,B\n1700000000124.5,BTCUSDT,t2,37001,1,s\n';
    const { events, errors } = parseCsvEvents(text, EXCHANGE_MAPPING, 'day.csv');
    expect(errors).toEqual([]);
    expect(events).toEqual([
      {
        kind: 'trade',
        ts: 1700000000123000,
        venue: 'binance',
        instrument: 'BTCUSDT',
        tradeId: 't1',
        price: 37000.5,
        qty: 0.25,
        aggressor: 'buy',
      },
      {
        kind: 'trade',
        ts: 1700000000124500,
        venue: 'binance',
        instrument: 'BTCUSDT',
        tradeId: 't2',
        price: 37001,
        qty: 1,
        aggressor: 'sell',
      },
    ]);
  });

  it('names line, field, column and value of every bad cell, and keeps the good rows', () => {
    const text = [
      'time,symbol,id,px,amount,taker',
      '1700000000123,BTCUSDT,t1,abc,0.25,B',
      '1700000000124,BTCUSDT,t2,37001,-1,X',
      'yesterday,BTCUSDT,t3,37001,1,B',
      '1700000000125,BTCUSDT,t4',
      '1700000000126,BTCUSDT,t5,37002,2,S',
    ].join('\n');
    const { events, errors } = parseCsvEvents(text, EXCHANGE_MAPPING, 'day.csv');
    expect(events.map((e) => (e as { tradeId: string }).tradeId)).toEqual(['t5']);
    const described = errors.map((e) => [e.location, e.field, e.value, e.reason]);
    expect(described).toEqual([
      ['day.csv:2', 'price', 'abc', "column 'px' is not a number"],
      ['day.csv:3', 'qty', -1, "expected a number > 0 (column 'amount')"],
      ['day.csv:3', 'aggressor', 'X', 'expected one of "buy", "sell" (column \'taker\')'],
      ['day.csv:4', 'ts', 'yesterday', "column 'time' is not a timestamp in epoch milliseconds"],
      ['day.csv:5', 'price', undefined, "the record has 3 columns, so column 'px' is missing"],
      ['day.csv:5', 'qty', undefined, "the record has 3 columns, so column 'amount' is missing"],
      ['day.csv:5', 'aggressor', undefined, "the record has 3 columns, so column 'taker' is missing"],
    ]);
    expect(errors[0]?.message).toBe(
      `day.csv:2: invalid event field 'price' = "abc": column 'px' is not a number`,
    );
  });

  it('reads a file whose header names the event fields with no mapping at all, mixing kinds', () => {
    const order = anOrder({ orderId: 'o1' });
    const trade = aTrade({ tradeId: 't1', buyAccount: 'acct-1' });
    const header = [...CSV_EVENT_FIELDS];
    const row = (e: MarketEvent) =>
      formatCsvRecord(header.map((f) => String((e as unknown as Record<string, unknown>)[f] ?? '')));
    const { events, errors } = parseCsvEvents([header.join(','), row(order), row(trade)].join('\n'));
    expect(errors).toEqual([]);
    expect(events).toEqual([order, trade]);
  });

  it('reads columns by position when the file has no header, with semicolons and ISO times', () => {
    const mapping = {
      header: false,
      delimiter: ';',
      timestamp: 'iso',
      constants: { venue: 'kraken', instrument: 'XBT/USD' },
      columns: { kind: 1, ts: 2, orderId: 3, account: 4, side: 5, price: 6, qty: 7, type: 8 },
      kinds: { N: 'order_new', C: 'order_cancel' },
      orderTypes: { LMT: 'limit' },
    } as const;
    const text = 'N;2024-03-01T12:00:00.123456Z;o1;a1;BUY;100;2;LMT\nC;2024-03-01T13:00:00+01:00;o1;a1;;;;\n';
    const { events, errors } = parseCsvEvents(text, mapping);
    expect(errors).toEqual([]);
    const t0 = Date.UTC(2024, 2, 1, 12) * 1000;
    expect(events).toEqual([
      {
        kind: 'order_new',
        ts: t0 + 123456,
        venue: 'kraken',
        instrument: 'XBT/USD',
        orderId: 'o1',
        account: 'a1',
        side: 'buy',
        price: 100,
        qty: 2,
        type: 'limit',
      },
      { kind: 'order_cancel', ts: t0, venue: 'kraken', instrument: 'XBT/USD', orderId: 'o1', account: 'a1' },
    ]);
  });

  it('converts second and nanosecond timestamps exactly to microseconds (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 4_000_000_000_000_000 }),
        fc.integer({ min: 0, max: 999 }),
        (us, ns) => {
          const reader = (timestamp: 's' | 'ns') =>
            new CsvEventReader(
              {
                header: false,
                timestamp,
                columns: { ts: 1 },
                constants: {
                  kind: 'quote',
                  venue: 'v',
                  instrument: 'i',
                  bid: 1,
                  ask: 2,
                  bidQty: 1,
                  askQty: 1,
                },
              },
              'p',
            );
          const seconds = `${Math.floor(us / 1e6)}.${String(us % 1e6).padStart(6, '0')}`;
          const nanos = `${us}${String(ns).padStart(3, '0')}`;
          const fromSeconds = reader('s').read({ fields: [seconds], line: 1 });
          const fromNanos = reader('ns').read({ fields: [nanos], line: 1 });
          expect(fromSeconds.ok && fromSeconds.event.ts).toBe(us);
          expect(fromNanos.ok && fromNanos.event.ts).toBe(us);
        },
      ),
    );
  });

  it('fails before the first event when the header lacks a mapped column', () => {
    expect(() => parseCsvEvents('time,symbol\n1,x\n', EXCHANGE_MAPPING, 'day.csv')).toThrow(CsvHeaderError);
    expect(() => parseCsvEvents('time,symbol\n1,x\n', EXCHANGE_MAPPING, 'day.csv')).toThrow(
      "day.csv: ingest.csv.columns.price names column 'px', which the header does not have; the header has: 'time', 'symbol'",
    );
  });

  it('never throws on arbitrary records and reports each bad one (property)', () => {
    const reader = new CsvEventReader(EXCHANGE_MAPPING, 'x.csv');
    reader.setHeader(['time', 'symbol', 'id', 'px', 'amount', 'taker']);
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 12 }), { maxLength: 8 }), (fields) => {
        const r = reader.read({ fields, line: 7 });
        if (!r.ok) {
          expect(r.errors.length).toBeGreaterThan(0);
          for (const e of r.errors) expect(e.location).toBe('x.csv:7');
        }
      }),
    );
  });
});

describe('CSV replay of a file', () => {
  it('streams events, counts rejected lines per field and reports progress', async () => {
    const rows = ['time,symbol,id,px,amount,taker'];
    for (let i = 0; i < 3000; i++)
      rows.push(`${1700000000000 + i},ETHUSDT,"t,${i}",${2000 + (i % 7)},1,${i % 2 ? 'B' : 'S'}`);
    rows.push('1700000009999,ETHUSDT,bad,0,1,B', 'x"y', '1700000010000,ETHUSDT,last,2001,1,B');
    const file = tempFile('trades.csv', rows.join('\r\n'));
    const seen: MarketEvent[] = [];
    const invalid: InvalidEventError[] = [];
    const progress: number[] = [];
    const summary = await replayCsv(file, EXCHANGE_MAPPING, (e) => seen.push(e), {
      onInvalid: (e) => invalid.push(...e),
      onProgress: (p) => progress.push(p.lines),
      progressEveryLines: 1000,
    });
    expect(seen).toHaveLength(3001);
    expect(seen[1]).toMatchObject({ tradeId: 't,1', aggressor: 'buy', ts: 1700000000001000 });
    expect(summary).toMatchObject({ accepted: 3001, rejected: 2, lines: 3004 });
    expect(invalid.map((e) => [e.location, e.field])).toEqual([
      [`${file}:3002`, 'price'],
      [`${file}:3003`, '(line)'],
    ]);
    expect(summary.stats.report().sources[`file:${file}`]).toEqual({
      accepted: 3001,
      rejected: 2,
      rejectedByField: { price: 1, '(line)': 1 },
    });
    expect(progress.at(-1)).toBe(3004);
    expect(progress.length).toBeGreaterThan(1);
  });
});

describe('ingest.csv in tapewatch.yaml', () => {
  it('accepts a mapping and fills defaults', () => {
    const config = parseConfigText('ingest:\n  csv:\n    timestamp: ms\n    columns: { ts: time }\n');
    expect(config.ingest.csv).toMatchObject({
      delimiter: ',',
      header: true,
      timestamp: 'ms',
      columns: { ts: 'time' },
    });
  });

  it('rejects an unknown event field and a column name without a header, with their paths', () => {
    const check = (yaml: string) => {
      try {
        parseConfigText(yaml, 't.yaml');
      } catch (error) {
        return (error as ConfigError).issues.map((i) => i.path);
      }
      throw new Error('expected a ConfigError');
    };
    expect(check('ingest:\n  csv:\n    columns: { price_usd: px }\n')).toEqual([
      'ingest.csv.columns.price_usd',
    ]);
    expect(check('ingest:\n  csv:\n    header: false\n    columns: { ts: time }\n')).toEqual([
      'ingest.csv.columns.ts',
    ]);
    expect(() => parseConfigText('ingest:\n  csv:\n    timestamp: weeks\n')).toThrow(ConfigError);
  });
});
