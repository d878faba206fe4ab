import { createEngine } from '../src/engine/engine';
import { Simulator } from '../src/simulator/simulator';

const sim = new Simulator({ seed: 7 });
const engine = createEngine({ detectors: [] });
sim.attach(engine);
for (let i = 0; i < 5; i++) {
  sim.run({ forSeconds: 20 });
  for (const s of sim.instruments) {
    const b = engine.book(sim.venue, s)!;
    const m = sim.book(s)! as any;
    console.log(
      s,
      b.bestBid(),
      b.bestAsk(),
      b.size,
      m.bestBid?.(),
      m.bestAsk?.(),
      b.asks
        .top(4)
        .map((l) => l.price + 'x' + l.qty.toFixed(2))
        .join(' '),
    );
  }
}
