/**
 * Hostile JSONL files, hostile configuration files, and hostile but well-formed event
 * sequences (unknown ids, duplicates, disorder) straight into the engine.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config';
import { ConfigError, type InvalidEventError } from '../../src/core/errors';
import type { MarketEvent } from '../../src/core/events';
import { createEngine } from '../../src/engine/engine';
import { replayJsonl } from '../../src/ingest/files/jsonl';
import { aCancel, anOrder, aTrade, at } from '../stubs';
import { HOSTILE_EVENTS, validAround } from './inputs';

const dir = mkdtempSync(join(tmpdir(), 'tapewatch-hostile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('JSONL replay under hostile input', () => {
  it('rejects every hostile line with its line number and field, replaying every valid line', async () => {
    const [a, b] = validAround();
    const lines = [JSON.stringify(a)];
    for (const h of HOSTILE_EVENTS) lines.push(JSON.stringify(h.raw));
    lines.push('{"kind":"trade",', 'not json at all', '', '\u0000\u0001', JSON.stringify(b));
    const path = join(dir, 'hostile.jsonl');
    // A line of invalid UTF-8 bytes in the middle, and no newline at the end.
    const bad = Buffer.from(`${JSON.stringify({ ...a, instrument: 'QQQQ' })}\n`);
    bad.set([0xff, 0xfe, 0xc3, 0x28], bad.indexOf('QQQQ'));
    writeFileSync(
      path,
      Buffer.concat([Buffer.from(`${lines.join('\n')}\n`), bad, Buffer.from(JSON.stringify(b))]),
    );

    const seen: MarketEvent[] = [];
    const invalid: InvalidEventError[][] = [];
    const summary = await replayJsonl(path, (e) => seen.push(e), { onInvalid: (e) => invalid.push([...e]) });
    expect(seen).toHaveLength(3);
    expect(summary.accepted).toBe(3);
    expect(summary.rejected).toBe(HOSTILE_EVENTS.length + 4);
    HOSTILE_EVENTS.forEach((h, i) => {
      const errors = invalid[i] ?? [];
      expect(
        errors.map((e) => e.field),
        h.name,
      ).toContain(h.field);
      expect(errors[0]?.location).toBe(`${path}:${i + 2}`);
    });
    expect(invalid.at(-1)?.[0]).toMatchObject({ field: '(line)', reason: 'not valid UTF-8' });
  });
});

describe('configuration under hostile input', () => {
  const bad: [string, string, RegExp][] = [
    ['wrong type', 'engine:\n  tickIntervalMs: "fast"\n', /engine\.tickIntervalMs/],
    ['NaN', 'engine:\n  tickIntervalMs: .nan\n', /engine\.tickIntervalMs/],
    ['infinite', 'engine:\n  flushHorizonMs: .inf\n', /engine\.flushHorizonMs/],
    ['negative', 'engine:\n  latenessMs: -1\n', /engine\.latenessMs/],
    ['unknown key', 'engine:\n  warpDrive: true\n', /warpDrive/],
    ['unknown section', 'rm -rf: /\n', /rm -rf/],
    ['not a mapping', '- 1\n- 2\n', /root|expected/i],
    [
      'alias bomb',
      `a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n`,
      /alias|resource/i,
    ],
    ['tab soup', '\t\t:\n\t- ]]]\n', /.+/],
    ['owner as a list', 'owners:\n  acct-1: [a, b]\n', /owners\.acct-1/],
  ];
  it.each(bad)('reports %s as a ConfigError naming the place', (_name, text, message) => {
    let error: unknown;
    try {
      parseConfigText(text, 'hostile.yaml');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(message);
  });

  it('never throws anything but a ConfigError, whatever the text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        try {
          parseConfigText(text, 'fuzz.yaml');
        } catch (error) {
          expect(error).toBeInstanceOf(ConfigError);
        }
      }),
      { numRuns: 500, seed: 12 },
    );
  });
});

describe('engine under hostile but valid sequences', () => {
  it('survives unknown ids in cancels and replaces, duplicated orders and disorder', () => {
    const engine = createEngine();
    const events: MarketEvent[] = [
      aCancel({ orderId: 'never-seen', ts: at(1) }),
      {
        kind: 'order_replace',
        ts: at(1),
        venue: 'testex',
        instrument: 'BTC-USDT',
        orderId: 'ghost',
        account: 'a',
        price: 1,
        qty: 1,
      },
      anOrder({ orderId: 'dup', ts: at(2) }),
      anOrder({ orderId: 'dup', ts: at(2) }),
      aTrade({ ts: at(5), buyOrderId: 'ghost-2', sellOrderId: 'ghost-3' }),
      anOrder({ orderId: 'old', ts: at(0) }),
      aCancel({ orderId: 'dup', ts: at(3) }),
      aCancel({ orderId: 'dup', ts: at(3) }),
    ];
    for (const e of events) engine.process(e);
    const stats = engine.stats();
    expect(stats.events).toBe(events.length);
    expect(stats.lateEvents).toBe(3);
    // 'dup' was entered twice and cancelled (twice); 'old' still rests.
    expect(stats.restingOrders).toBe(1);
  });
});
