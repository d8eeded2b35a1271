/**
 * The HTML comparison report over runs stored with the real store functions (runs, metrics,
 * evaluations, a projection): structure, escaping, config diff, self-containment, and — when a
 * Chromium is installed — that every plot actually renders offline.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PretextError } from '../../src-main/core/errors';
import { configDiff, thin, type ReportData } from '../../src-main/report/model';
import { duration, escapeHtml, inlineScript, scriptJson } from '../../src-main/report/html';
import { writeReport } from '../../src-main/tasks/report';
import { insertEvaluation } from '../../src-main/store/evaluations';
import { saveProjection } from '../../src-main/store/projections';
import { appendMetrics, createRun, updateRun } from '../../src-main/store/runs';
import { resolveConfig } from '../../src-main/ml/train/config';
import { type MetricPoint } from '../../src-main/core/types';
import { Workspace } from '../../src-main/store/workspace';
import { runCli } from '../helpers/cli';
import { makeTempDir } from '../helpers/tmp';
import { makeToyDataset } from '../helpers/toyDataset';

let tmp: ReturnType<typeof makeTempDir>;
let ws: Workspace;
let runA: string;
let runB: string;
const wsDir = () => join(tmp.dir, 'ws');

function storeRun(method: string, temperature: number, note: string): string {
  const datasetId = (ws.db.prepare('SELECT id FROM datasets').get() as { id: string }).id;
  // One base config for both runs: only the method and the params differ.
  const config = { ...resolveConfig('simclr', { epochs: 3, seed: 0, batch: 16 }, () => 'simclr'), method, params: { temperature, note } };
  const id = createRun(ws, datasetId, method, config).id;
  updateRun(ws, id, { status: 'completed', backend: 'cpu', backendInfo: { device: 'CPU (2 threads)' }, epochsDone: 3, stepsDone: 9, trainSeconds: 42.5 });
  const points: MetricPoint[] = [];
  for (let step = 0; step < 9; step++) points.push({ name: 'loss', step, epoch: Math.floor(step / 3), value: 5 - step * 0.1, wall: step });
  for (let e = 0; e < 3; e++) points.push({ name: 'knn_top1', step: 3 * e + 2, epoch: e, value: 0.3 + 0.1 * e, wall: 3 * e + 2 });
  appendMetrics(ws, id, points);
  return id;
}

beforeAll(() => {
  tmp = makeTempDir('pretext-report-');
  ws = Workspace.open(wsDir());
  makeToyDataset(ws, { classes: 3 });
  runA = storeRun('simclr', 0.2, 'plain');
  runB = storeRun('byol', 0.5, '<script>alert("x")</script>');
  insertEvaluation(ws, { runId: runA, epoch: 3, kind: 'knn', params: { k: 200, temperature: 0.1 }, result: { top1: 0.875, perClass: {} } });
  insertEvaluation(ws, { runId: runA, epoch: 0, kind: 'knn', params: { k: 200, temperature: 0.1, baseline: 'random' }, result: { top1: 0.25 } });
  insertEvaluation(ws, { runId: runA, epoch: 3, kind: 'probe', params: { labelFraction: 0.1, seed: 0 }, result: { top1: 0.61, top5: 1 } });
  insertEvaluation(ws, { runId: runA, epoch: 3, kind: 'probe', params: { labelFraction: 1, seed: 0 }, result: { top1: 0.72, top5: 1 } });
  insertEvaluation(ws, { runId: runB, epoch: 3, kind: 'probe', params: { labelFraction: 1, seed: 0 }, result: { top1: 0.66, top5: 1 } });
  insertEvaluation(ws, { runId: runB, epoch: 3, kind: 'diagnostics', params: { split: 'test' }, result: { effectiveRank: 12.34, alignment: 0.5 } });
  const n = 30;
  saveProjection(
    ws,
    {
      runId: runB, epoch: 3, split: 'test', algo: 'pca', count: n,
      coords: Float32Array.from({ length: 2 * n }, (_, i) => Math.sin(i)),
      indices: Int32Array.from({ length: n }, (_, i) => i),
      labels: Int32Array.from({ length: n }, (_, i) => (i === 0 ? -1 : i % 3)),
    },
    { params: { seed: 0 }, quality: { trustworthiness: 0.93 }, seconds: 0.1 },
  );
  // A class name with markup, and a damaged second map: both must be shown safely.
  ws.db.prepare("UPDATE classes SET name = '<b>bold</b>' WHERE idx = 1").run();
  const umap = saveProjection(
    ws,
    { runId: runB, epoch: 3, split: 'test', algo: 'umap', count: 2, coords: new Float32Array(4), indices: new Int32Array(2), labels: new Int32Array(2) },
    { params: {}, quality: {}, seconds: 0 },
  );
  writeFileSync(join(wsDir(), umap.path), 'garbage');
});
afterAll(() => {
  ws.close();
  tmp.cleanup();
});

function dataOf(html: string): ReportData {
  const m = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html);
  expect(m).not.toBeNull();
  return JSON.parse(m![1]!) as ReportData;
}

describe('report pieces', () => {
  it('thins evenly, keeping both ends', () => {
    expect(thin(5, 10)).toEqual([0, 1, 2, 3, 4]);
    expect(thin(101, 5)).toEqual([0, 25, 50, 75, 100]);
  });

  it('diffs configs on flattened keys, marking absent ones', () => {
    const d = configDiff([{ a: 1, p: { t: 0.1, same: 'x' } }, { a: 1, p: { t: 0.2, same: 'x' }, extra: true }]);
    expect(d).toEqual([
      { key: 'extra', values: ['—', 'true'] },
      { key: 'p.t', values: ['0.1', '0.2'] },
    ]);
  });

  it('escapes text, JSON in a script and closing tags in inlined code', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    const json = scriptJson({ s: '</script><!-- \u2028' });
    expect(json).not.toMatch(/[<\u2028]/);
    expect(JSON.parse(json)).toEqual({ s: '</script><!-- \u2028' });
    expect(inlineScript('var s = "</script>";', 'x')).toBe('var s = "<\\/script>";');
    expect(() => inlineScript('a <!-- b', 'bundle')).toThrow(/bundle contains '<!--'/);
  });
});

describe('writeReport', () => {
  let html: string;
  let path: string;

  beforeAll(async () => {
    const res = await writeReport(ws, [runA, runB.slice(0, 9)], join(tmp.dir, 'out', 'report.html'));
    path = res.path;
    html = readFileSync(path, 'utf8');
    expect(res.bytes).toBe(Buffer.byteLength(html));
  });

  it('is one self-contained HTML document with both runs', () => {
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html.trimEnd().endsWith('</html>')).toBe(true);
    expect(html).toContain(runA);
    expect(html).toContain(runB);
    const scripts = html.match(/<script\b[^>]*>/g) ?? [];
    expect(scripts).toEqual(['<script type="application/json" id="report-data">', '<script>', '<script>']);
    expect(html).not.toMatch(/<script[^>]+src=|<link\b|<iframe\b|<img\b/i);
    expect(html.length).toBeGreaterThan(3_000_000); // plotly.js is inside
  });

  it('carries the metrics: eval kNN over the monitor, probe per fraction, rank, baseline', () => {
    const d = dataOf(html);
    expect(d.runs.map((r) => r.id)).toEqual([runA, runB]);
    const [a, b] = d.runs as [ReportData['runs'][0], ReportData['runs'][0]];
    const { curves: _c, maps: _m, config: _g, ...scalars } = a;
    expect(scalars).toMatchObject({ method: 'simclr', backend: 'cpu', trainSeconds: 42.5, knnTop1: 0.875, knnSource: 'eval', probeTop1: { '0.1': 0.61, '1': 0.72 }, effectiveRank: null });
    expect(a.finalLoss).toBeCloseTo(4.2, 6);
    expect(a.randomInit).toEqual({ knnTop1: 0.25, probeTop1: {} });
    expect(b).toMatchObject({ knnTop1: 0.5, knnSource: 'monitor', probeTop1: { '1': 0.66 }, effectiveRank: 12.34 });
    expect(d.probeFractions).toEqual(['0.1', '1']);
    expect(a.curves.loss.x).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(a.curves.knnTop1).toEqual({ x: [1, 2, 3], y: [0.3, 0.4, 0.5].map((v) => expect.closeTo(v, 10)) });
    expect(b.maps).toHaveLength(1);
    expect(b.maps[0]).toMatchObject({ algo: 'pca', split: 'test', epoch: 3, points: 30, quality: { trustworthiness: 0.93 } });
    expect(b.maps[0]!.labels[0]).toBe(-1);
    expect(html).toContain('<figcaption>PCA · test split · epoch 3 · 30 points · trustworthiness 0.930</figcaption>');
    expect(b.mapErrors).toEqual([expect.stringMatching(/^umap test: .*not a Pretext projection file/)]);
    expect(html).toMatch(/<p class="error">Map not shown: umap test: .*not a Pretext projection file<\/p>/);
    expect(html).toContain('87.5%');
    expect(html).toContain('probe top-1 @ 10% labels');
    expect(html).toContain('12.3');
  });

  it('shows only the config keys that differ, escaped', () => {
    const d = dataOf(html);
    expect(d.configDiff.map((c) => c.key)).toEqual(['method', 'params.note', 'params.temperature']);
    expect(html).not.toContain('<script>alert');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
  });

  const chromium = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((p) => existsSync(p));
  it.skipIf(!chromium)('renders every plot offline in a headless browser', () => {
    const r = spawnSync(chromium!, ['--headless', '--no-sandbox', '--disable-gpu', '--virtual-time-budget=10000', '--dump-dom', `file://${path}`], { encoding: 'utf8', timeout: 60_000, maxBuffer: 1 << 28 });
    expect(r.status, r.stderr).toBe(0);
    const dom = r.stdout;
    expect(/data-error="([^"]*)"/.exec(dom)?.[1] ?? 'none').toBe('none');
    expect(/<body[^>]*data-plots="(\d+)"/.exec(dom)?.[1]).toBe('3');
    for (const id of ['plot-loss', 'plot-knn', 'map-1-0']) {
      const at = dom.indexOf(`id="${id}"`);
      expect(at, id).toBeGreaterThan(0);
      expect(dom.slice(at, at + 3000), id).toContain('main-svg');
    }
    // The legend shows the class name as text, not as bold markup.
    expect(dom).toMatch(/class="legendtext"[^>]*>&lt;b&gt;bold&lt;\/b&gt;</);
  }, 90_000);
});

describe('errors and the CLI', () => {
  it('names an unknown run and an unwritable destination', async () => {
    await expect(writeReport(ws, [runA, 'run-missing'], undefined)).rejects.toThrow(/no run 'run-missing'/);
    const file = join(tmp.dir, 'file');
    writeFileSync(file, '');
    const err = await writeReport(ws, [runA], join(file, 'r.html')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PretextError);
    expect((err as Error).message).toMatch(/cannot write the report to .*file\/r\.html: a parent of it is a file/);
  });

  it('pretext report RUN... writes under the first run by default and prints the JSON result', async () => {
    ws.close();
    try {
      const r = await runCli(['--workspace', wsDir(), '--json', 'report', runB, runA]);
      expect(r.code, r.stderr).toBe(0);
      const res = JSON.parse(r.stdout) as { path: string; bytes: number };
      expect(res.path.startsWith(join(wsDir(), 'runs', runB, 'exports', 'report-'))).toBe(true);
      expect(readFileSync(res.path, 'utf8')).toContain('byol vs simclr');
      const none = await runCli(['--workspace', wsDir(), 'report']);
      expect(none.code).toBe(2);
      expect(none.stderr).toMatch(/at least one run id is required/);
    } finally {
      ws = Workspace.open(wsDir());
    }
  });
});

describe('report time format', () => {
  it('rounds before splitting minutes and seconds', () => {
    expect(duration(119.6)).toBe('2 min 0 s');
    expect(duration(143.3)).toBe('2 min 23 s');
    expect(duration(42.25)).toBe('42.3 s');
    expect(duration(3 * 3600 + 125)).toBe('3 h 2 min');
    expect(duration(0)).toBe('—');
  });
});
