/**
 * The server side of the gRPC benchmarks: `tapewatch serve`'s wiring (default detectors)
 * plus a probe detector that emits a signal for every trade whose id starts with
 * `probe-`, so clients can time event → signal. Prints `{"port": N}` once listening.
 */

import { defaultConfig, detectorsFromConfig } from '../../src/config';
import { eventRef } from '../../src/core/events';
import type { Detector } from '../../src/engine/detector';
import { createEngine } from '../../src/engine/engine';
import { startGrpcServer } from '../../src/grpc/server';
import { TapewatchApp } from '../../src/service/app';
import { TokenAuthenticator } from '../../src/service/auth';

const probe: Detector = {
  id: 'latency-probe',
  version: '1',
  onEvent(e, ctx) {
    if (e.kind !== 'trade' || !e.tradeId.startsWith('probe-')) return;
    ctx.emit({
      typology: 'latency_probe',
      venue: e.venue,
      instrument: e.instrument,
      accounts: [e.tradeId],
      window: { start: e.ts, end: e.ts },
      score: 1,
      severity: 'low',
      metrics: {},
      evidence: [eventRef(e)],
      explanation: e.tradeId,
    });
  },
  reset() {},
};

const config = defaultConfig();
const engine = createEngine({ detectors: [...detectorsFromConfig(config), probe] });
const app = new TapewatchApp({ engine });
const server = await startGrpcServer({ app, auth: new TokenAuthenticator([]), port: 0 });
process.stdout.write(`${JSON.stringify({ port: server.port, detectors: engine.detectors.length })}\n`);
process.on('SIGTERM', () => {
  void server.close().then(() => process.exit(0));
});
