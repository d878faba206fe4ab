import { describe, expect, it } from 'vitest';
import { anOrder, aTrade } from '../../test/stubs';
import {
  bpsChange,
  capEvidence,
  clamp01,
  EventWindow,
  evictIdle,
  evidenceRef,
  fmtNum,
  fmtPct,
  opposite,
  plural,
  ramp,
  scoreFromMargins,
  severityOf,
} from './shared';

describe('severity and scores', () => {
  it('bands scores into low, medium and high', () => {
    expect(severityOf(0.5)).toBe('low');
    expect(severityOf(0.65)).toBe('medium');
    expect(severityOf(0.9)).toBe('high');
    expect(severityOf(0.7, { medium: 0.8, high: 0.95 })).toBe('low');
  });

  it('ramps linearly between two bounds and clamps outside them', () => {
    expect(ramp(5, 0, 10)).toBe(0.5);
    expect(ramp(-1, 0, 10)).toBe(0);
    expect(ramp(20, 0, 10)).toBe(1);
    expect(ramp(3, 3, 3)).toBe(1);
    expect(clamp01(Number.NaN)).toBe(0);
  });

  it('starts a fired rule at 0.5 and reaches 1 when every margin is full', () => {
    expect(scoreFromMargins([0, 0])).toBe(0.5);
    expect(scoreFromMargins([1, 1])).toBe(1);
    expect(scoreFromMargins([1, 0])).toBe(0.75);
  });
});

describe('formatting for explanations', () => {
  it('writes numbers with grouped thousands and no trailing zeros', () => {
    expect(fmtNum(48)).toBe('48');
    expect(fmtNum(12500.25)).toBe('12,500.25');
    expect(fmtNum(0.5)).toBe('0.5');
    expect(fmtNum(0.0042)).toBe('0.0042');
    expect(fmtNum(-1234.5, 1)).toBe('-1,234.5');
  });

  it('writes ratios as percentages and counts with their noun', () => {
    expect(fmtPct(0.962)).toBe('96%');
    expect(fmtPct(0.042)).toBe('4.2%');
    expect(plural(1, 'order')).toBe('1 order');
    expect(plural(12, 'order')).toBe('12 orders');
    expect(bpsChange(100, 100.5)).toBeCloseTo(50);
    expect(opposite('buy')).toBe('sell');
  });
});

describe('evidence', () => {
  it('names the suspect account of a trade', () => {
    const ref = evidenceRef(aTrade({ tradeId: 't9', buyAccount: 'a1', sellAccount: 'b2' }), 'b2', 'sell');
    expect(ref).toMatchObject({ kind: 'trade', id: 't9', account: 'b2', side: 'sell' });
    expect(evidenceRef(anOrder({ orderId: 'o1', account: 'x' }))).toMatchObject({ id: 'o1', account: 'x' });
  });

  it('caps long evidence lists keeping the first ones and the last', () => {
    const refs = Array.from({ length: 10 }, (_, i) => evidenceRef(anOrder({ orderId: `o${i}` })));
    const capped = capEvidence(refs, 4);
    expect(capped.map((r) => r.id)).toEqual(['o0', 'o1', 'o2', 'o9']);
    expect(capEvidence(refs, 20)).toBe(refs);
  });
});

describe('EventWindow', () => {
  it('keeps items oldest first and evicts by event time', () => {
    const w = new EventWindow<{ ts: number; v: number }>(10, 100);
    for (let ts = 0; ts < 30; ts += 5) w.push({ ts, v: ts });
    expect(w.size).toBe(6);
    expect(w.evictOlderThanSpan(25)).toBe(3);
    expect(w.toArray().map((x) => x.ts)).toEqual([15, 20, 25]);
    expect(w.first()?.ts).toBe(15);
    expect(w.last()?.ts).toBe(25);
  });

  it('never holds more than its capacity, counting what it pushed out', () => {
    const w = new EventWindow<{ ts: number }>(1e12, 8);
    for (let ts = 0; ts < 1000; ts++) w.push({ ts });
    expect(w.size).toBe(8);
    expect(w.overflowed).toBe(992);
    expect(w.get(0).ts).toBe(992);
    w.fill([{ ts: 1 }, { ts: 2 }]);
    expect(w.toArray()).toEqual([{ ts: 1 }, { ts: 2 }]);
  });

  it('wraps around its ring without losing order', () => {
    const w = new EventWindow<{ ts: number }>(3, 64);
    for (let ts = 0; ts < 200; ts++) {
      w.push({ ts });
      w.evictOlderThanSpan(ts);
      expect(w.first()?.ts).toBe(Math.max(0, ts - 3));
    }
  });
});

describe('evictIdle', () => {
  it('drops state whose last activity is before the cutoff', () => {
    const m = new Map([
      ['a', { lastTs: 5 }],
      ['b', { lastTs: 50 }],
    ]);
    expect(evictIdle(m, 10)).toBe(1);
    expect([...m.keys()]).toEqual(['b']);
  });
});
