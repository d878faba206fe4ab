/**
 * Writes examples/data/sample.jsonl: a small synthetic market (three instruments) with a
 * few deliberately broken lines, so `npm run demo` shows both detection and rejection.
 *
 *   npx tsx scripts/make-sample.ts
 */
import { writeFileSync } from 'node:fs';
import { syntheticEvents } from '../bench/synthetic';

const events = syntheticEvents({
  events: 6000,
  instruments: 3,
  accounts: 40,
  seed: 2026,
  meanGapUs: 20_000,
  venue: 'demo-ex',
});
const lines = events.map((e) => JSON.stringify(e));
// Broken lines a real feed produces: a negative price, an unknown kind, a truncated write.
const firstOrder = lines.findIndex((l, i) => i >= 1000 && l.includes('"order_new"') && l.includes('"limit"'));
lines.splice(1000, 0, (lines[firstOrder] as string).replace(/"price":[0-9.]+/, '"price":-5'));
lines.splice(
  2500,
  0,
  '{"kind":"order_amend","ts":1700000050000000,"venue":"demo-ex","instrument":"SYN0-USDT"}',
);
lines.splice(4000, 0, '{"kind":"trade","ts":17000001');
writeFileSync('examples/data/sample.jsonl', `${lines.join('\n')}\n`);
console.log(`wrote ${lines.length} lines to examples/data/sample.jsonl`);
