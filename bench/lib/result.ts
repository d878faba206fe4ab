/**
 * The shape every benchmark prints (one JSON object on its last stdout line) and helpers
 * to measure.
 */

export interface BenchMetric {
  /** What was measured, e.g. "order-book maintenance, no-op detector". */
  name: string;
  value: number;
  unit: string;
  /** Target, when the project sets one. */
  target?: { op: '>=' | '<='; value: number };
  /** A reference measured in the same run on the same input, for a machine-independent ratio. */
  reference?: { name: string; value: number; unit: string };
  notes?: string;
}

export interface BenchResult {
  bench: string;
  command: string;
  metrics: BenchMetric[];
}

export function meetsTarget(m: BenchMetric): boolean | undefined {
  if (m.target === undefined) return undefined;
  return m.target.op === '>=' ? m.value >= m.target.value : m.value <= m.target.value;
}

/** Runs `fn` `repeats` times after `warmups`, returning each run's milliseconds. */
export function timeRuns(fn: () => void, repeats: number, warmups = 1): number[] {
  for (let i = 0; i < warmups; i++) fn();
  const out: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    fn();
    out.push(performance.now() - t0);
  }
  return out;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** Prints the result as the last stdout line, where the runner reads it. */
export function emit(result: BenchResult): void {
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
