/**
 * Stylized facts of the simulator's normal trading, measured and drawn as SVG for
 * docs/SIMULATOR.md:
 *
 *   npx tsx scripts/simulator-facts.ts            # 4 simulated hours, seed 1
 *
 * Writes docs/img/sim-returns.svg (fat tails), docs/img/sim-volatility-clustering.svg,
 * docs/img/sim-book-profile.svg (spread and depth) and docs/img/sim-cancel-to-trade.svg,
 * and prints the figures the document quotes.
 */
import { writeFileSync } from 'node:fs';
import { Simulator } from '../src/simulator/simulator';

const HOURS = Number(process.env.FACT_HOURS ?? 4);
const SEED = Number(process.env.FACT_SEED ?? 1);
const SYMBOL = 'BTC-USDT';
const TICK = 0.1;
const DEPTH_LEVELS = 10;

const sim = new Simulator({ seed: SEED, dex: false });
const makers = new Set(sim.accounts.marketMakers);
const makerCancels = new Map<string, number>();
const makerTrades = new Map<string, number>();
const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
sim.onEvent((e) => {
  if ((e.kind === 'order_cancel' || e.kind === 'order_replace') && makers.has(e.account))
    bump(makerCancels, `${e.account} ${e.instrument}`);
  if (e.kind === 'trade') {
    if (e.buyAccount !== undefined && makers.has(e.buyAccount))
      bump(makerTrades, `${e.buyAccount} ${e.instrument}`);
    if (e.sellAccount !== undefined && makers.has(e.sellAccount))
      bump(makerTrades, `${e.sellAccount} ${e.instrument}`);
  }
});

const mids: number[] = [];
const spreads: number[] = [];
const bidDepth = new Array<number>(DEPTH_LEVELS).fill(0);
const askDepth = new Array<number>(DEPTH_LEVELS).fill(0);
let samples = 0;
const book = sim.book(SYMBOL);
if (book === undefined) throw new Error(`no ${SYMBOL}`);
sim.run({ forSeconds: 60 }); // let the book fill
for (let s = 0; s < HOURS * 3600; s++) {
  sim.run({ forSeconds: 1 });
  const bid = book.bestBid();
  const ask = book.bestAsk();
  if (!(bid < ask)) continue;
  mids.push((bid + ask) / 2);
  spreads.push(Math.round((ask - bid) / TICK));
  // Depth by distance from the touch in ticks, so levels line up across samples.
  for (const [price, qty] of book.levels('buy', 50)) {
    const k = Math.round((bid - price) / TICK);
    if (k < DEPTH_LEVELS) bidDepth[k] = (bidDepth[k] as number) + qty;
  }
  for (const [price, qty] of book.levels('sell', 50)) {
    const k = Math.round((price - ask) / TICK);
    if (k < DEPTH_LEVELS) askDepth[k] = (askDepth[k] as number) + qty;
  }
  samples++;
}

function logReturns(prices: readonly number[], step: number): number[] {
  const out: number[] = [];
  for (let i = step; i < prices.length; i += step)
    out.push(Math.log((prices[i] as number) / (prices[i - step] as number)));
  return out;
}
const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
function standardize(xs: readonly number[]): number[] {
  const m = mean(xs);
  const sd = Math.sqrt(mean(xs.map((x) => (x - m) ** 2)));
  return xs.map((x) => (x - m) / sd);
}
const kurtosis = (z: readonly number[]) => mean(z.map((x) => x ** 4)) - 3;
function autocorrelation(xs: readonly number[], lag: number): number {
  const m = mean(xs);
  let num = 0;
  let den = 0;
  for (let i = 0; i < xs.length; i++) {
    den += ((xs[i] as number) - m) ** 2;
    if (i >= lag) num += ((xs[i] as number) - m) * ((xs[i - lag] as number) - m);
  }
  return num / den;
}

const r5 = logReturns(mids, 5);
const z = standardize(r5);
const excessKurtosis = kurtosis(z);
const beyond4 = z.filter((x) => Math.abs(x) > 4).length / z.length;
const lags = Array.from({ length: 30 }, (_, i) => i + 1);
const acfAbs = lags.map((l) => autocorrelation(r5.map(Math.abs), l));
const acfRaw = lags.map((l) => autocorrelation(r5, l));
const ratios = [...makerCancels.entries()]
  .map(([key, cancels]) => ({ key, cancels, trades: makerTrades.get(key) ?? 0 }))
  .filter((r) => r.trades > 0)
  .map((r) => ({ ...r, ratio: r.cancels / r.trades }))
  .sort((a, b) => a.key.localeCompare(b.key));
