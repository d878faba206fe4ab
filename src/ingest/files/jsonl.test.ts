import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { anOrder, aTrade } from '../../../test/stubs';
import { InvalidEventError } from '../../core/errors';
import type { MarketEvent } from '../../core/events';
import { IngestStats } from '../../core/ingest-stats';
import { parseJsonl, parseJsonlLine, replayJsonl } from './jsonl';

function tempFile(name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'tw-jsonl-'));
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

describe('JSONL replay', () => {
  it('streams valid events in order and counts bad lines with their line numbers', async () => {
    const good = [anOrder({ orderId: 'a' }), aTrade({ tradeId: 't' }), anOrder({ orderId: 'b' })];
    const text = [
      JSON.stringify(good[0]),
      '{"kind":"trade","ts":1',
      '',
      JSON.stringify(good[1]),
      JSON.stringify({ ...good[2], qty: -1 }),
      JSON.stringify(good[2]),
    ].join('\r\n');
    const file = tempFile('mixed.jsonl', text);
    const seen: MarketEvent[] = [];
    const invalid: InvalidEventError[] = [];
    const summary = await replayJsonl(file, (e) => seen.push(e), { onInvalid: (e) => invalid.push(...e) });
    expect(seen).toEqual(good);
    expect(summary).toMatchObject({ lines: 6, accepted: 3, rejected: 2 });
    expect(invalid.map((e) => [e.field, e.location])).toEqual([
      ['(line)', `${file}:2`],
      ['qty', `${file}:5`],
    ]);
    const report = summary.stats.report();
    expect(report.sources[`file:${file}`]).toEqual({
      accepted: 3,
      rejected: 2,
      rejectedByField: { '(line)': 1, qty: 1 },
    });
  });

  it('handles lines split across read chunks and a last line without newline', async () => {
    const events = Array.from({ length: 30_000 }, (_, i) =>
      anOrder({ orderId: `o${i}`, account: 'x'.repeat(i % 50) || 'y' }),
    );
    const file = tempFile('big.jsonl', events.map((e) => JSON.stringify(e)).join('\n'));
    let n = 0;
    const progress: number[] = [];
    const stats = new IngestStats();
    const summary = await replayJsonl(file, () => n++, {
      stats,
      source: 'big',
      progressEveryLines: 10_000,
      onProgress: (p) => progress.push(p.lines),
    });
    expect(n).toBe(30_000);
    expect(summary.rejected).toBe(0);
    expect(stats.report().sources['big']?.accepted).toBe(30_000);
    expect(progress.at(-1)).toBe(30_000);
    expect(progress.length).toBeGreaterThan(1);
  });

  it('rejects a missing file with the system error', async () => {
    await expect(replayJsonl('/nonexistent.jsonl', () => {})).rejects.toThrow(/ENOENT/);
  });

  it('parses JSONL held in memory', () => {
    const { events, errors } = parseJsonl(`${JSON.stringify(aTrade())}\nnot json\n`, 'mem');
    expect(events).toHaveLength(1);
    expect(errors[0]?.location).toBe('mem:2');
  });

  it('never throws on arbitrary lines and always explains a rejection', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.json(),
          fc.jsonValue().map((v) => JSON.stringify(v)),
        ),
        (line) => {
          const r = parseJsonlLine(line, 'fuzz:1');
          if (!r.ok) {
            expect(r.errors.length).toBeGreaterThan(0);
            for (const e of r.errors) {
              expect(e).toBeInstanceOf(InvalidEventError);
              expect(e.location).toBe('fuzz:1');
            }
          }
        },
      ),
      { seed: 3, numRuns: 1000 },
    );
  });

  it('round-trips any valid event through JSON', () => {
    const eventArb = fc.record({
      ts: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
      price: fc.double({ min: 1e-8, max: 1e12, noNaN: true }),
      qty: fc.double({ min: 1e-8, max: 1e12, noNaN: true }),
      orderId: fc.string({ minLength: 1, maxLength: 40 }),
      side: fc.constantFrom('buy' as const, 'sell' as const),
    });
    fc.assert(
      fc.property(eventArb, (fields) => {
        const e = anOrder(fields);
        const r = parseJsonlLine(JSON.stringify(e));
        expect(r).toEqual({ ok: true, event: e });
      }),
      { seed: 11, numRuns: 500 },
    );
  });
});
