/**
 * The feed process of `npm run soak`: synthetic market activity at RATE events per second
 * of event time, sent over gRPC with the TS SDK and paced to RATE events per wall second,
 * for SECONDS seconds. Prints `{"sent": N, "seconds": S}` at the end.
 */

import type { MarketEvent } from '../../src/core/events';
import { connect } from '../../src/grpc/client';
import { SyntheticMarket } from '../synthetic';

const [target, rateText, secondsText] = process.argv.slice(2) as [string, string, string];
const rate = Number(rateText);
const seconds = Number(secondsText);
const total = rate * seconds;
const batch = 2_000;
// Event time starts now, so the server's clock bound sees a live feed.
const market = new SyntheticMarket({
  instruments: 20,
  accounts: 500,
  seed: 5,
  meanGapUs: 1e6 / rate,
  startTs: Date.now() * 1000,
});
const client = connect(target);
const started = performance.now();

async function* paced(): AsyncGenerator<MarketEvent> {
  let sent = 0;
  while (sent < total) {
    const due = started + (sent / rate) * 1000;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const events = market.next(Math.min(batch, total - sent));
    for (const e of events) yield e;
    sent += events.length;
  }
}

const summary = await client.ingest(paced(), { source: 'soak', batchSize: batch, maxInFlight: 8 });
client.close();
process.stdout.write(
  `${JSON.stringify({ sent: summary.accepted, seconds: (performance.now() - started) / 1000 })}\n`,
);
