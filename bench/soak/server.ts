/**
 * The server process of `npm run soak`: `tapewatch serve`'s wiring with the default
 * detectors, printing a sample line `{"sample": …}` every SAMPLE_MS of wall time with its
 * RSS, heap, event-loop delay and counters. Prints `{"port": N}` once listening.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createEngineFromConfig, defaultConfig } from '../../src/config';
import { startGrpcServer } from '../../src/grpc/server';
import { TapewatchApp } from '../../src/service/app';
import { TokenAuthenticator } from '../../src/service/auth';

const sampleMs = Number(process.env.SAMPLE_MS ?? 10_000);
const app = new TapewatchApp({ engine: createEngineFromConfig(defaultConfig()) });
const server = await startGrpcServer({ app, auth: new TokenAuthenticator([]), port: 0 });
const lag = monitorEventLoopDelay({ resolution: 10 });
lag.enable();
const started = performance.now();
process.stdout.write(`${JSON.stringify({ port: server.port })}\n`);
setInterval(() => {
  const mem = process.memoryUsage();
  const s = app.status();
  process.stdout.write(
    `${JSON.stringify({
      sample: {
        seconds: (performance.now() - started) / 1000,
        events: s.events,
        signals: s.signals,
        restingOrders: s.restingOrders,
        subscriberDrops: s.subscriberDrops,
        rssMb: mem.rss / 2 ** 20,
        heapMb: mem.heapUsed / 2 ** 20,
        lagP99Ms: lag.percentile(99) / 1e6,
        lagMaxMs: lag.max / 1e6,
      },
    })}\n`,
  );
  lag.reset();
}, sampleMs).unref();
process.on('SIGTERM', () => {
  void server.close().then(() => process.exit(0));
});
