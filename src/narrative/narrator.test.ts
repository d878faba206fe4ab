import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { anOrder, aTrade, at, resetIds, STUB_DEFAULTS } from '../../test/stubs';
import type { Severity, Signal } from '../core/signal';
import { createEngine, type Engine } from '../engine/engine';
import { NarrativeConfigSchema } from './config';
import { type NarrativeLine, Narrator } from './narrator';

const INSTRUMENT = STUB_DEFAULTS.instrument;
const VENUE = STUB_DEFAULTS.venue;

function aSignal(ts: number, overrides: Partial<Signal> & { severity: Severity; score: number }): Signal {
  return {
    id: `S-${ts}`,
    detector: 'spoofing',
    version: '1',
    typology: 'spoofing',
    venue: VENUE,
    instrument: INSTRUMENT,
    accounts: ['A7'],
    owners: ['A7'],
    window: { start: ts - 2_000_000, end: ts },
    metrics: {},
    evidence: [],
    explanation: 'Account A7 cancelled 12 large sell orders within 1.8 s.',
    emittedAt: ts,
    ...overrides,
  };
}

/** A quiet market: one resting bid and ask (2 bp apart) and one trade a second. */
function quietMarket(engine: Engine, seconds: number): void {
  engine.process(anOrder({ ts: at(0), side: 'buy', price: 99.99, qty: 5, account: 'mm' }));
  engine.process(anOrder({ ts: at(0), side: 'sell', price: 100.01, qty: 5, account: 'mm' }));
  for (let s = 0; s <= seconds; s++) engine.process(aTrade({ ts: at(s), price: 100, qty: 1 }));
}

function setup(config = {}) {
  const engine = createEngine({ tickIntervalUs: 100_000 });
  const narrator = new Narrator({ market: engine, config });
  narrator.attachTo(engine);
  const lines: NarrativeLine[] = [];
  narrator.onLine((l) => lines.push(l));
  return { engine, narrator, lines };
}

