import { beforeEach, describe, expect, it } from 'vitest';
import { aSignal, aTrade, at, resetIds } from '../../test/stubs';
import { ConflictError, IllegalTransitionError } from '../cases/errors';
import { MemoryCaseStore } from '../cases/store/memory-store';
import type { Case } from '../cases/types';
import { createEngine } from '../engine/engine';
import { TapewatchApp } from './app';
import { CaseService } from './case-service';

describe('CaseService', () => {
  beforeEach(() => resetIds());

  it('turns the app’s signals into stored cases and publishes them', async () => {
    const cases = await CaseService.open({ store: new MemoryCaseStore(), flushDelayMs: 1 });
    const engine = createEngine({ detectors: [] });
    const app = new TapewatchApp({ engine, cases });
    const sub = cases.cases.subscribe();
    app.process([aTrade({ ts: at(0), price: 100 }), aTrade({ ts: at(1), price: 101 })]);
    cases.onSignal(aSignal());
    await cases.flush();
    const page = await cases.list();
    expect(page.total).toBe(1);
    expect(page.cases[0]?.context?.bars.length).toBeGreaterThan(0);
    const published = (await sub.next()).value as Case;
    expect(published.id).toBe(page.cases[0]?.id);
    expect(cases.stats()).toMatchObject({ upserts: 1, casesCreated: 1, pendingDrafts: 0 });
    app.close();
  });

  it('runs analysts’ actions, refusing stale versions and illegal moves', async () => {
    let now = 1_000;
    const cases = await CaseService.open({ store: new MemoryCaseStore(), clockUs: () => now++ });
    cases.onSignal(aSignal());
    await cases.flush();
    const id = (await cases.list()).cases[0]?.id as string;
    const triaged = await cases.transition(id, { type: 'triage' }, { actor: 'ana', expectedVersion: 1 });
    expect(triaged.state).toBe('triage');
    await expect(cases.assign(id, 'bo', { actor: 'cy', expectedVersion: 1 })).rejects.toBeInstanceOf(
      ConflictError,
    );
    await expect(cases.transition(id, { type: 'escalate' }, { actor: 'ana' })).rejects.toBeInstanceOf(
      IllegalTransitionError,
    );
    const commented = await cases.comment(id, 'looks like inventory management', { actor: 'ana' });
    expect(commented.audit.at(-1)).toMatchObject({
      actor: 'ana',
      action: 'comment',
      note: 'looks like inventory management',
    });
  });

  it('turns a false-positive close into a suppression the case manager honours', async () => {
    const store = new MemoryCaseStore();
    const cases = await CaseService.open({ store });
    cases.onSignal(aSignal());
    await cases.flush();
    const id = (await cases.list()).cases[0]?.id as string;
    await cases.transition(id, { type: 'triage' }, { actor: 'ana' });
    await cases.transition(
      id,
      { type: 'close', resolution: 'false_positive' },
      { actor: 'ana', note: 'market maker' },
    );
    expect(await store.suppressions()).toMatchObject([
      { owner: 'owner-1', typology: 'spoofing', caseId: id },
    ]);
    cases.onSignal(aSignal({ window: { start: at(3600), end: at(3601) }, emittedAt: at(3601) }));
    await cases.flush();
    expect((await cases.list()).total).toBe(1);
    expect(cases.stats().suppressedSignals).toBe(1);
    const reopened = await CaseService.open({ store });
    expect(reopened.suppressions.isSuppressed('owner-1', 'spoofing', at(3600))).toBe(true);
  });

  it('keeps drafts the store refused and writes them on the next flush', async () => {
    const store = new MemoryCaseStore();
    const cases = await CaseService.open({ store });
    const upsert = store.upsert.bind(store);
    let failures = 1;
    store.upsert = async (drafts) => {
      if (failures-- > 0) throw new Error('disk full');
      return upsert(drafts);
    };
    cases.onSignal(aSignal());
    await cases.flush();
    expect(cases.stats()).toMatchObject({ flushFailures: 1, pendingDrafts: 1, lastFlushError: 'disk full' });
    await cases.flush();
    expect((await cases.list()).total).toBe(1);
  });
});
