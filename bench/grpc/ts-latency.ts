/**
 * Client process: ingests at a fixed rate and times event → signal for probe trades,
 * client-side: from just before the batch carrying the probe is sent to the moment the
 * probe's signal arrives on a SubscribeSignals stream.
 */
import type { MarketEvent } from '../../src/core/events';
import { connect } from '../../src/grpc/client';
import { SyntheticMarket } from '../synthetic';

const [target, rateText, secondsText] = process.argv.slice(2) as [string, string, string];
const rate = Number(rateText);
const durationS = Number(secondsText);
const BATCH_MS = 10;
const perBatch = Math.max(1, Math.round((rate * BATCH_MS) / 1000));
const client = connect(target);
const sentAt = new Map<string, number>();
const latenciesMs: number[] = [];
const signals = client.signals({ typologies: ['latency_probe'] });
void (async () => {
  for await (const s of signals) {
    const t0 = sentAt.get(s.explanation);
    if (t0 !== undefined) latenciesMs.push(performance.now() - t0);
  }
})();
await new Promise((r) => setTimeout(r, 300));

const market = new SyntheticMarket({ instruments: 5, accounts: 200, seed: 5 });
let probeId = 0;
async function* paced(): AsyncGenerator<MarketEvent> {
  const start = performance.now();
  const batches = Math.round((durationS * 1000) / BATCH_MS);
  for (let b = 0; b < batches; b++) {
    const due = start + b * BATCH_MS;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const events = market.next(perBatch);
    const last = events[events.length - 1] as MarketEvent;
    const id = `probe-${++probeId}`;
    sentAt.set(id, performance.now());
    events.push({
      kind: 'trade',
      ts: last.ts,
      venue: last.venue,
      instrument: last.instrument,
      tradeId: id,
      price: 100,
      qty: 1,
      aggressor: 'buy',
    });
    yield* events;
  }
}
const summary = await client.ingest(paced(), {
  source: `latency-${process.pid}`,
  batchSize: perBatch + 1,
  maxInFlight: 64,
});
await new Promise((r) => setTimeout(r, 500));
await signals.return?.();
client.close();
latenciesMs.sort((a, b) => a - b);
const q = (p: number) =>
  latenciesMs[Math.min(latenciesMs.length - 1, Math.floor(p * latenciesMs.length))] ?? Number.NaN;
process.stdout.write(
  `${JSON.stringify({ probes: probeId, received: latenciesMs.length, accepted: summary.accepted, p50: q(0.5), p99: q(0.99), max: latenciesMs.at(-1) })}\n`,
);
