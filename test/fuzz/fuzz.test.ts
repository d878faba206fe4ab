/**
 * Fuzzing of every parser at the edge. A short fixed-seed run is part of `npm test`;
 * `npm run fuzz` runs the same properties long with fresh seeds (FUZZ_RUNS, FUZZ_SEED).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config';
import { ConfigError } from '../../src/core/errors';
import { tryParseEvent, validateEvent } from '../../src/core/validate';
import { createEngine } from '../../src/engine/engine';
import { Event, EventBatch } from '../../src/grpc/gen/tapewatch/v1/events';
import { decodeEventBatch } from '../../src/grpc/wire';
import { parseJsonlLine } from '../../src/ingest/files/jsonl';
import { FixEventMapper, parseFixTimestamp } from '../../src/ingest/fix/fix-mapper';
import { anOrder, aTrade } from '../stubs';

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const SEED =
  process.env.FUZZ_SEED === 'random'
    ? Date.now() % 2 ** 31
    : process.env.FUZZ_SEED === undefined
      ? 20261125
      : Number(process.env.FUZZ_SEED);
if (process.env.FUZZ_SEED !== undefined) console.log(`fuzz: ${RUNS} runs per property, seed ${SEED}`);
const settings = { numRuns: RUNS, seed: SEED };

/** Values that break naive code: every JSON type, extremes, prototypes, markup. */
const nasty = fc.oneof(
  fc.anything(),
  fc.constantFrom(
    Number.NaN,
    Number.POSITIVE_INFINITY,
    -0,
    2 ** 53,
    -(2 ** 63),
    '',
    '__proto__',
    '<script>alert(1)</script>',
    "'; DROP TABLE cases; --",
    '\u0000',
    '\uD800',
  ),
);

describe('fuzz: event validation', () => {
  it('validateEvent never throws and agrees with the fast path on any field replaced by anything', () => {
    const base = fc.constantFrom<Record<string, unknown>>(
      { ...anOrder() },
      { ...aTrade() },
      { kind: 'quote', ts: 1, venue: 'v', instrument: 'i', bid: 1, bidQty: 1, ask: 2, askQty: 1 },
    );
    fc.assert(
      fc.property(base, fc.string(), nasty, (event, key, value) => {
        const raw = { ...event, [key]: value };
        const result = validateEvent(raw);
        const fast = tryParseEvent(raw);
        if (result.ok) expect(fast).toEqual(result.event);
        else {
          expect(fast).toBeUndefined();
          expect(result.errors.length).toBeGreaterThan(0);
          for (const e of result.errors) expect(typeof e.field).toBe('string');
        }
      }),
      settings,
    );
  });

  it('parseJsonlLine never throws on any text', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.json(),
          fc.jsonValue().map((v) => JSON.stringify(v)),
        ),
        (line) => {
          const r = parseJsonlLine(line);
          expect(typeof r.ok).toBe('boolean');
        },
      ),
      settings,
    );
  });
});

describe('fuzz: protobuf ingest batches', () => {
  const valid = EventBatch.encode({
    source: 'fuzz',
    sequence: 3,
    events: [
      Event.fromPartial({
        ts: 5,
        venue: 'v',
        instrument: 'i',
        trade: { tradeId: 't', price: 1, qty: 1, aggressor: 1 },
      }),
      Event.fromPartial({ ts: 6, venue: 'v', instrument: 'i', orderCancel: { orderId: 'o', account: 'a' } }),
    ],
  }).finish();

  it('decodeEventBatch never throws on random or mutated bytes', () => {
    const mutated = fc
      .tuple(fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }), fc.nat())
      .map(([flips, cut]) => {
        const b = Uint8Array.from(valid);
        for (const [at, byte] of flips) b[at % b.length] = byte;
        return b.subarray(0, b.length - (cut % 4));
      });
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 300 }), mutated), (bytes) => {
        const batch = decodeEventBatch(bytes);
        expect(Array.isArray(batch.events)).toBe(true);
        // Whatever decoded goes through validation without throwing.
        for (const e of batch.events) validateEvent(e);
      }),
      settings,
    );
  });
});

