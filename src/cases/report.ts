/**
 * Case files for people and regulators: Markdown and self-contained HTML (with an SVG chart
 * of the market around the case, evidence marked) and a JSON record carrying the fields of a
 * suspicious transaction and order report (STOR). Every string that came from input is
 * escaped: account names and comments are attacker-controlled.
 *
 * @module
 */
import type { EventRef } from '../core/events';
import { MARKET_OWNER } from './case-manager';
import type { Case } from './types';

/** Report formats of `tapewatch report`. */
export const REPORT_FORMATS = ['md', 'html', 'json'] as const;
/** One of {@link REPORT_FORMATS}. */
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** Who files the report (STOR section 1). */
export interface ReportingEntity {
  name: string;
  contact?: string;
}

/** Options of the renderers. */
export interface ReportOptions {
  entity?: ReportingEntity;
  /** When the report was produced, epoch µs (default: the case's last update, so output is reproducible). */
  generatedAt?: number;
}

/** ISO-8601 UTC with microseconds from epoch µs. */
export function isoUs(us: number): string {
  const ms = Math.floor(us / 1000);
  const micros = String(((us % 1000) + 1000) % 1000).padStart(3, '0');
  return new Date(ms).toISOString().replace('Z', `${micros}Z`);
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** Escapes text for Markdown (inline), so input cannot open links, tables or HTML. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>&~]/g, (ch) => `\\${ch}`).replace(/[\r\n]+/g, ' ');
}

/**
 * The STOR record: the fields of the suspicious transaction and order report template
 * (Commission Delegated Regulation (EU) 2016/957, Annex; MAR Art. 16), filled from the case.
 * See docs/CASES.md for the field mapping.
 */
export interface StorRecord {
  format: 'tapewatch.stor/1';
  caseId: string;
  caseVersion: number;
  generatedAt: string;
  /** Section 1: the person submitting the report. */
  reportingEntity: ReportingEntity;
  /** Section 2: the financial instrument and the orders/transactions. */
  instrument: { identifier: string; venue: string; kind: 'crypto-asset' };
  period: { start: string; end: string };
  ordersAndTransactions: {
    kind: string;
    id: string | null;
    timestamp: string;
    venue: string;
    account: string | null;
    side: string | null;
    price: number | null;
    quantity: number | null;
  }[];
  /** Section 3: the nature of the suspicion. */
  suspicion: {
    typology: string;
    description: string;
    indicators: {
      detector: string;
      version: string;
      severity: string;
      score: number;
      explanation: string;
      metrics: Record<string, number>;
    }[];
    score: number;
    mlScore: number | null;
    mlFeatures: { name: string; value: number }[];
  };
  /** Section 4: the persons whose orders or transactions are suspected. */
  parties: { beneficialOwner: string | null; accounts: string[] }[];
  /** Section 5: the investigation so far. */
  investigation: {
    state: string;
    resolution: string | null;
    assignee: string | null;
    priority: string;
    linkedCases: string[];
    audit: { at: string; actor: string; action: string; from: string; to: string; note: string }[];
  };
}

/** The STOR record of a case. */
export function storRecord(c: Case, options: ReportOptions = {}): StorRecord {
  const description = c.signals.map((s) => s.explanation).join(' ');
  return {
    format: 'tapewatch.stor/1',
    caseId: c.id,
    caseVersion: c.version,
    generatedAt: isoUs(options.generatedAt ?? c.updatedAt),
    reportingEntity: options.entity ?? { name: 'unspecified' },
    instrument: { identifier: c.instrument, venue: c.venue, kind: 'crypto-asset' },
    period: { start: isoUs(c.window.start), end: isoUs(c.window.end) },
    ordersAndTransactions: c.evidence.map((e) => ({
      kind: e.kind,
      id: e.id ?? null,
      timestamp: isoUs(e.ts),
      venue: e.venue,
      account: e.account ?? null,
      side: e.side ?? null,
      price: e.price ?? null,
      quantity: e.qty ?? null,
    })),
    suspicion: {
      typology: c.typology,
      description,
      indicators: c.signals.map((s) => ({
        detector: s.detector,
        version: s.version,
        severity: s.severity,
        score: s.score,
        explanation: s.explanation,
        metrics: { ...s.metrics },
      })),
      score: c.score,
      mlScore: c.mlScore ?? null,
      mlFeatures: (c.mlFeatures ?? []).map((f) => ({ ...f })),
    },
    parties: [{ beneficialOwner: c.owner === MARKET_OWNER ? null : c.owner, accounts: [...c.accounts] }],
    investigation: {
      state: c.state,
      resolution: c.resolution ?? null,
      assignee: c.assignee ?? null,
      priority: c.priority,
      linkedCases: [...c.links],
      audit: c.audit.map((e) => ({
        at: isoUs(e.at),
        actor: e.actor,
        action: e.action,
        from: e.from,
        to: e.to,
        note: e.note,
      })),
    },
  };
}

