import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { MarketEvent } from '../../src/core/events';
import type { Signal } from '../../src/core/signal';
import { createEngine } from '../../src/engine/engine';
import { PartitionedEngine, PartitionWorkerError } from '../../src/scale/partitioned-engine';
import { createDetectors } from './detectors';
import { scaleStream } from './events';

const DETECTORS = fileURLToPath(new URL('./detectors.ts', import.meta.url));
const byId = (a: Signal, b: Signal) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

function singleEngine(events: readonly MarketEvent[]) {
  const engine = createEngine({ detectors: createDetectors(), latenessUs: 50_000 });
  const signals: Signal[] = [];
  engine.onSignal((s) => signals.push(s));
  engine.processBatch(events);
  engine.flush();
  return { signals, stats: engine.stats() };
}

async function threaded(workers: number, events: readonly MarketEvent[], chunk: number) {
  const engine = await PartitionedEngine.start({
    workers,
    detectors: { kind: 'module', module: DETECTORS },
    latenessUs: 50_000,
    roundOps: 1_000,
  });
  const signals: Signal[] = [];
  engine.onSignal((s) => signals.push(s));
  try {
    for (let i = 0; i < events.length; i += chunk) {
      engine.processBatch(events.slice(i, i + chunk));
      await engine.pace(2);
    }
    engine.flush();
    await engine.drain();
    return { signals, stats: engine.stats() };
  } finally {
    await engine.close();
  }
}

describe('PartitionedEngine (worker_threads)', () => {
  const events = scaleStream(6_000, 21, 9, 0.02);
  const one = singleEngine(events);

  it.each([1, 2, 4])('with %i worker(s) emits exactly the single engine signals', async (workers) => {
    const many = await threaded(workers, events, 700);
    expect(one.signals.length).toBeGreaterThan(20);
    expect([...many.signals].sort(byId)).toEqual([...one.signals].sort(byId));
    expect(many.stats.events).toBe(one.stats.events);
    expect(many.stats.lateEvents).toBe(one.stats.lateEvents);
    expect(many.stats.signals).toBe(one.stats.signals);
    expect(many.stats.watermark).toBe(one.stats.watermark);
  });

  it('delivers signals in the same order on every run', async () => {
    const first = await threaded(3, events, 500);
    const second = await threaded(3, events, 1_300);
    expect(second.signals.map((s) => s.id)).toEqual(first.signals.map((s) => s.id));
  });

  it('refuses to start when a detector state spans instruments', async () => {
    await expect(
      PartitionedEngine.start({
        workers: 2,
        detectors: { kind: 'module', module: DETECTORS, exportName: 'createSpanningDetectors' },
      }),
    ).rejects.toThrow(PartitionWorkerError);
    await expect(
      PartitionedEngine.start({
        workers: 2,
        detectors: { kind: 'module', module: DETECTORS, exportName: 'createSpanningDetectors' },
      }),
    ).rejects.toThrow(/cross-instrument/);
  });
});
