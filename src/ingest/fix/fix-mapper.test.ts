import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FixEventMapper, type FixFieldSource, parseFixTimestamp } from './fix-mapper';

/** A message as tag=value pairs, repeated tags kept in order (like a parsed FIX body). */
function msg(fields: [number, string | number][]): FixFieldSource {
  return {
    getString: (tag) => {
      const f = fields.find(([t]) => t === tag);
      return f === undefined ? null : String(f[1]);
    },
    getStrings: (tag) => {
      const all = fields.filter(([t]) => t === tag).map(([, v]) => String(v));
      return all.length === 0 ? null : all;
    },
  };
}

const T = '20240301-12:00:00.250000';
const TS = Date.UTC(2024, 2, 1, 12) * 1000 + 250_000;

describe('FIX → events', () => {
  it('maps the order flow D, G, F with ClOrdID chains and parties as accounts', () => {
    const m = new FixEventMapper({ venue: 'v' });
    const party: [number, string | number][] = [
      [453, 2],
      [448, 'FIRM-1'],
      [452, 1],
      [448, 'acct-9'],
      [452, 24],
    ];
    const d = m.map(
      'D',
      msg([[11, 'c1'], [55, 'ETH-USD'], [54, 1], [38, 3], [40, 2], [44, 2000.5], [60, T], ...party]),
      'x',
    );
    const g = m.map(
      'G',
      msg([
        [11, 'c2'],
        [41, 'c1'],
        [55, 'ETH-USD'],
        [54, 1],
        [38, 4],
        [40, 2],
        [44, 2001],
        [60, T],
        ...party,
      ]),
      'x',
    );
    const f = m.map('F', msg([[11, 'c3'], [41, 'c2'], [55, 'ETH-USD'], [54, 1], [60, T], ...party]), 'x');
    expect([...d.events, ...g.events, ...f.events]).toEqual([
      {
        kind: 'order_new',
        ts: TS,
        venue: 'v',
        instrument: 'ETH-USD',
        orderId: 'c1',
        account: 'acct-9',
        side: 'buy',
        price: 2000.5,
        qty: 3,
        type: 'limit',
      },
      {
        kind: 'order_replace',
        ts: TS,
        venue: 'v',
        instrument: 'ETH-USD',
        orderId: 'c1',
        account: 'acct-9',
        price: 2001,
        qty: 4,
      },
      { kind: 'order_cancel', ts: TS, venue: 'v', instrument: 'ETH-USD', orderId: 'c1', account: 'acct-9' },
    ]);
  });

  it('maps execution reports by ExecType, with the maker side of a fill from LastLiquidityInd', () => {
    const m = new FixEventMapper({ venue: 'v' });
    const base: [number, string | number][] = [
      [37, 'o1'],
      [55, 'BTC-USD'],
      [54, 2],
      [1, 'acct-1'],
      [60, T],
      [44, 100],
      [38, 5],
    ];
    const kinds = ['0', '5', '4'].map(
      (execType) => m.map('8', msg([[150, execType], [151, 2], ...base]), 'x').events[0]?.kind,
    );
    expect(kinds).toEqual(['order_new', 'order_replace', 'order_cancel']);
    const maker = m.map('8', msg([[150, 'F'], [17, 'x9'], [31, 100], [32, 1], [851, 1], ...base]), 'x');
    expect(maker.events).toEqual([
      {
        kind: 'trade',
        ts: TS,
        venue: 'v',
        instrument: 'BTC-USD',
        tradeId: 'x9',
        price: 100,
        qty: 1,
        aggressor: 'buy',
        sellAccount: 'acct-1',
        sellOrderId: 'o1',
      },
    ]);
    expect(m.map('8', msg([[150, 'I'], ...base]), 'x')).toEqual({ events: [], errors: [] });
  });

  it('maps a trade capture report with both sides and the aggressor indicator', () => {
    const m = new FixEventMapper({ venue: 'v' });
    const r = m.map(
      'AE',
      msg([
        [571, 'tr1'],
        [55, 'BTC-USD'],
        [31, 50000],
        [32, 0.1],
        [60, T],
        [552, 2],
        [54, 1],
        [37, 'ob'],
        [1, 'acct-b'],
        [1057, 'N'],
        [54, 2],
        [37, 'os'],
        [1, 'acct-s'],
        [1057, 'Y'],
      ]),
      'x',
    );
    expect(r.events).toEqual([
      {
        kind: 'trade',
        ts: TS,
        venue: 'v',
        instrument: 'BTC-USD',
        tradeId: 'tr1',
        price: 50000,
        qty: 0.1,
        aggressor: 'sell',
        buyOrderId: 'ob',
        buyAccount: 'acct-b',
        sellOrderId: 'os',
        sellAccount: 'acct-s',
      },
    ]);
  });

  it('maps market data: a snapshot to a quote, incremental trades classified by the quote and tick rules', () => {
    const m = new FixEventMapper({ venue: 'v' });
    const w = m.map(
      'W',
      msg([
        [55, 'X'],
        [52, T],
        [268, 2],
        [269, 0],
        [270, 99],
        [271, 4],
        [269, 1],
        [270, 101],
        [271, 6],
      ]),
      'x',
    );
    expect(w.events).toEqual([
      { kind: 'quote', ts: TS, venue: 'v', instrument: 'X', bid: 99, bidQty: 4, ask: 101, askQty: 6 },
    ]);
    const x = m.map(
      'X',
      msg([
        [55, 'X'],
        [52, T],
        [268, 3],
        [279, 0],
        [269, 2],
        [270, 101],
        [271, 1],
        [279, 0],
        [269, 2],
        [270, 99.5],
        [271, 2],
        [279, 2],
        [269, 0],
        [270, 99],
        [271, 0],
      ]),
      'x',
    );
    expect(x.events.map((e) => e.kind === 'trade' && [e.price, e.aggressor])).toEqual([
      [101, 'buy'],
      [99.5, 'sell'],
    ]);
  });

  it('reports bad values with the FIX tag to look at, and keeps going', () => {
    const m = new FixEventMapper({ venue: 'v' });
    const r = m.map(
      'D',
      msg([
        [11, 'c1'],
        [55, 'E'],
        [54, 7],
        [38, 'lots'],
        [40, 2],
        [44, 1],
        [60, '2024-03-01'],
        [1, 'a'],
      ]),
      'fix:V seq 9',
    );
    expect(r.events).toEqual([]);
    expect(r.errors.map((e) => [e.field, e.value, e.location])).toEqual([
      ['ts', '2024-03-01', 'fix:V seq 9'],
      ['side', '7', 'fix:V seq 9'],
      ['qty', 'lots', 'fix:V seq 9'],
    ]);
    expect(r.errors[1]?.reason).toContain('(FIX tag 54)');
  });

  it('parses FIX UTC timestamps to the microsecond and rejects malformed ones (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4_000_000_000_000_000 }), (us) => {
        const d = new Date(Math.floor(us / 1000));
        const p = (n: number, w = 2) => String(n).padStart(w, '0');
        const text = `${p(d.getUTCFullYear(), 4)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}-${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}.${p(d.getUTCMilliseconds(), 3)}${p(us % 1000, 3)}`;
        expect(parseFixTimestamp(text)).toBe(us);
      }),
    );
    for (const bad of ['', '20240301', '20241301-00:00:00', '20240301-12:00:00.', '20240301T12:00:00']) {
      expect(parseFixTimestamp(bad)).toBeNaN();
    }
  });
});
