/** Client process: ingests N synthetic events over gRPC with the TS SDK and prints events/s. */
import { connect } from '../../src/grpc/client';
import { syntheticEvents } from '../synthetic';

const [target, nText] = process.argv.slice(2) as [string, string];
const n = Number(nText);
const events = syntheticEvents({ events: n, instruments: 5, accounts: 200, seed: 11 });
const client = connect(target);
const started = performance.now();
const summary = await client.ingest(events, {
  source: `ts-bench-${process.pid}`,
  batchSize: Number(process.argv[4] ?? 4000),
  maxInFlight: Number(process.argv[5] ?? 4),
});
const seconds = (performance.now() - started) / 1000;
client.close();
process.stdout.write(
  `${JSON.stringify({ events: n, accepted: summary.accepted, seconds, eventsPerSecond: n / seconds })}\n`,
);
