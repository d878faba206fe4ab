import { createEngine } from '../src/engine/engine';
import { layering } from '../src/rules/layering';
import { spoofing } from '../src/rules/spoofing';
import { Simulator } from '../src/simulator/simulator';

const seed = Number(process.argv[2] ?? 7);
const sim = new Simulator({ seed });
const engine = createEngine({ detectors: [spoofing(), layering()] });
sim.attach(engine);
sim.run({ forSeconds: 30 });
const ep = sim.inject('spoofing', {});
const acct = ep.accounts[0];
sim.onEvent((e, label) => {
  if (!label) return;
  const b = engine.book(e.venue, e.instrument)!;
  const t = ((e.ts - ep.startTs) / 1e6).toFixed(3);
  if (e.kind === 'order_new')
    console.log(
      t,
      'NEW',
      e.orderId,
      e.side,
      e.price,
      e.qty,
      e.type,
      'bid',
      b.bestBid(),
      'ask',
      b.bestAsk(),
      'idx',
      b.sideOf(e.side).levelIndexOf(e.price),
    );
  else if (e.kind === 'trade')
    console.log(t, 'TRADE', e.price, e.qty, e.aggressor, e.buyAccount, e.sellAccount);
  else console.log(t, e.kind, (e as any).orderId);
});
engine.onSignal((s) =>
  console.log('SIGNAL', ((s.emittedAt - ep.startTs) / 1e6).toFixed(3), s.detector, s.explanation),
);
sim.run({ forSeconds: 20 });