const spreadCounts = new Map<number, number>();
for (const s of spreads) spreadCounts.set(s, (spreadCounts.get(s) ?? 0) + 1);

// ---------------------------------------------------------------------------------------
// SVG drawing: one small chart helper, no dependencies.
// ---------------------------------------------------------------------------------------
const W = 640;
const H = 360;
const PAD = { l: 60, r: 20, t: 40, b: 50 };
interface Series {
  points: [number, number][];
  color: string;
  label: string;
  kind: 'line' | 'bars' | 'dots';
}
function chart(
  title: string,
  xLabel: string,
  yLabel: string,
  series: Series[],
  opts: { logY?: boolean; hline?: number } = {},
): string {
  const xs = series.flatMap((s) => s.points.map((p) => p[0]));
  const tf = (y: number) => (opts.logY ? Math.log10(y) : y);
  const ys = series.flatMap((s) => s.points.map((p) => tf(p[1]))).filter(Number.isFinite);
  if (opts.hline !== undefined) ys.push(tf(opts.hline));
  const x0 = Math.min(...xs);
  const x1 = Math.max(...xs);
  const y0 = opts.logY ? Math.floor(Math.min(...ys)) : Math.min(0, ...ys);
  const y1 = opts.logY ? Math.ceil(Math.max(...ys)) : Math.max(...ys) * 1.05;
  const px = (x: number) => PAD.l + ((x - x0) / (x1 - x0 || 1)) * (W - PAD.l - PAD.r);
  const py = (y: number) => H - PAD.b - ((tf(y) - y0) / (y1 - y0 || 1)) * (H - PAD.t - PAD.b);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="22" text-anchor="middle" font-size="14" font-weight="bold">${title}</text>`,
    `<line x1="${PAD.l}" y1="${H - PAD.b}" x2="${W - PAD.r}" y2="${H - PAD.b}" stroke="black"/>`,
    `<line x1="${PAD.l}" y1="${PAD.t}" x2="${PAD.l}" y2="${H - PAD.b}" stroke="black"/>`,
    `<text x="${W / 2}" y="${H - 12}" text-anchor="middle">${xLabel}</text>`,
    `<text x="16" y="${H / 2}" text-anchor="middle" transform="rotate(-90 16 ${H / 2})">${yLabel}</text>`,
  ];
  for (let i = 0; i <= 4; i++) {
    const v = y0 + ((y1 - y0) * i) / 4;
    const y = H - PAD.b - ((v - y0) / (y1 - y0 || 1)) * (H - PAD.t - PAD.b);
    const label = opts.logY ? `1e${v.toFixed(0)}` : Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(2);
    parts.push(
      `<line x1="${PAD.l - 4}" y1="${y}" x2="${PAD.l}" y2="${y}" stroke="black"/><text x="${PAD.l - 6}" y="${y + 4}" text-anchor="end">${label}</text>`,
    );
  }
  for (let i = 0; i <= 4; i++) {
    const v = x0 + ((x1 - x0) * i) / 4;
    parts.push(
      `<text x="${px(v)}" y="${H - PAD.b + 16}" text-anchor="middle">${Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(1)}</text>`,
    );
  }
  if (opts.hline !== undefined) {
    parts.push(
      `<line x1="${PAD.l}" y1="${py(opts.hline)}" x2="${W - PAD.r}" y2="${py(opts.hline)}" stroke="#999" stroke-dasharray="4 3"/>`,
    );
  }
  series.forEach((s, si) => {
    const pts = s.points.filter((p) => Number.isFinite(tf(p[1])));
    if (s.kind === 'line') {
      parts.push(
        `<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${pts.map((p) => `${px(p[0]).toFixed(1)},${py(p[1]).toFixed(1)}`).join(' ')}"/>`,
      );
    } else if (s.kind === 'dots') {
      for (const p of pts)
        parts.push(
          `<circle cx="${px(p[0]).toFixed(1)}" cy="${py(p[1]).toFixed(1)}" r="3" fill="${s.color}"/>`,
        );
    } else {
      const barW = Math.max(2, ((W - PAD.l - PAD.r) / (pts.length * series.length + 1)) * 0.8);
      for (const p of pts) {
        const x = px(p[0]) + (si - (series.length - 1) / 2) * barW;
        parts.push(
          `<rect x="${(x - barW / 2).toFixed(1)}" y="${py(p[1]).toFixed(1)}" width="${barW.toFixed(1)}" height="${(H - PAD.b - py(p[1])).toFixed(1)}" fill="${s.color}"/>`,
        );
      }
    }
    parts.push(
      `<rect x="${W - PAD.r - 200}" y="${PAD.t + si * 18}" width="12" height="12" fill="${s.color}"/><text x="${W - PAD.r - 182}" y="${PAD.t + si * 18 + 10}">${s.label}</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

// Histogram of standardized returns against the standard normal density.
const binW = 0.5;
const bins = new Map<number, number>();
for (const x of z) {
  const b = Math.round(x / binW) * binW;
  if (Math.abs(b) <= 8) bins.set(b, (bins.get(b) ?? 0) + 1);
}
const hist: [number, number][] = [...bins.entries()]
  .sort((a, b) => a[0] - b[0])
  .map(([b, c]) => [b, c / (z.length * binW)]);
// The normal density is drawn only where one observation could show up at all.
const floorDensity = 1 / (z.length * binW) / 10;
const normal: [number, number][] = hist
  .map(([b]): [number, number] => [b, Math.exp((-b * b) / 2) / Math.sqrt(2 * Math.PI)])
  .filter(([, d]) => d >= floorDensity);
writeFileSync(
  'docs/img/sim-returns.svg',
  chart(
    `${SYMBOL} 5-s mid returns (standardized)`,
    'return / standard deviation',
    'density (log scale)',
    [
      { points: hist, color: '#1f77b4', label: 'simulated', kind: 'dots' },
      { points: normal, color: '#d62728', label: 'standard normal', kind: 'line' },
    ],
    { logY: true },
  ),
);
writeFileSync(
  'docs/img/sim-volatility-clustering.svg',
  chart(
    `${SYMBOL} autocorrelation of 5-s returns`,
    'lag (5-s steps)',
    'autocorrelation',
    [
      {
        points: lags.map((l, i) => [l, acfAbs[i] as number]),
        color: '#1f77b4',
        label: '|return|',
        kind: 'line',
      },
      {
        points: lags.map((l, i) => [l, acfRaw[i] as number]),
        color: '#d62728',
        label: 'return',
        kind: 'line',
      },
    ],
    { hline: 0 },
  ),
);
writeFileSync(
  'docs/img/sim-book-profile.svg',
  chart(
    `${SYMBOL} mean depth by distance from the touch`,
    'ticks behind the best price',
    'mean quantity (BTC)',
    [
      { points: bidDepth.map((d, k) => [k, d / samples]), color: '#2ca02c', label: 'bid side', kind: 'bars' },
      { points: askDepth.map((d, k) => [k, d / samples]), color: '#d62728', label: 'ask side', kind: 'bars' },
    ],
  ),
);
writeFileSync(
  'docs/img/sim-cancel-to-trade.svg',
  chart(
    'Market makers: cancels + replaces per trade',
    'market-maker account × instrument (index)',
    'cancel-to-trade ratio (log scale)',
    [
      {
        points: ratios.map((r, i) => [i, r.ratio]),
        color: '#9467bd',
        label: 'one maker on one instrument',
        kind: 'bars',
      },
    ],
    { logY: true, hline: 10 },
  ),
);

const spreadShare = [...spreadCounts.entries()]
  .sort((a, b) => a[0] - b[0])
  .slice(0, 6)
  .map(([s, c]) => `${s} tick${s === 1 ? '' : 's'} ${((c / spreads.length) * 100).toFixed(0)} %`);
const medianRatio = ratios.map((r) => r.ratio).sort((a, b) => a - b)[ratios.length >> 1] as number;
console.log(
  JSON.stringify(
    {
      seed: SEED,
      hours: HOURS,
      events: sim.eventsEmitted,
      returns5s: r5.length,
      excessKurtosis: Number(excessKurtosis.toFixed(2)),
      shareBeyond4Sd: Number(beyond4.toFixed(4)),
      acfAbsLag1: Number((acfAbs[0] as number).toFixed(3)),
      acfAbsLag10: Number((acfAbs[9] as number).toFixed(3)),
      acfRawLag1: Number((acfRaw[0] as number).toFixed(3)),
      spread: spreadShare,
      minMakerCancelToTrade: Number(Math.min(...ratios.map((r) => r.ratio)).toFixed(1)),
      medianMakerCancelToTrade: Number(medianRatio.toFixed(1)),
    },
    null,
    1,
  ),
);
