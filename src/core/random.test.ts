import { describe, expect, it } from 'vitest';
import { SeededRandom } from './random';

describe('SeededRandom', () => {
  it('repeats the same stream for the same seed and differs for another', () => {
    const a = new SeededRandom(7);
    const b = new SeededRandom(7);
    const c = new SeededRandom(8);
    const xs = Array.from({ length: 5 }, () => a.nextUint32());
    expect(Array.from({ length: 5 }, () => b.nextUint32())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c.nextUint32())).not.toEqual(xs);
  });

  it('has the moments of the distributions it claims', () => {
    const rng = new SeededRandom(1);
    const n = 200_000;
    let sum = 0;
    let sumSq = 0;
    let expSum = 0;
    let poissonSum = 0;
    for (let i = 0; i < n; i++) {
      const z = rng.normal();
      sum += z;
      sumSq += z * z;
      expSum += rng.exponential(4);
      poissonSum += rng.poisson(3);
    }
    expect(sum / n).toBeCloseTo(0, 1);
    expect(sumSq / n).toBeCloseTo(1, 1);
    expect(expSum / n).toBeCloseTo(0.25, 2);
    expect(poissonSum / n).toBeCloseTo(3, 1);
  });

  it('restores a saved state', () => {
    const rng = new SeededRandom(3);
    rng.next();
    const state = rng.state();
    const next = rng.next();
    rng.setState(state);
    expect(rng.next()).toBe(next);
  });
});
