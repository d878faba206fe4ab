import type { Signal } from '../src/core/signal';
import { createEngine } from '../src/engine/engine';
import { layering } from '../src/rules/layering';
import { spoofing } from '../src/rules/spoofing';
import { Simulator } from '../src/simulator/simulator';

const scenario = process.argv[2] ?? 'spoofing';
const seeds = Number(process.argv[3] ?? 10);
const minutes = Number(process.argv[4] ?? 2);
let tp = 0,
  fn = 0,
  fp = 0;
const delays: number[] = [];
let fpNormal = 0;
let instHours = 0;
for (let seed = 1; seed <= seeds; seed++) {
  const sim = new Simulator({ seed });
  const engine = createEngine({ detectors: [spoofing(), layering()] });
  sim.attach(engine);
  const signals: Signal[] = [];
  engine.onSignal((s) => signals.push(s));
  sim.run({ forSeconds: 30 });
  const ep = scenario === 'normal' ? undefined : sim.inject(scenario as never, {});
  sim.run({ forSeconds: minutes * 60 });
  engine.flush();
  instHours += (sim.instruments.length * (minutes * 60 + 30)) / 3600;
  let hit = false;
  for (const s of signals) {
    const match =
      ep &&
      s.typology === ep.typology &&
      s.instrument === ep.instrument &&
      s.accounts.some((a) => ep.accounts.includes(a));
    if (match) {
      if (!hit) delays.push((s.emittedAt - ep.startTs) / 1e6);
      hit = true;
      tp++;
    } else {
      fp++;
      if (!ep || !s.accounts.some((a) => ep.accounts.includes(a))) fpNormal++;
      console.log('FP', seed, s.detector, s.instrument, s.accounts.join(','), s.explanation);
    }
  }
  if (ep && !hit) {
    fn++;
    console.log('MISS', seed, ep.instrument, ep.accounts);
  }
}
delays.sort((a, b) => a - b);
console.log({
  scenario,
  tp,
  fn,
  fp,
  fpNormalPerInstHour: fpNormal / instHours,
  medianDelay: delays[Math.floor(delays.length / 2)],
});