describe('Narrator', () => {
  beforeEach(() => resetIds());

  it('tells a scripted spoofing episode as exactly these lines', () => {
    const { engine, narrator, lines } = setup();
    quietMarket(engine, 9);
    narrator.onSignal(aSignal(at(10), { severity: 'medium', score: 0.8 }));
    narrator.onSignal(aSignal(at(12), { severity: 'high', score: 0.9 }));
    narrator.onSignal(aSignal(at(14), { severity: 'high', score: 0.9 }));
    narrator.onCaseOpened({
      id: 'C-3f2a',
      typology: 'spoofing',
      venue: VENUE,
      instrument: INSTRUMENT,
      accounts: ['A7'],
      score: 0.81,
      ts: at(14.5),
    });
    for (let s = 15; s <= 60; s++) engine.process(aTrade({ ts: at(s), price: 100, qty: 1 }));

    expect(lines.map((l) => [l.ts - at(0), l.from, l.state, l.text])).toEqual([
      // The engine ticks before applying an event, so the book is first seen at the tick of 1 s
      // and the trade of each second counts from the next tick on.
      [6_000_000, 'normal', 'normal', 'Normal trading detected on BTC-USDT: spread 2.0 bp, 0.6 trades/s.'],
      [
        12_000_000,
        'normal',
        'emerging',
        'Abnormal behavior emerging on BTC-USDT: spoofing signal from account A7, score 0.90 (high); spread 2.0 bp, 0.7 trades/s. Account A7 cancelled 12 large sell orders within 1.8 s.',
      ],
      [
        14_000_000,
        'emerging',
        'suspected',
        'Spoofing suspected on BTC-USDT: account A7 — 3 signals in 4.00 s, evidence 3.97 (threshold 2.50). Account A7 cancelled 12 large sell orders within 1.8 s.',
      ],
      [
        14_500_000,
        'suspected',
        'confirmed',
        'Case C-3f2a opened: spoofing on BTC-USDT, account A7, score 0.81.',
      ],
      [
        52_000_000,
        'confirmed',
        'normal',
        'Market returned to normal on BTC-USDT after 40.00 s: spread 2.0 bp, 0.9 trades/s, volume 0.9× baseline.',
      ],
    ]);
    // Evidence after 3 signals: ((0.8·2^-0.2) + 1.8)·2^-0.2 + 1.8, one medium and two high.
    expect(lines[2]?.numbers.evidence).toBeCloseTo((0.8 * 2 ** -0.2 + 1.8) * 2 ** -0.2 + 1.8, 2);
    expect(lines[2]?.education).toMatch(/^Spoofing is placing large orders/);
    expect(lines[3]?.education).toBeUndefined(); // told once per episode
    expect(lines[3]?.caseId).toBe('C-3f2a');
    expect(narrator.stateOf(VENUE, INSTRUMENT)).toBe('normal');
  });

  it('does not leave normal on one isolated weak signal', () => {
    const { engine, narrator, lines } = setup();
    quietMarket(engine, 6);
    narrator.onSignal(aSignal(at(6), { severity: 'low', score: 1 }));
    for (let s = 7; s <= 40; s++) engine.process(aTrade({ ts: at(s), price: 100, qty: 1 }));
    expect(lines.map((l) => l.state)).toEqual(['normal']);
    expect(lines[0]?.action).toBe('warmed_up');
    expect(narrator.stateOf(VENUE, INSTRUMENT)).toBe('normal');
  });

  it('never goes past emerging on any single signal, whatever its severity and score', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<Severity>('low', 'medium', 'high'),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (severity, score) => {
          // Default weights: low 0.5, medium 1, high 2; emergingAt 1.
          const narrator = new Narrator();
          narrator.onSignal(aSignal(at(1), { severity, score }));
          const state = narrator.stateOf(VENUE, INSTRUMENT);
          const evidence = { low: 0.5, medium: 1, high: 2 }[severity] * score;
          return state === (evidence >= 1 ? 'emerging' : 'normal');
        },
      ),
      { numRuns: 60 },
    );
  });

  it('holds a case that opens early and tells it once the evidence reaches suspected', () => {
    const narrator = new Narrator();
    const lines: NarrativeLine[] = [];
    narrator.onLine((l) => lines.push(l));
    narrator.onCaseOpened({
      id: 'C-1',
      typology: 'wash_trading',
      venue: VENUE,
      instrument: INSTRUMENT,
      accounts: ['w1'],
      score: 0.7,
      ts: at(1),
    });
    expect(lines).toEqual([]);
    narrator.onSignal(aSignal(at(2), { typology: 'wash_trading', severity: 'high', score: 1 }));
    narrator.onSignal(aSignal(at(3), { typology: 'wash_trading', severity: 'high', score: 1 }));
    expect(lines.map((l) => `${l.from}→${l.state}`)).toEqual([
      'normal→emerging',
      'emerging→suspected',
      'suspected→confirmed',
    ]);
    expect(lines[2]?.text).toBe('Case C-1 opened: wash trading on BTC-USDT, account w1, score 0.70.');
    expect(lines[1]?.education).toMatch(/^Wash trading is trading with oneself/);
  });

  it('does not flap: evidence between the calm and emerging levels keeps the story where it is', () => {
    const narrator = new Narrator();
    const states: string[] = [];
    narrator.onLine((l) => states.push(l.state));
    narrator.onSignal(aSignal(at(0), { severity: 'high', score: 0.6 })); // 1.2 → emerging
    for (let s = 1; s <= 60; s++) {
      // A weak signal every 4 s keeps evidence near 0.5–0.8: below emergingAt, above calmBelow.
      if (s % 4 === 0) narrator.onSignal(aSignal(at(s), { severity: 'low', score: 0.6 }));
      narrator.onTime(at(s));
    }
    expect(states).toEqual(['emerging']);
    for (let s = 61; s <= 120; s++) narrator.onTime(at(s));
    expect(states).toEqual(['emerging', 'normal']);
  });

  it('waits the dwell time before calling the market normal, even when evidence fades fast', () => {
    const narrator = new Narrator({ config: { halfLifeMs: 100, minDwellMs: 20_000 } });
    narrator.onSignal(aSignal(at(0), { severity: 'high', score: 1 }));
    narrator.onTime(at(5));
    expect(narrator.stateOf(VENUE, INSTRUMENT)).toBe('emerging');
    narrator.onTime(at(20));
    expect(narrator.stateOf(VENUE, INSTRUMENT)).toBe('normal');
  });

  it('emits lines on narrative$ and forgets stories and history on reset', () => {
    const narrator = new Narrator();
    const seen: string[] = [];
    const sub = narrator.narrative$.subscribe((l) => seen.push(l.state));
    narrator.onSignal(aSignal(at(0), { severity: 'high', score: 1 }));
    expect(seen).toEqual(['emerging']);
    expect(narrator.lines()).toHaveLength(1);
    narrator.reset();
    expect(narrator.lines()).toHaveLength(0);
    expect(narrator.stateOf(VENUE, INSTRUMENT)).toBe('normal');
    sub.unsubscribe();
  });
});

describe('NarrativeConfigSchema', () => {
  it('rejects thresholds without a hysteresis gap, naming the field', () => {
    const r = NarrativeConfigSchema.safeParse({ calmBelow: 2, emergingAt: 1 });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(['calmBelow']);
    const r2 = NarrativeConfigSchema.safeParse({ suspectedAt: 0.5 });
    expect(r2.error?.issues[0]?.path).toEqual(['suspectedAt']);
  });
});