const CHART_W = 720;
const CHART_H = 260;
const PAD = 40;

/**
 * An SVG line chart of the close price of the case's context bars, the case window shaded and
 * each priced evidence event marked (orders as triangles pointing their side, trades as dots).
 * Empty string when the case has no context and no priced evidence.
 */
export function priceChartSvg(c: Case): string {
  const bars = c.context?.bars ?? [];
  const priced = c.evidence.filter((e): e is EventRef & { price: number } => typeof e.price === 'number');
  const points = bars.map((b) => ({ ts: b.ts + (c.context?.bucketUs ?? 0) / 2, price: b.close }));
  if (points.length === 0 && priced.length === 0) return '';
  let t0 = c.context?.window.start ?? c.window.start;
  let t1 = c.context?.window.end ?? c.window.end;
  let p0 = Number.POSITIVE_INFINITY;
  let p1 = Number.NEGATIVE_INFINITY;
  for (const b of bars) {
    p0 = Math.min(p0, b.low);
    p1 = Math.max(p1, b.high);
  }
  for (const e of priced) {
    p0 = Math.min(p0, e.price);
    p1 = Math.max(p1, e.price);
    t0 = Math.min(t0, e.ts);
    t1 = Math.max(t1, e.ts);
  }
  if (p1 === p0) {
    p0 -= 1;
    p1 += 1;
  }
  if (t1 === t0) t1 = t0 + 1;
  const x = (ts: number) => PAD + ((ts - t0) / (t1 - t0)) * (CHART_W - 2 * PAD);
  const y = (p: number) => CHART_H - PAD - ((p - p0) / (p1 - p0)) * (CHART_H - 2 * PAD);
  const f = (n: number) => n.toFixed(1);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${CHART_W} ${CHART_H}" width="${CHART_W}" height="${CHART_H}" role="img" aria-label="${escapeHtml(`Price of ${c.instrument} around case ${c.id}`)}">`,
    `<rect x="0" y="0" width="${CHART_W}" height="${CHART_H}" fill="#fff"/>`,
    `<rect x="${f(x(c.window.start))}" y="${PAD}" width="${f(Math.max(1, x(c.window.end) - x(c.window.start)))}" height="${CHART_H - 2 * PAD}" fill="#fde68a" opacity="0.5"><title>case window</title></rect>`,
    `<text x="${PAD}" y="${PAD - 10}" font-size="12" font-family="sans-serif">${escapeHtml(c.instrument)} — high ${escapeHtml(p1.toPrecision(6))}, low ${escapeHtml(p0.toPrecision(6))}</text>`,
  ];
  if (points.length > 1) {
    const d = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${f(x(p.ts))},${f(y(p.price))}`).join(' ');
    parts.push(`<path d="${d}" fill="none" stroke="#2563eb" stroke-width="1.5"/>`);
  } else if (points.length === 1) {
    const p = points[0] as { ts: number; price: number };
    parts.push(`<circle cx="${f(x(p.ts))}" cy="${f(y(p.price))}" r="2" fill="#2563eb"/>`);
  }
  for (const e of priced) {
    const cx = x(e.ts);
    const cy = y(e.price);
    const label = escapeHtml(
      `${e.kind} ${e.id ?? ''} ${e.side ?? ''} ${e.qty ?? ''} @ ${e.price} ${e.account ?? ''} ${isoUs(e.ts)}`.replace(
        /\s+/g,
        ' ',
      ),
    );
    if (e.kind === 'trade') {
      parts.push(`<circle cx="${f(cx)}" cy="${f(cy)}" r="4" fill="#dc2626"><title>${label}</title></circle>`);
    } else {
      const up = e.side !== 'sell';
      const tip = up ? cy - 5 : cy + 5;
      const base = up ? cy + 4 : cy - 4;
      const color = up ? '#16a34a' : '#9333ea';
      parts.push(
        `<path d="M${f(cx)},${f(tip)} L${f(cx - 4)},${f(base)} L${f(cx + 4)},${f(base)} Z" fill="${color}"><title>${label}</title></path>`,
      );
    }
  }
  parts.push(
    `<text x="${PAD}" y="${CHART_H - 12}" font-size="11" font-family="sans-serif">${escapeHtml(isoUs(t0))}</text>`,
    `<text x="${CHART_W - PAD}" y="${CHART_H - 12}" font-size="11" font-family="sans-serif" text-anchor="end">${escapeHtml(isoUs(t1))}</text>`,
    '</svg>',
  );
  return parts.join('\n');
}

/** The case file as Markdown (the chart is inlined as SVG, which most renderers show). */
export function renderMarkdown(c: Case, options: ReportOptions = {}): string {
  const m = escapeMarkdown;
  const lines: string[] = [
    `# Case ${m(c.id)}`,
    '',
    `- Typology: ${m(c.typology)}`,
    `- Instrument: ${m(c.instrument)} on ${m(c.venue)}`,
    `- Owner: ${m(c.owner)}; accounts: ${c.accounts.map(m).join(', ') || 'none'}`,
    `- State: ${m(c.state)}${c.resolution ? ` (${m(c.resolution)})` : ''}; priority ${m(c.priority)}; assignee ${m(c.assignee ?? 'none')}`,
    `- Score: ${c.score.toFixed(3)} (rule ${c.ruleScore.toFixed(3)}${c.mlScore === undefined ? '' : `, ML ${c.mlScore.toFixed(3)}`}), severity ${m(c.severity)}`,
    `- Window: ${isoUs(c.window.start)} to ${isoUs(c.window.end)}`,
    `- Reported by: ${m(options.entity?.name ?? 'unspecified')}; generated ${isoUs(options.generatedAt ?? c.updatedAt)}`,
  ];
  if (c.links.length > 0) lines.push(`- Linked cases: ${c.links.map(m).join(', ')}`);
  const svg = priceChartSvg(c);
  if (svg !== '') lines.push('', '## Market around the case', '', svg);
  lines.push('', '## Why it was flagged', '');
  for (const s of c.signals) {
    lines.push(
      `- **${m(s.detector)}@${m(s.version)}** (${m(s.severity)}, ${s.score.toFixed(2)}): ${m(s.explanation)}`,
    );
  }
  if (c.mlFeatures !== undefined && c.mlFeatures.length > 0) {
    lines.push(
      '',
      `Anomaly model features: ${c.mlFeatures.map((f) => `${m(f.name)} = ${f.value}`).join(', ')}`,
    );
  }
  lines.push(
    '',
    '## Timeline of evidence',
    '',
    '| time | event | id | account | side | price | qty |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  );
  for (const e of c.evidence) {
    lines.push(
      `| ${isoUs(e.ts)} | ${m(e.kind)} | ${m(e.id ?? '')} | ${m(e.account ?? '')} | ${m(e.side ?? '')} | ${e.price ?? ''} | ${e.qty ?? ''} |`,
    );
  }
  lines.push(
    '',
    '## Audit trail',
    '',
    '| time | actor | action | from | to | note |',
    '| --- | --- | --- | --- | --- | --- |',
  );
  for (const e of c.audit) {
    const what = e.value === undefined ? m(e.action) : `${m(e.action)} ${m(e.value)}`;
    lines.push(`| ${isoUs(e.at)} | ${m(e.actor)} | ${what} | ${m(e.from)} | ${m(e.to)} | ${m(e.note)} |`);
  }
  return `${lines.join('\n')}\n`;
}

