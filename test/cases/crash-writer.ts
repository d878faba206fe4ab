/**
 * Child process of crash.test.ts: writes batches of cases as fast as it can and prints
 * `committed N` after each batch's transaction returns, until it is killed.
 * Usage: crash-writer.ts sqlite FILE | crash-writer.ts postgres URL SCHEMA
 */
import type { CaseStore } from '../../src/cases/store/case-store';
import { PostgresCaseStore } from '../../src/cases/store/postgres-store';
import { SqliteCaseStore } from '../../src/cases/store/sqlite-store';
import { applyAction } from '../../src/cases/workflow';
import { aSignal, at } from '../stubs';
import { draftOf } from './drafts';

const BATCH = 20;

async function main(): Promise<void> {
  const [kind, target, schema] = process.argv.slice(2);
  if (target === undefined) throw new Error('usage: crash-writer.ts sqlite FILE | postgres URL SCHEMA');
  const store: CaseStore =
    kind === 'sqlite'
      ? new SqliteCaseStore(target)
      : new PostgresCaseStore({ connectionString: target, schema: schema ?? 'tapewatch', maxConnections: 2 });
  await store.init();
  for (let batch = 0; ; batch++) {
    const drafts = [];
    for (let j = 0; j < BATCH; j++) {
      const start = at(batch * 100 + j);
      const signal = aSignal({ window: { start, end: start + 1_000 }, emittedAt: start + 1_000 });
      drafts.push(draftOf(`crash_${batch}_${j}`, [signal, aSignal({ window: { start, end: start + 5 } })]));
    }
    await store.upsert(drafts);
    if (batch > 0) {
      // An analyst write on the previous batch's first case, committed before we report it.
      const previous = await store.get(`crash_${batch - 1}_0`);
      if (previous !== undefined) {
        await store.update(
          applyAction(previous, { type: 'triage' }, { actor: 'ana', at: batch }),
          previous.version,
        );
      }
    }
    process.stdout.write(`committed ${batch}\n`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
