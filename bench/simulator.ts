/**
 * Simulator throughput: normal trading on the five default order-book instruments (no
 * DEX pool, no quotes), as fast as possible on one core. Each run builds a fresh
 * simulator and runs 15 simulated minutes; a listener counts every event and sums its
 * timestamps so none can be optimised away. The rate is events per CPU-second of the
 * (single-threaded) process, so other load on the machine does not count against it; the
 * wall-clock rate is in the notes. Reference: the same runs with an engine
 * attached (no detectors), i.e. simulation plus book mirroring.
 */
import type { MarketEvent } from '../src/core/events';
import { createEngine } from '../src/engine/engine';
import { Simulator } from '../src/simulator/simulator';
import { emit, median } from './lib/result';

const SIM_SECONDS = 900;
const RUNS = 5;

let checksum = 0;
/**
 * Events per CPU-second of this process (user + system time), and per wall second. On the
 * shared VM the wall figure mostly measures the other tenants; CPU time is what one core
 * spent on the simulation.
 */
function run(withEngine: boolean): { rate: number; wallRate: number; events: number } {
  const sim = new Simulator({ seed: 42, dex: false });
  let events = 0;
  sim.onEvent((e: MarketEvent) => {
    events++;
    checksum += e.ts & 1;
  });
  if (withEngine) sim.attach(createEngine());
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  sim.run({ forSeconds: SIM_SECONDS });
  const cpu = process.cpuUsage(cpu0);
  const ms = performance.now() - t0;
  return { rate: events / ((cpu.user + cpu.system) / 1e6), wallRate: events / (ms / 1000), events };
}

run(false);
const alone: number[] = [];
const aloneWall: number[] = [];
let eventsPerRun = 0;
for (let i = 0; i < RUNS; i++) {
  const r = run(false);
  alone.push(r.rate);
  aloneWall.push(r.wallRate);
  eventsPerRun = r.events;
}
run(true);
const withEngine: number[] = [];
for (let i = 0; i < RUNS; i++) withEngine.push(run(true).rate);

emit({
  bench: 'simulator',
  command: 'node --import tsx bench/simulator.ts',
  metrics: [
    {
      name: 'simulator: normal trading, 5 instruments, one core',
      value: median(alone),
      unit: 'events/s',
      target: { op: '>=', value: 1_000_000 },
      reference: { name: 'simulator + engine mirror books', value: median(withEngine), unit: 'events/s' },
      notes: `events per CPU-second of the process (wall-clock rate on this run: ${(median(aloneWall) / 1e6).toFixed(2)}M events/s); median of ${RUNS} runs of ${SIM_SECONDS} simulated seconds (${eventsPerRun} events each, ${(eventsPerRun / SIM_SECONDS).toFixed(0)} events per simulated second); checksum ${checksum % 10}`,
    },
  ],
});
