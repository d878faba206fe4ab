import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { aCancel, anOrder, aQuote, aReplace, aTrade } from '../../test/stubs';
import { InvalidEventError } from './errors';
import { EVENT_SCHEMAS, type EventKind, type MarketEvent } from './events';
import { tryParseEvent, validateEvent } from './validate';

/** Validates `event` with `field` set to `value` and returns the errors (expects failure). */
function errorsWith(event: MarketEvent, field: string, value: unknown): InvalidEventError[] {
  const raw: Record<string, unknown> = { ...event, [field]: value };
  if (value === undefined) delete raw[field];
  const r = validateEvent(raw, 'test:1');
  if (r.ok) throw new Error(`expected ${field}=${String(value)} to be rejected`);
  return r.errors;
}

const samples: MarketEvent[] = [
  anOrder({ orderId: 'o1' }),
  aCancel({ orderId: 'o1' }),
  aReplace({ orderId: 'o1' }),
  aTrade({ tradeId: 't1', buyAccount: 'a', sellAccount: 'b', buyOrderId: 'o1', sellOrderId: 'o2' }),
  aQuote(),
];

describe('validateEvent', () => {
  it('accepts every well-formed event kind unchanged', () => {
    for (const e of samples) {
      const r = validateEvent(e);
      expect(r.ok, e.kind).toBe(true);
      if (r.ok) expect(r.event).toEqual(e);
    }
  });

  it('accepts a DEX swap with wallet accounts, tx hash, block and log index', () => {
    const swap = aTrade({
      venue: 'eth:0x88e6',
      buyAccount: '0xabc',
      sellAccount: '0xpool',
      txHash: '0xdeadbeef',
      block: 19_000_000,
      logIndex: 42,
    });
    expect(validateEvent(swap)).toEqual({ ok: true, event: swap });
  });

  it('drops unknown fields such as simulator labels, so the engine never sees them', () => {
    const r = validateEvent({ ...anOrder({ orderId: 'o9' }), label: { scenario: 'spoofing' } });
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.event).not.toHaveProperty('label');
  });

  const numericFields: [MarketEvent, string][] = [
    [samples[0] as MarketEvent, 'price'],
    [samples[0] as MarketEvent, 'qty'],
    [samples[2] as MarketEvent, 'price'],
    [samples[2] as MarketEvent, 'qty'],
    [samples[3] as MarketEvent, 'price'],
    [samples[3] as MarketEvent, 'qty'],
    [samples[4] as MarketEvent, 'bid'],
    [samples[4] as MarketEvent, 'ask'],
    [samples[4] as MarketEvent, 'bidQty'],
    [samples[4] as MarketEvent, 'askQty'],
  ];

  for (const [event, field] of numericFields) {
    for (const bad of [Number.NaN, -1, Number.POSITIVE_INFINITY, '12', null, undefined, 1e300]) {
      it(`rejects ${event.kind}.${field} = ${String(bad)} naming the field`, () => {
        const errors = errorsWith(event, field, bad);
        expect(errors.map((e) => e.field)).toContain(field);
        const err = errors.find((e) => e.field === field) as InvalidEventError;
        expect(err).toBeInstanceOf(InvalidEventError);
        expect(err.location).toBe('test:1');
        expect(err.reason.length).toBeGreaterThan(5);
        expect(err.message).toContain(`'${field}'`);
      });
    }
  }

  for (const event of samples) {
    it(`rejects ${event.kind} with a non-integer, negative, missing or string ts`, () => {
      for (const bad of [1.5, -1, undefined, '1700000000000000', Number.NaN, 2 ** 60]) {
        const errors = errorsWith(event, 'ts', bad);
        expect(errors[0]?.field).toBe('ts');
      }
      expect(errorsWith(event, 'ts', 1.5)[0]?.reason).toBe('expected an integer');
      expect(errorsWith(event, 'ts', undefined)[0]?.reason).toMatch(/missing/);
    });

    it(`rejects ${event.kind} with missing or empty venue and instrument`, () => {
      for (const field of ['venue', 'instrument']) {
        expect(errorsWith(event, field, undefined)[0]?.field).toBe(field);
        expect(errorsWith(event, field, '')[0]?.reason).toBe('must not be empty');
        expect(errorsWith(event, field, 42)[0]?.reason).toBe('expected string, received number');
        expect(errorsWith(event, field, 'x'.repeat(1_000_000))[0]?.reason).toMatch(/longer than/);
      }
    });

    it(`rejects ${event.kind} with a negative or fractional seq`, () => {
      expect(errorsWith(event, 'seq', -3)[0]?.field).toBe('seq');
      expect(errorsWith(event, 'seq', 2.5)[0]?.field).toBe('seq');
    });
  }

  it('rejects unknown enum values for side, type and aggressor', () => {
    expect(errorsWith(samples[0] as MarketEvent, 'side', 'bid')[0]).toMatchObject({
      field: 'side',
      value: 'bid',
      reason: 'expected one of "buy", "sell"',
    });
    expect(errorsWith(samples[0] as MarketEvent, 'type', 'stop')[0]?.field).toBe('type');
    expect(errorsWith(samples[3] as MarketEvent, 'aggressor', 'BUY')[0]?.field).toBe('aggressor');
  });

  it('rejects missing identifiers naming each one', () => {
    expect(errorsWith(samples[0] as MarketEvent, 'orderId', undefined)[0]?.field).toBe('orderId');
    expect(errorsWith(samples[1] as MarketEvent, 'account', undefined)[0]?.field).toBe('account');
    expect(errorsWith(samples[3] as MarketEvent, 'tradeId', '')[0]?.field).toBe('tradeId');
  });

  it('rejects an unknown kind naming the kind field and listing the valid kinds', () => {
    const r = validateEvent({ ...anOrder(), kind: 'order_amend' });
    expect(r).toMatchObject({ ok: false });
    if (!r.ok) {
      expect(r.errors).toHaveLength(1);
      expect(r.errors[0]).toMatchObject({ field: 'kind', value: 'order_amend' });
      expect(r.errors[0]?.reason).toContain('order_new');
    }
  });

  it('rejects non-objects', () => {
    for (const raw of [null, 42, 'order', [anOrder()]]) {
      const r = validateEvent(raw);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.errors[0]?.field).toBe('(event)');
    }
  });

  it('requires a positive price on limit orders but allows 0 on market orders', () => {
    expect(errorsWith(anOrder({ type: 'limit' }), 'price', 0)[0]?.field).toBe('price');
    expect(validateEvent(anOrder({ type: 'market', price: 0 })).ok).toBe(true);
  });

  it('rejects a crossed quote', () => {
    const r = validateEvent(aQuote({ bid: 101, ask: 100 }));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]?.field).toBe('bid');
  });

  it('reports every bad field of one event, not just the first', () => {
    const r = validateEvent({ ...anOrder(), price: -1, qty: Number.NaN, side: 'up' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.map((e) => e.field).sort()).toEqual(['price', 'qty', 'side']);
  });

  it('never throws, whatever it is given', () => {
    fc.assert(
      fc.property(fc.anything({ withNullPrototype: true, withBigInt: true }), (raw) => {
        const r = validateEvent(raw);
        if (!r.ok) for (const e of r.errors) expect(e).toBeInstanceOf(InvalidEventError);
      }),
      { seed: 42, numRuns: 500 },
    );
  });

  it('never throws on events with any field replaced by any value, and names a field', () => {
    const fields = ['ts', 'venue', 'instrument', 'orderId', 'account', 'side', 'price', 'qty', 'type', 'seq'];
    fc.assert(
      fc.property(fc.constantFrom(...fields), fc.anything(), (field, value) => {
        const r = validateEvent({ ...anOrder({ orderId: 'p1' }), [field]: value });
        if (!r.ok) {
          expect(r.errors.length).toBeGreaterThan(0);
          expect(r.errors[0]?.field).toBe(field);
        }
      }),
      { seed: 7, numRuns: 1000 },
    );
  });
});