describe('fuzz: configuration', () => {
  it('parseConfigText throws nothing but ConfigError on YAML-ish text', () => {
    const yamlish = fc
      .array(
        fc.tuple(
          fc.constantFrom('', '  ', '    ', '- '),
          fc.constantFrom('engine', 'tickIntervalMs', 'owners', 'server', 'detectors', 'x', '&a', '*a', '<<'),
          fc.constantFrom(':', ': ', ''),
          fc.oneof(
            fc.string({ maxLength: 8 }),
            fc.constantFrom('1', '-1', '.nan', '[', '{', '*a', '&a x', '!!js/function'),
          ),
        ),
        { maxLength: 12 },
      )
      .map((lines) => lines.map((p) => p.join('')).join('\n'));
    fc.assert(
      fc.property(fc.oneof(yamlish, fc.string({ maxLength: 200 })), (text) => {
        try {
          parseConfigText(text, 'fuzz.yaml');
        } catch (error) {
          expect(error).toBeInstanceOf(ConfigError);
        }
      }),
      settings,
    );
  });
});

describe('fuzz: the engine on arbitrary valid event sequences', () => {
  it('never throws and keeps its counters consistent', () => {
    const ids = fc.constantFrom('o1', 'o2', 'o3', 'o4');
    const ts = fc.integer({ min: 1, max: 50 }).map((s) => 1_700_000_000_000_000 + s * 1_000_000);
    const event = fc.oneof(
      fc
        .record({
          orderId: ids,
          ts,
          side: fc.constantFrom('buy', 'sell'),
          price: fc.integer({ min: 1, max: 5 }),
        })
        .map((o) => ({
          ...anOrder({ orderId: o.orderId, ts: o.ts, side: o.side as 'buy', price: o.price }),
        })),
      fc.record({ orderId: ids, ts }).map((o) => ({
        kind: 'order_cancel' as const,
        ts: o.ts,
        venue: 'testex',
        instrument: 'BTC-USDT',
        orderId: o.orderId,
        account: 'acct-1',
      })),
      fc
        .record({ ts, buy: ids, sell: ids, qty: fc.integer({ min: 1, max: 3 }) })
        .map((t) => aTrade({ ts: t.ts, buyOrderId: t.buy, sellOrderId: t.sell, qty: t.qty })),
    );
    fc.assert(
      fc.property(fc.array(event, { maxLength: 60 }), (events) => {
        const engine = createEngine({ latenessUs: 2_000_000 });
        for (const e of events) engine.process(e);
        const s = engine.stats();
        expect(s.events).toBe(events.length);
        expect(s.tooLateEvents).toBeLessThanOrEqual(s.lateEvents);
        expect(s.restingOrders).toBeGreaterThanOrEqual(0);
        expect(s.restingOrders).toBeLessThanOrEqual(4);
      }),
      settings,
    );
  });
});

describe('fuzz: FIX message mapping', () => {
  it('FixEventMapper.map never throws, and what it returns is valid or a named error', () => {
    const tags = [
      1, 11, 17, 31, 32, 37, 38, 40, 41, 44, 52, 54, 55, 60, 150, 151, 269, 270, 271, 278, 279, 448, 452, 552,
      571, 851, 880, 1057,
    ];
    const value = fc.oneof(
      fc.string({ maxLength: 12 }),
      fc.constantFrom(
        '1',
        '2',
        '0',
        'F',
        '-1',
        '1e400',
        'NaN',
        '20240301-12:00:00.123456',
        '99991399-25:61:61',
        '',
      ),
      fc.double().map(String),
    );
    const message = fc.tuple(
      fc.constantFrom('D', 'F', 'G', '8', 'AE', 'W', 'X', '0', 'A', 'Z'),
      fc.dictionary(fc.constantFrom(...tags.map(String)), value, { maxKeys: 16 }),
      fc.dictionary(
        fc.constantFrom('448', '452', '269', '270', '271', '278', '279'),
        fc.array(fc.option(value, { nil: null }), { maxLength: 3 }),
      ),
    );
    fc.assert(
      fc.property(fc.array(message, { maxLength: 6 }), (messages) => {
        const mapper = new FixEventMapper({ venue: 'fuzzex' });
        messages.forEach(([type, fields, groups], i) => {
          const view = {
            getString: (tag: number | string) => fields[String(tag)] ?? null,
            getStrings: (tag: number | string) => groups[String(tag)] ?? null,
          };
          const result = mapper.map(type, view, `fuzz seq ${i}`);
          for (const e of result.events) expect(validateEvent(e).ok).toBe(true);
          for (const e of result.errors) expect(typeof e.field).toBe('string');
        });
      }),
      settings,
    );
  });

  // Far years give integers beyond 2^53; validation then rejects the event's ts by name.
  it('parseFixTimestamp returns an integer or NaN for any text', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.stringMatching(/^\d{8}-\d{2}:\d{2}:\d{2}(\.\d{1,9})?$/)),
        (text) => {
          const us = parseFixTimestamp(text);
          expect(Number.isNaN(us) || Number.isInteger(us)).toBe(true);
        },
      ),
      settings,
    );
  });
});
