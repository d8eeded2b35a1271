/**
 * Linked embedding maps and the Augment grid in Chromium against `pretext serve`: two tiny runs
 * (trained and mapped by the CLI on the same workspace), a point hovered in one map is
 * highlighted in the other without moving the maps, a lasso shows its thumbnails and selects
 * the same items in both maps; the Augment grid at 1440 px shows what fired on every view;
 * "Run on a cluster…" downloads a run's recipe zip, whose train.py (/usr/bin/python3 with torch)
 * trains 1 epoch, and "Import results…" brings its results back as an external run (issue 15).
 * Screenshots: test-results/maps-*.png.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { makeTempDir } from '../helpers/tmp';
import { torchPython } from '../../src-main/bench/qualityPeer';
import { CHROMIUM, ensureRendererBuild, makeImageFolder, pixelSpread, ROOT, startServe, unzipTo, type Served } from './harness';

const hasChromium = existsSync(CHROMIUM);
if (!hasChromium && process.env['PRETEXT_E2E_REQUIRED']) throw new Error(`e2e: ${CHROMIUM} is absent (apt-get install chromium)`);
if (!hasChromium) console.warn(`e2e skipped: ${CHROMIUM} is absent (apt-get install chromium)`);
const SHOTS = join(ROOT, 'test-results');
const run = promisify(execFile);
const torch = torchPython();
if ('reason' in torch) console.warn(`e2e cluster round trip skipped: ${torch.reason}`);

/** Where each drawn point of a map is on the page, per trace name, with its dataset item. */
type Drawn = Record<string, { item: number; px: number; py: number }[]>;

