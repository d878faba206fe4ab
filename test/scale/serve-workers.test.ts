import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { startServe } from '../../src/cli/commands/serve';
import type { CliIo } from '../../src/cli/io';
import { runCli } from '../../src/cli/run';
import type { Signal } from '../../src/core/signal';
import { createEngine } from '../../src/engine/engine';
import { createDetectors } from './detectors';
import { scaleStream } from './events';

const DETECTORS = fileURLToPath(new URL('./detectors.ts', import.meta.url));
const quiet: CliIo = { out: () => {}, err: () => {}, isTTY: false };
const byId = (a: Signal, b: Signal) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

describe('tapewatch serve --workers', () => {
  it('ingests through the service into worker threads and emits the single engine signals', async () => {
    const events = scaleStream(3_000, 8, 6, 0);
    const single = createEngine({ detectors: createDetectors() });
    const expected: Signal[] = [];
    single.onSignal((s) => expected.push(s));
    single.processBatch(events);

    const running = await startServe(
      { version: 'test', grpcPort: 0, httpPort: 0, workers: 2, detectorModule: DETECTORS },
      quiet,
    );
    try {
      const got: Signal[] = [];
      running.app.engine.onSignal((s) => got.push(s));
      for (let i = 0; i < events.length; i += 500) {
        const result = running.app.ingest.ingest('feed', i / 500 + 1, events.slice(i, i + 500));
        expect(result.accepted).toBe(Math.min(500, events.length - i));
      }
      await running.partitioned?.drain();
      expect(running.partitioned?.partitions).toBe(2);
      expect(expected.length).toBeGreaterThan(10);
      expect(got.sort(byId)).toEqual(expected.sort(byId));
      expect(running.app.status()).toMatchObject({ events: 3_000, signals: expected.length });
    } finally {
      await running.stop();
    }
  });

  it('rejects a worker count that is not a whole number', async () => {
    let stderr = '';
    const io: CliIo = { out: () => {}, err: (t) => (stderr += t), isTTY: false };
    expect(await runCli(['serve', '--workers', 'two'], io)).toBe(2);
    expect(stderr).toContain("--workers expects a whole number 0–4096, got 'two'");
  });
});
