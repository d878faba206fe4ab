/**
 * Memory of book state: 1M resting limit orders over 10 instruments and 1,000 accounts,
 * measured after a full GC (run with --expose-gc) as the growth of the JS heap plus the
 * array buffers outside it (the books keep orders in typed arrays).
 */
import type { MarketEvent } from '../src/core/events';
import { createEngine } from '../src/engine/engine';
import { emit } from './lib/result';

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with node --expose-gc');

const N = 1_000_000;
const engine = createEngine();
gc();
const used = () => {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};
const heapBefore = used();
const rssBefore = process.memoryUsage().rss;
const BATCH = 10_000;
let ts = 1_700_000_000_000_000;
for (let start = 0; start < N; start += BATCH) {
  // Built in batches so the input itself is garbage by the time the heap is measured.
  const batch: MarketEvent[] = [];
  for (let i = start; i < start + BATCH; i++) {
    const buy = i % 2 === 0;
    const level = 1 + ((i >> 1) % 500);
    batch.push({
      kind: 'order_new',
      ts: ts++,
      venue: 'memex',
      instrument: `MEM${i % 10}-USDT`,
      orderId: `ord-${i}`,
      account: `acct-${i % 1000}`,
      side: buy ? 'buy' : 'sell',
      price: buy ? 1000 - level * 0.01 : 1000 + level * 0.01,
      qty: 1 + (i % 7),
      type: 'limit',
    });
  }
  engine.processBatch(batch);
}
gc();
gc();
const heapAfter = used();
const rssAfter = process.memoryUsage().rss;
const resting = engine.stats().restingOrders;
if (resting !== N) throw new Error(`expected ${N} resting orders, got ${resting}`);
const mb = (heapAfter - heapBefore) / 1024 / 1024;

emit({
  bench: 'memory',
  command: 'npm run bench (bench/memory.ts, node --expose-gc)',
  metrics: [
    {
      name: 'book state for 1M resting orders (JS heap + array buffers, after GC)',
      value: mb,
      unit: 'MB',
      target: { op: '<=', value: 400 },
      notes: `${((heapAfter - heapBefore) / N).toFixed(0)} bytes per order incl. its id strings; RSS grew ${((rssAfter - rssBefore) / 1024 / 1024).toFixed(0)} MB`,
    },
  ],
});