describe.skipIf(!hasChromium)('linked maps and the Augment grid in Chromium', () => {
  const tmp = makeTempDir('pretext-maps-');
  const ws = join(tmp.dir, 'ws');
  let served: Served;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  const cli = async (...args: string[]) => JSON.parse((await run(process.execPath, [join(ROOT, 'src-main', 'cli', 'bin.mjs'), '--workspace', ws, '--json', ...args], { cwd: ROOT })).stdout) as Record<string, unknown>;

  beforeAll(async () => {
    ensureRendererBuild();
    mkdirSync(SHOTS, { recursive: true });
    const folder = await makeImageFolder(tmp.dir, 'shapes', ['circle', 'square', 'stripe', 'dot'], 40);
    const ds = (await cli('import', folder)) as { id: string };
    const trained = (await cli('train', '--dataset', ds.id, '--method', 'simclr,byol', '--backbone', 'small', '--width', '0.25', '--epochs', '1', '--batch', '16')) as { runs: { id: string }[] };
    for (const r of trained.runs) await cli('project', r.id, '--algo', 'pca');
    served = await startServe(ws);
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM });
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') pageErrors.push(`console: ${m.text()}`);
    });
    await page.goto(served.url);
    await page.getByRole('heading', { level: 1, name: 'Datasets' }).waitFor({ timeout: 60_000 });
  }, 240_000);

  afterAll(async () => {
    await Promise.all([browser?.close(), served?.stop()]);
    tmp.cleanup();
  });

  /** A full-page screenshot to look at, taken with no page error so far, and not blank. */
  const shoot = async (name: string) => {
    expect(pageErrors, `page errors before maps-${name}`).toEqual([]);
    const png = await page.screenshot({ path: join(SHOTS, `maps-${name}.png`), fullPage: true });
    expect(await pixelSpread(png), `maps-${name} is blank`).toBeGreaterThan(8);
  };
  /** Opens a view from the sidebar and waits for its heading. */
  const go = async (title: string) => {
    await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: title }).click();
    await page.getByRole('heading', { level: 1, name: title, exact: true }).waitFor();
  };
  const wait = { timeout: 60_000 };

  /** Every point plotly drew in the n-th map, in page pixels (plotly's own axes). */
  const drawn = (n: number): Promise<Drawn> =>
    page.evaluate((i) => {
      type Axis = { d2p: (v: number) => number };
      type Gd = HTMLElement & { data: { name: string; x: number[]; y: number[]; customdata: number[] }[]; _fullLayout: { xaxis: Axis; yaxis: Axis; _size: { l: number; t: number } } };
      const gd = document.querySelectorAll<Gd>('figure[aria-label^="Map of"] .js-plotly-plot')[i]!;
      const box = gd.getBoundingClientRect();
      const { xaxis, yaxis, _size } = gd._fullLayout;
      const out: Drawn = {};
      for (const t of gd.data) {
        out[t.name] = t.customdata.map((item, k) => ({ item, px: box.left + _size.l + xaxis.d2p(t.x[k]!), py: box.top + _size.t + yaxis.d2p(t.y[k]!) }));
      }
      return out;
    }, n);

  it('maps two runs side by side, large; a hover highlights the point in both and moves nothing', async () => {
    await go('Embeddings');
    // The runs trained by the CLI are not picked yet: pick both.
    for (const method of ['simclr', 'byol']) await page.getByRole('checkbox', { name: new RegExp(`^${method} `) }).check(wait);
    await page.getByRole('radio', { name: 'PCA' }).check();
    const figures = page.locator('figure[aria-label^="Map of"]');
    // Both maps, each drawn (a map can draw before the other's figure exists: poll for both).
    await expect.poll(() => figures.count(), wait).toBe(2);
    for (const i of [0, 1]) await figures.nth(i).locator('canvas').first().waitFor(wait);
    const sizes = await Promise.all([0, 1].map(async (i) => (await figures.nth(i).boundingBox())!));
    for (const s of sizes) {
      expect(s.width).toBeGreaterThan(400);
      expect(s.height).toBeGreaterThan(0.8 * s.width);
    }
    expect(sizes[1]!.x).toBeGreaterThan(sizes[0]!.x + sizes[0]!.width - 1);
    expect(await page.getByRole('group', { name: 'Classes' }).count()).toBe(1);

    const maps = page.getByRole('region', { name: 'Maps' });
    const before = [(await maps.boundingBox())!, (await figures.first().boundingBox())!];
    const first = await drawn(0);
    const classTrace = Object.entries(first).find(([name, pts]) => name !== 'selected' && name !== 'hovered' && pts.length > 0)!;
    const target = classTrace[1][0]!;
    await page.mouse.move(target.px + 30, target.py + 30);
    await page.mouse.move(target.px, target.py, { steps: 5 });
    const panel = page.getByTestId('hover');
    await panel.locator('img').waitFor(wait);
    expect(await panel.textContent()).toContain(`#${target.item}`);
    // Nothing above the maps grew: the maps and the map under the cursor stay where they were.
    expect([(await maps.boundingBox())!, (await figures.first().boundingBox())!]).toEqual(before);
    // The other map (another layout of the same items) rings the same item.
    await expect.poll(async () => (await drawn(1))['hovered']?.map((p) => p.item)).toEqual([target.item]);
    expect((await drawn(0))['hovered']?.map((p) => p.item)).toEqual([target.item]);
    await shoot('1-hover');
  });

  it('a lasso in one map selects the same items in both and shows their images', async () => {
    const second = await drawn(1);
    const points = Object.entries(second).filter(([name]) => name !== 'selected' && name !== 'hovered').flatMap(([, pts]) => pts);
    const xs = points.map((p) => p.px).sort((a, b) => a - b);
    const ys = points.map((p) => p.py);
    // A lasso around the left half of the points.
    const mid = (xs[Math.floor(xs.length / 2) - 1]! + xs[Math.floor(xs.length / 2)]!) / 2;
    const [x0, y0, y1] = [xs[0]! - 6, Math.min(...ys) - 6, Math.max(...ys) + 6];
    const inside = points.filter((p) => p.px < mid).map((p) => p.item).sort((a, b) => a - b);
    await page.mouse.move(x0, y0);
    await page.mouse.down();
    for (const [x, y] of [[mid, y0], [mid, y1], [x0, y1], [x0, y0 + 1]] as const) await page.mouse.move(x, y, { steps: 8 });
    await page.mouse.up();
    const strip = page.getByRole('region', { name: 'Selection' });
    await strip.waitFor(wait);
    expect(await strip.getByRole('heading').textContent()).toBe(`${inside.length} selected`);
    await expect.poll(() => strip.getByRole('list', { name: 'Selected images' }).locator('img').count(), wait).toBe(inside.length);
    for (const n of [0, 1]) expect((await drawn(n))['selected']!.map((p) => p.item).sort((a, b) => a - b)).toEqual(inside);
    await shoot('2-lasso');
  });

  it('the Augment grid uses the width at 1440 px and says what fired on each view', async () => {
    await go('Augment');
    const grid = page.getByRole('table', { name: 'Augmented views' });
    await grid.getByRole('img').first().waitFor(wait);
    expect((await grid.boundingBox())!.width).toBeGreaterThan(560);
    const ops = grid.getByRole('list', { name: /^operations of view 1 of/ }).first();
    expect(await ops.textContent()).toMatch(/crop \d+×\d+ at \(\d+, \d+\)/);
    // A value out of range marks the preview stale, and stays so across a switch of views.
    const flip = page.getByRole('spinbutton', { name: 'flipProb' }).first();
    await flip.fill('3');
    await page.getByTestId('stale').waitFor(wait);
    await shoot('3-augment-stale');
    await go('Embeddings');
    await go('Augment');
    expect(await page.getByTestId('stale').textContent()).toContain('flipProb (above 1)');
    expect(await page.getByRole('spinbutton', { name: 'flipProb' }).first().inputValue()).toBe('3');
    await page.getByRole('spinbutton', { name: 'flipProb' }).first().fill('0.5');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => page.getByTestId('stale').count(), wait).toBe(0);
    await shoot('4-augment');
  });

  it.skipIf('reason' in torch)('Run on a cluster… → train.py 1 epoch → Import results… gives an external run', async () => {
    await go('Runs');
    await page.getByRole('table', { name: 'Runs' }).getByRole('button', { name: 'simclr' }).click();
    await page.getByRole('button', { name: 'Run on a cluster…' }).click();
    const panel = page.getByTestId('cluster-panel');
    await panel.getByRole('checkbox').check();
    expect(await panel.locator('pre').first().textContent()).toBe('python train.py --out results');
    await shoot('5-cluster');
    const [download] = await Promise.all([page.waitForEvent('download', wait), panel.getByRole('button', { name: 'Download the zip' }).click()]);
    const zip = join(tmp.dir, download.suggestedFilename());
    expect(download.suggestedFilename()).toMatch(/-recipe-data\.zip$/);
    await download.saveAs(zip);
    const names = await unzipTo(zip, join(tmp.dir, 'cluster'));
    const folder = join(tmp.dir, 'cluster', names.find((n) => n.endsWith('/train.py'))!.split('/')[0]!);
    expect(names.map((n) => n.split('/').pop()).sort()).toEqual(['README.md', 'data.npz', 'ddp_parts.py', 'recipe.json', 'ssl_methods.py', 'ssl_parts.py', 'torch_engine.py', 'torch_quality.py', 'train.py']);
    // The cluster, here: one CPU process, 1 epoch of the tiny sample.
    const results = join(tmp.dir, 'results');
    const t0 = performance.now();
    await run((torch as { python: string }).python, ['train.py', '--out', results, '--epochs', '1', '--threads', '1'], { cwd: folder, env: { ...process.env, OMP_NUM_THREADS: '1' } });
    console.log(`e2e: train.py 1 epoch in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    expect(readdirSync(results).sort()).toEqual(['backbone.safetensors', 'checkpoint.pt', 'metrics.jsonl', 'recipe.json']);

    await page.getByRole('button', { name: 'Import results…' }).click();
    const form = page.getByTestId('import-results');
    await form.getByTestId('results-input').setInputFiles(results);
    expect(await form.getByTestId('results-folder').textContent()).toBe('results');
    await form.getByRole('button', { name: 'Import', exact: true }).click();
    await form.getByTestId('import-done').waitFor(wait);
    const row = page.getByRole('table', { name: 'Runs' }).getByRole('row').filter({ hasText: 'external:' });
    expect(await row.count()).toBe(1);
    expect(await row.textContent()).toMatch(/pytorch.*external: .+, 1 × cpu, \d/);
    expect(await page.getByTestId('run-external').textContent()).toMatch(/external: .+, 1 × cpu, .*imported from uploaded: results/);
    await shoot('6-imported');
  });
}, 300_000);