/** The case file as one self-contained HTML page (no scripts, no external resources). */
export function renderHtml(c: Case, options: ReportOptions = {}): string {
  const h = escapeHtml;
  const row = (cells: string[]) => `<tr>${cells.map((x) => `<td>${x}</td>`).join('')}</tr>`;
  const signals = c.signals
    .map(
      (s) =>
        `<li><b>${h(s.detector)}@${h(s.version)}</b> (${h(s.severity)}, ${s.score.toFixed(2)}): ${h(s.explanation)}</li>`,
    )
    .join('\n');
  const evidence = c.evidence
    .map((e) =>
      row([
        isoUs(e.ts),
        h(e.kind),
        h(e.id ?? ''),
        h(e.account ?? ''),
        h(e.side ?? ''),
        String(e.price ?? ''),
        String(e.qty ?? ''),
      ]),
    )
    .join('\n');
  const audit = c.audit
    .map((e) =>
      row([
        isoUs(e.at),
        h(e.actor),
        h(e.value === undefined ? e.action : `${e.action} ${e.value}`),
        h(e.from),
        h(e.to),
        h(e.note),
      ]),
    )
    .join('\n');
  const features =
    c.mlFeatures !== undefined && c.mlFeatures.length > 0
      ? `<p>Anomaly model features: ${c.mlFeatures.map((f) => `${h(f.name)} = ${f.value}`).join(', ')}</p>`
      : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Case ${h(c.id)}</title>
<style>body{font-family:sans-serif;max-width:60rem;margin:2rem auto;color:#111}table{border-collapse:collapse;font-size:.85rem}td,th{border:1px solid #ccc;padding:.2rem .4rem;text-align:left}</style>
</head><body>
<h1>Case ${h(c.id)}</h1>
<table>
${row(['Typology', h(c.typology)])}
${row(['Instrument', `${h(c.instrument)} on ${h(c.venue)}`])}
${row(['Owner', h(c.owner)])}
${row(['Accounts', h(c.accounts.join(', '))])}
${row(['State', h(c.state + (c.resolution ? ` (${c.resolution})` : ''))])}
${row(['Priority / assignee', `${h(c.priority)} / ${h(c.assignee ?? 'none')}`])}
${row(['Score', `${c.score.toFixed(3)} (rule ${c.ruleScore.toFixed(3)}${c.mlScore === undefined ? '' : `, ML ${c.mlScore.toFixed(3)}`})`])}
${row(['Window', `${isoUs(c.window.start)} to ${isoUs(c.window.end)}`])}
${row(['Linked cases', h(c.links.join(', ') || 'none')])}
${row(['Reported by', `${h(options.entity?.name ?? 'unspecified')}, generated ${isoUs(options.generatedAt ?? c.updatedAt)}`])}
</table>
<h2>Market around the case</h2>
${priceChartSvg(c) || '<p>No market context was recorded.</p>'}
<h2>Why it was flagged</h2>
<ul>
${signals}
</ul>
${features}
<h2>Timeline of evidence</h2>
<table><tr><th>time</th><th>event</th><th>id</th><th>account</th><th>side</th><th>price</th><th>qty</th></tr>
${evidence}
</table>
<h2>Audit trail</h2>
<table><tr><th>time</th><th>actor</th><th>action</th><th>from</th><th>to</th><th>note</th></tr>
${audit}
</table>
</body></html>
`;
}

/** Renders a case in one of {@link REPORT_FORMATS}. */
export function renderReport(c: Case, format: ReportFormat, options: ReportOptions = {}): string {
  if (format === 'json') return `${JSON.stringify(storRecord(c, options), null, 2)}\n`;
  return format === 'html' ? renderHtml(c, options) : renderMarkdown(c, options);
}