describe('tryParseEvent (fast path)', () => {
  const tricky = [
    0,
    -0,
    1,
    -1,
    1.5,
    100,
    100.1,
    2 ** 53,
    2 ** 53 - 1,
    1e15,
    1e15 + 1,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    '',
    'x',
    'x'.repeat(256),
    'x'.repeat(257),
    'buy',
    'sell',
    'limit',
    'market',
    'trade',
    null,
    undefined,
    true,
    {},
    [],
    '12',
  ];
  const fields = [
    'kind',
    'ts',
    'venue',
    'instrument',
    'seq',
    'orderId',
    'account',
    'side',
    'price',
    'qty',
    'type',
    'tradeId',
    'aggressor',
    'buyAccount',
    'sellAccount',
    'buyOrderId',
    'sellOrderId',
    'txHash',
    'block',
    'logIndex',
    'bid',
    'bidQty',
    'ask',
    'askQty',
  ];
  const mutation = fc.record({
    field: fc.constantFrom(...fields),
    action: fc.constantFrom('set' as const, 'delete' as const),
    value: fc.oneof(fc.constantFrom(...tricky), fc.double(), fc.integer(), fc.string({ maxLength: 3 })),
  });

  it('accepts exactly what the zod schemas accept and returns the same object, key order included', () => {
    const bases = [...samples, aQuote({ bid: 100, ask: 100 }), anOrder({ type: 'market', price: 0 })];
    fc.assert(
      fc.property(fc.constantFrom(...bases), fc.array(mutation, { maxLength: 3 }), (base, mutations) => {
        const raw: Record<string, unknown> = { ...base, seq: 3 };
        for (const m of mutations) {
          if (m.action === 'delete') delete raw[m.field];
          else raw[m.field] = m.value;
        }
        const fast = tryParseEvent(raw);
        const schema = EVENT_SCHEMAS[raw.kind as EventKind] as z.ZodType | undefined;
        const slow = schema?.safeParse(raw);
        if (slow?.success) {
          expect(fast).toEqual(slow.data);
          expect(Object.keys(fast as object)).toEqual(Object.keys(slow.data as object));
        } else {
          expect(fast).toBeUndefined();
        }
      }),
      { seed: 99, numRuns: 5000 },
    );
  });
});
