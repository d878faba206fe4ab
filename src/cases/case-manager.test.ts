import { beforeEach, describe, expect, it } from 'vitest';
import { aSignal, aTrade, at, resetIds } from '../../test/stubs';
import { CaseManager, caseIdFor, MARKET_OWNER } from './case-manager';
import { MarketContextRecorder } from './market-context';
import { MemoryCaseStore } from './store/memory-store';
import { SuppressionList } from './suppression';

const MINUTE = 60_000_000;

describe('CaseManager', () => {
  beforeEach(() => resetIds());

  it('joins signals of the same typology, instrument and owner within the merge window into one case', () => {
    const manager = new CaseManager({ mergeWindowUs: 5 * MINUTE });
    const first = manager.onSignal(aSignal());
    const second = manager.onSignal(
      aSignal({ window: { start: at(120), end: at(125) }, emittedAt: at(125) }),
    );
    expect(second[0]?.id).toBe(first[0]?.id);
    expect(manager.stats()).toMatchObject({ signals: 2, casesOpened: 1, merged: 1 });
  });

  it('opens a new case once the merge window has passed, or for another instrument or owner', () => {
    const manager = new CaseManager({ mergeWindowUs: 5 * MINUTE });
    const a = manager.onSignal(aSignal())[0]?.id;
    const late = manager.onSignal(
      aSignal({ window: { start: at(600), end: at(601) }, emittedAt: at(601) }),
    )[0]?.id;
    const eth = manager.onSignal(aSignal({ instrument: 'ETH-USDT' }))[0]?.id;
    const other = manager.onSignal(aSignal({ owners: ['owner-2'], accounts: ['acct-9'] }))[0]?.id;
    expect(new Set([a, late, eth, other]).size).toBe(4);
  });

  it('derives the case id from typology, instrument, owner, window start and detector version', () => {
    const signal = aSignal();
    const drafts = new CaseManager().onSignal(signal);
    expect(drafts[0]?.id).toBe(caseIdFor(signal, 'owner-1'));
    expect(caseIdFor({ ...signal, version: '2' }, 'owner-1')).not.toBe(drafts[0]?.id);
    expect(drafts[0]?.id).toMatch(/^case_[0-9a-f]{16}$/);
  });

  it('gives a replay the same drafts, so a store upserts instead of duplicating', async () => {
    const signals = [
      aSignal(),
      aSignal({ typology: 'wash_trading', detector: 'wash-trading', window: { start: at(30), end: at(31) } }),
      aSignal({ window: { start: at(60), end: at(62) } }),
    ];
    const store = new MemoryCaseStore();
    for (let run = 0; run < 2; run++) {
      const manager = new CaseManager();
      for (const s of signals) await store.upsert(manager.onSignal(s));
    }
    const page = await store.query();
    expect(page.total).toBe(2);
    expect(page.cases.find((c) => c.typology === 'spoofing')?.signals).toHaveLength(2);
  });

  it('links cases of other typologies on the same owner, both ways', async () => {
    const manager = new CaseManager();
    const store = new MemoryCaseStore();
    await store.upsert(manager.onSignal(aSignal()));
    const drafts = manager.onSignal(
      aSignal({ typology: 'wash_trading', detector: 'wash-trading', window: { start: at(30), end: at(31) } }),
    );
    await store.upsert(drafts);
    const [wash, spoof] = [await store.get(drafts[0]?.id ?? ''), await store.get(drafts[1]?.id ?? '')];
    expect(wash?.links).toEqual([spoof?.id]);
    expect(spoof?.links).toEqual([wash?.id]);
  });

  it('raises a rule case’s score with the anomaly model’s score for the same owner and instrument', async () => {
    const manager = new CaseManager();
    const store = new MemoryCaseStore();
    const [rule] = await store.upsert(manager.onSignal(aSignal({ severity: 'medium', score: 0.5 })));
    const anomaly = aSignal({
      typology: 'anomaly',
      detector: 'anomaly',
      score: 0.9,
      severity: 'medium',
      metrics: { cancelRatio: 0.97, orderToTrade: 41 },
      window: { start: at(10), end: at(70) },
      emittedAt: at(70),
    });
    await store.upsert(manager.onSignal(anomaly));
    const raised = await store.get(rule?.case.id ?? '');
    expect(raised?.mlScore).toBe(0.9);
    expect(raised?.mlFeatures).toEqual([
      { name: 'cancelRatio', value: 0.97 },
      { name: 'orderToTrade', value: 41 },
    ]);
    expect(raised?.score).toBeGreaterThan(rule?.case.score ?? 1);
    expect(raised?.ruleScore).toBe(rule?.case.ruleScore);
  });

  it('opens no case for an owner and typology an analyst marked as false positive, and counts it', () => {
    const suppressions = new SuppressionList([
      { owner: 'owner-1', typology: 'spoofing', until: at(3600), caseId: 'c0', actor: 'ana', at: 1 },
    ]);
    const manager = new CaseManager({ suppressions });
    expect(manager.onSignal(aSignal())).toEqual([]);
    expect(manager.onSignal(aSignal({ typology: 'layering' }))).toHaveLength(1);
    expect(manager.onSignal(aSignal({ window: { start: at(4000), end: at(4001) } }))).toHaveLength(1);
    expect(manager.stats().suppressed).toBe(1);
  });

  it('keeps the market around the window with the case', () => {
    const manager = new CaseManager({
      recorder: new MarketContextRecorder(),
      contextPaddingUs: 10_000_000,
      contextBars: 4,
    });
    for (let i = 0; i < 20; i++) manager.onEvent(aTrade({ ts: at(i - 8), price: 100 + i, qty: 1 }));
    manager.onEvent(aTrade({ ts: at(500), price: 999, qty: 1 }));
    const [draft] = manager.onSignal(aSignal());
    const bars = draft?.context?.bars ?? [];
    expect(bars.length).toBeGreaterThan(1);
    expect(bars.reduce((n, b) => n + b.trades, 0)).toBe(20);
    expect(Math.max(...bars.map((b) => b.high))).toBe(119);
  });

  it('cases market-wide signals under the market owner and never links them', () => {
    const manager = new CaseManager();
    manager.onSignal(aSignal({ typology: 'pump_and_dump', accounts: [], owners: [] }));
    const drafts = manager.onSignal(aSignal({ typology: 'anomaly', accounts: [], owners: [] }));
    expect(drafts).toHaveLength(1);
    expect(drafts[0]?.owner).toBe(MARKET_OWNER);
    expect(drafts[0]?.links).toEqual([]);
  });

  it('continues identically after snapshot and restore', () => {
    const signals = Array.from({ length: 12 }, (_, i) =>
      aSignal({
        typology: i % 3 === 0 ? 'wash_trading' : 'spoofing',
        owners: [`owner-${i % 2}`],
        window: { start: at(i * 200), end: at(i * 200 + 5) },
        emittedAt: at(i * 200 + 5),
      }),
    );
    const whole = new CaseManager();
    const expected = signals.map((s) => whole.onSignal(s));
    const part = new CaseManager();
    const got = signals.slice(0, 6).map((s) => part.onSignal(s));
    const resumed = new CaseManager();
    resumed.restore(JSON.parse(JSON.stringify(part.snapshot())));
    for (const s of signals.slice(6)) got.push(resumed.onSignal(s));
    expect(got).toEqual(expected);
  });
});
