/**
 * The contract every CaseStore keeps, as one suite run against each implementation.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { CaseNotFoundError, ConflictError, InvalidCaseActionError } from '../../src/cases/errors';
import type { CaseStore } from '../../src/cases/store/case-store';
import type { CaseDraft } from '../../src/cases/types';
import { applyAction } from '../../src/cases/workflow';
import { aSignal, at, resetIds } from '../stubs';
import { draftOf } from './drafts';

export { draftOf };

const analyst = (t: number, note?: string) =>
  note === undefined ? { actor: 'ana', at: t } : { actor: 'ana', at: t, note };

/**
 * Registers the contract suite. `open` makes a fresh, initialised, empty store; `cleanup`
 * runs after each test.
 */
export function caseStoreContract(name: string, open: () => Promise<CaseStore>): void {
  describe(`${name} case store contract`, () => {
    let store: CaseStore;

    beforeEach(async () => {
      resetIds();
      store = await open();
      return async () => {
        await store.close();
      };
    });

    it('creates a case at version 1 and reads back exactly what upsert returned', async () => {
      const [result] = await store.upsert([draftOf('case_a', [aSignal()])]);
      expect(result?.created).toBe(true);
      expect(result?.case.version).toBe(1);
      expect(result?.case.state).toBe('open');
      expect(result?.case.audit.map((e) => e.action)).toEqual(['create', 'ingest_signal']);
      expect(await store.get('case_a')).toEqual(result?.case);
      expect(await store.get('case_missing')).toBeUndefined();
    });

    it('is idempotent: the same drafts twice leave one unchanged case', async () => {
      const drafts = [draftOf('case_a', [aSignal()]), draftOf('case_b', [aSignal({ owners: ['owner-2'] })])];
      await store.upsert(drafts);
      const again = await store.upsert(drafts);
      expect(again.map((r) => [r.created, r.changed])).toEqual([
        [false, false],
        [false, false],
      ]);
      const page = await store.query();
      expect(page.total).toBe(2);
      expect(page.cases.map((c) => c.version)).toEqual([1, 1]);
    });

    it('merges new signals into an existing case, in one batch or across batches', async () => {
      const s1 = aSignal();
      const s2 = aSignal({ window: { start: at(10), end: at(12) }, emittedAt: at(12) });
      const s3 = aSignal({ window: { start: at(20), end: at(21) }, emittedAt: at(21) });
      const results = await store.upsert([draftOf('case_a', [s1]), draftOf('case_a', [s2])]);
      expect(results.map((r) => r.case.version)).toEqual([1, 2]);
      await store.upsert([draftOf('case_a', [s3])]);
      const c = await store.get('case_a');
      expect(c?.version).toBe(3);
      expect(c?.signals.map((s) => s.id)).toEqual([s1.id, s2.id, s3.id]);
      expect(c?.window).toEqual({ start: s1.window.start, end: s3.window.end });
      expect(c?.evidence).toHaveLength(3);
    });

    it('keeps the analysts’ work when the engine adds signals later', async () => {
      await store.upsert([draftOf('case_a', [aSignal()])]);
      const read = await store.get('case_a');
      if (read === undefined) throw new Error('case_a missing');
      const triaged = await store.update(applyAction(read, { type: 'triage' }, analyst(5)), read.version);
      await store.upsert([draftOf('case_a', [aSignal({ window: { start: at(3), end: at(4) } })])]);
      const c = await store.get('case_a');
      expect(c?.state).toBe('triage');
      expect(c?.version).toBe(triaged.version + 1);
      expect(c?.audit.map((e) => e.action)).toEqual(['create', 'ingest_signal', 'triage', 'ingest_signal']);
    });

    it('never re-attaches a signal an analyst detached when the stream is replayed', async () => {
      const s1 = aSignal();
      const s2 = aSignal({ window: { start: at(5), end: at(6) } });
      const drafts = [draftOf('case_a', [s1, s2])];
      await store.upsert(drafts);
      const read = await store.get('case_a');
      if (read === undefined) throw new Error('case_a missing');
      await store.update(
        applyAction(read, { type: 'detach_signal', signalId: s2.id }, analyst(9)),
        read.version,
      );
      const [replayed] = await store.upsert(drafts);
      expect(replayed?.changed).toBe(false);
      expect((await store.get('case_a'))?.signals.map((s) => s.id)).toEqual([s1.id]);
    });

    it('writes an analyst change only on the version it was read at', async () => {
      await store.upsert([draftOf('case_a', [aSignal()])]);
      const read = await store.get('case_a');
      if (read === undefined) throw new Error('case_a missing');
      const written = await store.update(
        applyAction(read, { type: 'assign', assignee: 'bo' }, analyst(1)),
        1,
      );
      expect(written.version).toBe(2);
      expect(written.assignee).toBe('bo');
      const stale = applyAction(read, { type: 'assign', assignee: 'cy' }, analyst(2));
      const error = await store.update(stale, 1).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConflictError);
      expect(error).toMatchObject({ caseId: 'case_a', expectedVersion: 1, actualVersion: 2 });
      expect((await store.get('case_a'))?.assignee).toBe('bo');
      await expect(store.update({ ...read, id: 'case_nope' }, 1)).rejects.toBeInstanceOf(CaseNotFoundError);
    });

    it('lets exactly one of two concurrent writers win and loses no update', async () => {
      await store.upsert([draftOf('case_a', [aSignal()])]);
      const [readA, readB] = await Promise.all([store.get('case_a'), store.get('case_a')]);
      if (readA === undefined || readB === undefined) throw new Error('case_a missing');
      const outcomes = await Promise.allSettled([
        store.update(applyAction(readA, { type: 'comment' }, analyst(1, 'writer A')), readA.version),
        store.update(applyAction(readB, { type: 'comment' }, analyst(2, 'writer B')), readB.version),
      ]);
      const rejected = outcomes.filter((o) => o.status === 'rejected');
      expect(rejected).toHaveLength(1);
      expect((rejected[0] as PromiseRejectedResult).reason).toBeInstanceOf(ConflictError);
      // The loser re-reads and retries: both comments survive.
      const loserNote = outcomes[0]?.status === 'rejected' ? 'writer A' : 'writer B';
      const fresh = await store.get('case_a');
      if (fresh === undefined) throw new Error('case_a missing');
      await store.update(applyAction(fresh, { type: 'comment' }, analyst(3, loserNote)), fresh.version);
      const notes = (await store.get('case_a'))?.audit
        .filter((e) => e.action === 'comment')
        .map((e) => e.note);
      expect(notes?.sort()).toEqual(['writer A', 'writer B']);
    });

    it('refuses a write that rewrites the audit trail', async () => {
      await store.upsert([draftOf('case_a', [aSignal()])]);
      const read = await store.get('case_a');
      if (read === undefined) throw new Error('case_a missing');
      const forged = { ...read, audit: read.audit.map((e, i) => (i === 0 ? { ...e, note: 'forged' } : e)) };
      await expect(store.update(forged, read.version)).rejects.toBeInstanceOf(InvalidCaseActionError);
      expect((await store.get('case_a'))?.audit[0]?.note).toBe(read.audit[0]?.note);
    });

    it('filters by state, typology, instrument, owner, assignee, score and time, and pages', async () => {
      const drafts: CaseDraft[] = [];
      for (let i = 0; i < 7; i++) {
        const s = aSignal({
          typology: i % 2 === 0 ? 'spoofing' : 'wash_trading',
          instrument: i < 4 ? 'BTC-USDT' : 'ETH-USDT',
          owners: [`owner-${i % 3}`],
          score: i / 10,
          severity: 'low',
          window: { start: at(i * 100), end: at(i * 100 + 10) },
          emittedAt: at(i * 100 + 10),
        });
        drafts.push(draftOf(`case_${i}`, [s]));
      }
      await store.upsert(drafts);
      const c2 = await store.get('case_2');
      if (c2 === undefined) throw new Error('case_2 missing');
      const triaged = applyAction(c2, { type: 'triage' }, analyst(1));
      await store.update(applyAction(triaged, { type: 'assign', assignee: 'bo' }, analyst(2)), c2.version);

      const ids = async (q: Parameters<CaseStore['query']>[0]) =>
        (await store.query(q)).cases.map((c) => c.id);
      expect(await ids({})).toEqual(['case_6', 'case_5', 'case_4', 'case_3', 'case_2', 'case_1', 'case_0']);
      expect(await ids({ state: 'triage' })).toEqual(['case_2']);
      expect(await ids({ state: ['open', 'triage'], typology: 'wash_trading' })).toEqual([
        'case_5',
        'case_3',
        'case_1',
      ]);
      expect(await ids({ instrument: 'ETH-USDT' })).toEqual(['case_6', 'case_5', 'case_4']);
      expect(await ids({ owner: 'owner-0' })).toEqual(['case_6', 'case_3', 'case_0']);
      expect(await ids({ assignee: 'bo' })).toEqual(['case_2']);
      const minScore = (await store.get('case_4'))?.score ?? 1;
      expect(await ids({ minScore, order: 'score' })).toEqual(['case_6', 'case_5', 'case_4']);
      expect(await ids({ from: at(205), to: at(400) })).toEqual(['case_4', 'case_3', 'case_2']);
      const first = await store.query({ limit: 3 });
      expect(first.total).toBe(7);
      expect(first.nextOffset).toBe(3);
      const last = await store.query({ limit: 3, offset: 6 });
      expect(last.cases.map((c) => c.id)).toEqual(['case_0']);
      expect(last.nextOffset).toBeUndefined();
      await expect(store.query({ limit: 0 })).rejects.toThrow(/'limit'/);
    });

    it('keeps suppressions and lists those in force at a time', async () => {
      await store.addSuppression({
        owner: 'o1',
        typology: 'spoofing',
        until: 100,
        caseId: 'c1',
        actor: 'ana',
        at: 1,
      });
      await store.addSuppression({
        owner: 'o2',
        typology: 'wash_trading',
        until: 50,
        caseId: 'c2',
        actor: 'bo',
        at: 2,
      });
      expect((await store.suppressions()).map((s) => s.caseId)).toEqual(['c1', 'c2']);
      expect(await store.suppressions(60)).toEqual([
        { owner: 'o1', typology: 'spoofing', until: 100, caseId: 'c1', actor: 'ana', at: 1 },
      ]);
    });
  });
}
