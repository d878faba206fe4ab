import { describe, expect, it } from 'vitest';
import { eventRef } from '../core/events';
import type { Detector } from '../engine/detector';
import { createEngine } from '../engine/engine';
import { evaluate } from './evaluation';

/** A minimal wash detector: any trade with one beneficial owner on both sides. */
function sameOwnerTrades(): Detector {
  return {
    id: 'wash-trading',
    version: 'test',
    onEvent(e, ctx) {
      if (e.kind !== 'trade' || e.buyAccount === undefined || e.sellAccount === undefined) return;
      if (ctx.ownerOf(e.buyAccount) !== ctx.ownerOf(e.sellAccount)) return;
      ctx.emit({
        typology: 'wash_trading',
        venue: e.venue,
        instrument: e.instrument,
        accounts: [e.buyAccount],
        window: { start: e.ts, end: e.ts },
        score: 1,
        severity: 'high',
        metrics: { qty: e.qty },
        evidence: [eventRef(e)],
        explanation: `Account ${e.buyAccount} traded ${e.qty} with an account of the same owner.`,
      });
    },
    reset() {},
  };
}

describe('evaluate', () => {
  it('scores a detector against the labels and reports typologies without a detector as such', () => {
    const report = evaluate({
      createEngine: () => createEngine({ detectors: [sameOwnerTrades()] }),
      seeds: [1, 2],
      scenarios: ['wash_self', 'wash_colluding', 'wash_round_trip', 'spoofing'],
      warmupS: 10,
      episodeS: 20,
      cooldownS: 5,
      normalS: 60,
      simulator: { dex: false },
    });
    const wash = report.typologies.find((t) => t.typology === 'wash_trading');
    expect(wash).toMatchObject({ hasDetector: true, episodes: 6, detectedEpisodes: 4 });
    expect(wash?.recall).toBeCloseTo(4 / 6);
    // Same-owner trades happen in normal trading too (households with two accounts), so
    // precision is honest about it rather than 1 by construction.
    expect(wash?.precision).toBeGreaterThan(0.5);
    expect(wash?.precision).toBeLessThanOrEqual(1);
    expect(wash?.medianDelayS).toBeGreaterThanOrEqual(0);
    expect(wash?.medianDelayS).toBeLessThan(1);
    const spoofing = report.typologies.find((t) => t.typology === 'spoofing');
    expect(spoofing).toMatchObject({ hasDetector: false, signals: 0, detectedEpisodes: 0 });
    expect(report.byScenario.find((s) => s.scenario === 'wash_round_trip')?.detected).toBe(0);
    expect(report.normal.runs).toBe(2);
    expect(report.normal.instrumentHours).toBeCloseTo((2 * 60 * 5) / 3600);
  });
});
