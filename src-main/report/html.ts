/**
 * The report as one self-contained HTML file: tables rendered here (every text escaped), the data
 * as an inert JSON block, plotly.js and the report's script inlined — no network needed to view it.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { CLIENT_SCRIPT } from './client';
import type { ReportData, ReportRun } from './model';

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** JSON safe inside <script type="application/json">: no '<' (so no '</script>' or '<!--'), no line separators. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** JavaScript source safe inside a <script> element. */
export function inlineScript(source: string, what: string): string {
  if (/<!--/.test(source)) throw new Error(`${what} contains '<!--' and cannot be inlined safely`);
  // '<\/script' means the same inside strings, regular expressions and comments.
  return source.replace(/<\/script/gi, '<\\/script');
}

let plotly: string | undefined;

/** plotly.js's minified bundle (plotly.js/dist/plotly.min.js), read once. */
export function plotlyBundle(): string {
  if (plotly === undefined) {
    const require = createRequire(import.meta.url);
    let file: string;
    try {
      file = require.resolve('plotly.js/dist/plotly.min.js');
    } catch {
      throw new Error('plotly.js is not installed (node_modules/plotly.js/dist/plotly.min.js): the report inlines it');
    }
    plotly = inlineScript(readFileSync(file, 'utf8'), file);
  }
  return plotly;
}

const pct = (v: number | null | undefined) => (typeof v === 'number' ? `${(100 * v).toFixed(1)}%` : '—');

