/**
 * A notebook-style script: a custom detector over a recorded JSONL file.
 *
 *   npx tsx examples/scripts/custom-detector.ts examples/data/sample.jsonl
 */
import { createEngine, type Detector, replayJsonl } from 'tapewatch';

const file = process.argv[2] ?? 'examples/data/sample.jsonl';

/** Flags single trades of at least 3 units: a toy detector to show the contract. */
const bigPrints: Detector = {
  id: 'big-prints',
  version: '1',
  onEvent(e, ctx) {
    if (e.kind !== 'trade' || e.qty < 3) return;
    ctx.emit({
      typology: 'big_print',
      venue: e.venue,
      instrument: e.instrument,
      accounts: [e.buyAccount, e.sellAccount].filter((a): a is string => a !== undefined),
      window: { start: e.ts, end: e.ts },
      score: 0.5,
      severity: 'low',
      metrics: { qty: e.qty, price: e.price },
      evidence: [],
      explanation: `A ${e.qty} lot printed at ${e.price} on ${e.instrument}.`,
    });
  },
  reset() {},
};

const engine = createEngine({ detectors: [bigPrints] });
engine.onSignal((s) => console.log(s.explanation));
const summary = await replayJsonl(file, (e) => engine.process(e));
engine.flush();
console.log(`${summary.accepted} events, ${summary.rejected} rejected, ${engine.stats().signals} signals`);