export function duration(s: number): string {
  if (!(s > 0)) return '—';
  if (s < 90) return `${s.toFixed(1)} s`;
  // Round once, then split (119.6 s is 2 min 0 s, not 1 min 60 s).
  const whole = Math.round(s);
  const m = Math.floor(whole / 60);
  return m < 90 ? `${m} min ${whole % 60} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

function fractionLabel(f: string): string {
  return `probe top-1 @ ${Number(f) * 100}% labels`;
}

function metricsTable(d: ReportData): string {
  const head = ['run', 'method', 'dataset', 'epochs', 'backend', 'train time', 'final loss', 'kNN top-1', ...d.probeFractions.map(fractionLabel), 'effective rank'];
  const row = (r: ReportRun) => {
    const cells = [
      `<code>${escapeHtml(r.id)}</code>${r.status !== 'completed' ? ` <span class="muted">(${escapeHtml(r.status)})</span>` : ''}`,
      escapeHtml(r.method),
      escapeHtml(r.dataset),
      r.epochsDone === r.epochs ? String(r.epochs) : `${r.epochsDone} / ${r.epochs}`,
      `${escapeHtml(r.backend || '—')}${r.device ? `<div class="muted small">${escapeHtml(r.device)}</div>` : ''}`,
      duration(r.trainSeconds),
      r.finalLoss === null ? '—' : r.finalLoss.toFixed(4),
      `${pct(r.knnTop1)}${r.knnSource === 'monitor' ? '<sup title="the training monitor\'s last value; run pretext eval knn for the full evaluation">m</sup>' : ''}`,
      ...d.probeFractions.map((f) => pct(r.probeTop1[f])),
      r.effectiveRank === null ? '—' : r.effectiveRank.toFixed(1),
    ];
    return `<tr>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`;
  };
  const baselines = d.runs.filter((r) => r.randomInit.knnTop1 !== null || Object.keys(r.randomInit.probeTop1).length > 0);
  const baselineRows = baselines.map((r) => {
    const cells = [
      `<code>${escapeHtml(r.id)}</code>`, 'random init', escapeHtml(r.dataset), '0', '', '', '',
      pct(r.randomInit.knnTop1), ...d.probeFractions.map((f) => pct(r.randomInit.probeTop1[f])), '',
    ];
    return `<tr class="baseline">${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`;
  });
  return `<table class="metrics"><thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead>
<tbody>${d.runs.map(row).join('\n')}${baselineRows.join('\n')}</tbody></table>`;
}

function configTable(d: ReportData): string {
  if (d.configDiff.length === 0) return '<p class="muted">The runs share every configuration value.</p>';
  const head = ['key', ...d.runs.map((r) => `${r.method} (${r.id})`)];
  const rows = d.configDiff.map((c) => `<tr><td><code>${escapeHtml(c.key)}</code></td>${c.values.map((v) => `<td>${escapeHtml(v)}</td>`).join('')}</tr>`);
  return `<table class="config"><thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${rows.join('\n')}</tbody></table>`;
}

function mapsSection(d: ReportData): string {
  const any = d.runs.some((r) => r.maps.length > 0 || r.mapErrors.length > 0);
  if (!any) return '<p class="muted">No stored maps: make one with <code>pretext project RUN --algo pca|tsne|umap</code>.</p>';
  return d.runs
    .filter((r) => r.maps.length > 0 || r.mapErrors.length > 0)
    .map((r) => {
      const idx = d.runs.indexOf(r);
      const divs = r.maps
        .map((m, k) => {
          const t = m.quality['trustworthiness'];
          const shown = m.x.length < m.points ? `${m.x.length.toLocaleString('en-US')} of ${m.points.toLocaleString('en-US')} points` : `${m.points.toLocaleString('en-US')} points`;
          const caption = [m.algo.toUpperCase(), `${m.split} split`, `epoch ${m.epoch}`, shown, ...(typeof t === 'number' ? [`trustworthiness ${t.toFixed(3)}`] : [])].join(' · ');
          return `<figure><figcaption>${escapeHtml(caption)}</figcaption><div class="map" id="map-${idx}-${k}"></div></figure>`;
        })
        .join('');
      const errors = r.mapErrors.map((e) => `<p class="error">Map not shown: ${escapeHtml(e)}</p>`).join('');
      return `<h3>${escapeHtml(r.method)} <code>${escapeHtml(r.id)}</code></h3>${errors}<div class="maps">${divs}</div>`;
    })
    .join('\n');
}

const STYLE = `
body { font: 14px/1.45 system-ui, -apple-system, 'Segoe UI', sans-serif; margin: 24px auto; max-width: 1200px; padding: 0 16px; color: #222; }
h1 { font-size: 22px; margin-bottom: 4px; } h2 { margin-top: 32px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
table { border-collapse: collapse; width: 100%; margin: 8px 0; } th, td { border: 1px solid #e2e2e2; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f6f6f6; } tr.baseline td { color: #666; font-style: italic; }
.muted { color: #777; } .error { color: #b00020; } .small { font-size: 12px; } code { font-size: 12px; }
.plot { height: 380px; } figure { margin: 0; } figcaption { font-size: 13px; color: #444; } .maps { display: grid; grid-template-columns: repeat(auto-fill, minmax(360px, 1fr)); gap: 12px; }
`;

export function renderReport(d: ReportData): string {
  const datasets = d.datasets.map((x) => `${escapeHtml(x.name)} <span class="muted">(${escapeHtml(x.id)}, ${x.classes.length} classes)</span>`).join(', ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="Pretext ${escapeHtml(d.pretextVersion)}">
<title>${escapeHtml(d.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>${escapeHtml(d.title)}</h1>
<div class="muted">Dataset: ${datasets} · generated ${escapeHtml(d.createdAt)} · Pretext ${escapeHtml(d.pretextVersion)}</div>
</header>
<h2>Results</h2>
${metricsTable(d)}
<p class="muted small">kNN: weighted k-NN on the backbone's features (cosine, the latest <code>pretext eval knn</code>; <sup>m</sup> marks the training monitor's value). Probe: linear classifier on frozen features, trained on the given fraction of the train labels. Effective rank: exp(entropy of the normalised singular values) of the test features.</p>
<h2>Curves</h2>
<div class="plot" id="plot-loss"></div>
<div class="plot" id="plot-knn"></div>
<h2>Maps of the embedding space</h2>
${mapsSection(d)}
<h2>${d.runs.length === 1 ? 'Configuration' : 'Configuration differences'}</h2>
${configTable(d)}
<script type="application/json" id="report-data">${scriptJson(d)}</script>
<script>${plotlyBundle()}</script>
<script>${inlineScript(CLIENT_SCRIPT, 'the report script')}</script>
</body>
</html>
`;
}
