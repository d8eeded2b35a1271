/**
 * Retrieval across runs and per-class results, end to end in Chromium against `pretext serve`:
 * a tiny folder imported and two methods trained for one epoch by the CLI (as a researcher
 * would script it), then in the workbench: kNN in Evaluate shows its confusion matrix as a
 * heatmap and the per-class difference with the other run; the Retrieval view shows each
 * run's neighbours of a gallery image side by side (thumbnails, similarity, agreement), and of
 * an uploaded image file. Screenshots go to test-results/retrieval-*.png.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { makeTempDir } from '../helpers/tmp';
import { CHROMIUM, ensureRendererBuild, makeImageFolder, pixelSpread, ROOT, startServe, type Served } from './harness';

const hasChromium = existsSync(CHROMIUM);
if (!hasChromium && process.env['PRETEXT_E2E_REQUIRED']) throw new Error(`e2e: ${CHROMIUM} is absent (apt-get install chromium)`);
const SHOTS = join(ROOT, 'test-results');

/** Runs the CLI on the workspace; returns its --json output. */
function cli(ws: string, ...args: string[]): unknown {
  const r = spawnSync(process.execPath, [join(ROOT, 'src-main', 'cli', 'bin.mjs'), '--workspace', ws, '--json', ...args], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`pretext ${args.join(' ')} exited ${r.status}:\n${r.stderr}`);
  return JSON.parse(r.stdout) as unknown;
}

describe.skipIf(!hasChromium)('retrieval and confusion matrices in Chromium', () => {
  const tmp = makeTempDir('pretext-e2e-ret-');
  const ws = join(tmp.dir, 'ws');
  let served: Served;
  let browser: Browser;
  let page: Page;
  let runs: { id: string; method: string }[];
  let folder: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    ensureRendererBuild();
    mkdirSync(SHOTS, { recursive: true });
    folder = await makeImageFolder(tmp.dir, 'shapes', ['circle', 'square', 'stripe', 'dot'], 12);
    const ds = cli(ws, 'import', folder, '--size', '16') as { id: string };
    const trained = cli(ws, 'train', '--dataset', ds.id, '--method', 'simclr,byol', '--backbone', 'small', '--width', '0.25', '--epochs', '1', '--batch', '16', '--set', 'projHidden=32', '--set', 'projOut=16') as { runs: { id: string; method: string }[] };
    runs = trained.runs;
    // The CLI's kNN of the first run stores its random-init baseline with it.
    cli(ws, 'eval', 'knn', runs[0]!.id, '--k', '20');
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
  }, 180_000);

  // A failed step leaves a screenshot of where it stood.
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail' && page) await page.screenshot({ path: join(SHOTS, `retrieval-failed-${ctx.task.name.slice(0, 20).replace(/\W+/g, '-')}.png`), fullPage: true });
  });

  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    tmp.cleanup();
  });

  /** A full-page screenshot, taken with no error in the page, that is not a single colour. */
  const shoot = async (name: string): Promise<void> => {
    expect(pageErrors, `errors in the page before the ${name} screenshot`).toEqual([]);
    expect(await pixelSpread(await page.screenshot({ path: join(SHOTS, `retrieval-${name}.png`), fullPage: true }))).toBeGreaterThan(8);
  };
  async function go(title: string): Promise<void> {
    await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: title }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe(title);
  }
  const wait = { timeout: 60_000 };

  it('Evaluate: kNN shows its confusion matrix as a heatmap, its baseline marked, and the per-class difference with the other run', { timeout: 120_000 }, async () => {
    await go('Evaluate & export');
    await page.locator('select').first().selectOption(runs[0]!.id);
    await page.getByRole('button', { name: 'kNN', exact: true }).click();
    const table = page.getByRole('table', { name: 'Evaluations' });
    await table.locator('tr[data-role="run"]').first().waitFor(wait);
    // The random-init baseline evaluated with it is marked as one, not shown as "epoch 0".
    await expect.poll(() => table.locator('tr[data-role="run"]').count(), wait).toBe(2);
    expect(await table.locator('tr[data-role="random-init"] td').nth(1).textContent()).toBe('random-init (baseline)');
    expect(await table.locator('tr[data-role="random-init"] td').nth(4).textContent()).toBe('untrained');
    const matrix = page.locator(`figure[aria-label^="Confusion matrix: kNN confusion matrix"]`);
    await matrix.locator('.main-svg').first().waitFor(wait);
    // Plotly drew a heatmap with the class names on both axes.
    await expect.poll(() => matrix.locator('.hm, image, .heatmaplayer').count(), wait).toBeGreaterThan(0);
    for (const cls of ['circle', 'dot', 'square', 'stripe']) expect(await matrix.locator('.xtick text', { hasText: cls }).count()).toBe(1);
    expect(await page.getByRole('table', { name: 'Per-class accuracy' }).locator('tbody tr').count()).toBe(4);
    await page.getByLabel('Run to compare with').selectOption(runs[1]!.id);
    await page.getByRole('button', { name: 'Evaluate it (kNN)' }).click();
    const diff = page.getByRole('table', { name: 'Per-class difference' });
    await diff.locator('tbody tr').first().waitFor(wait);
    expect(await diff.locator('tbody tr').count()).toBe(4);
    await page.locator('figure[aria-label="Per-class difference"] .main-svg').first().waitFor(wait);
    await shoot('1-evaluate');
  });

  it('Retrieval: a gallery image’s neighbours in both runs side by side, with thumbnails, similarity and agreement', { timeout: 120_000 }, async () => {
    await go('Retrieval');
    const boxes = page.getByRole('group', { name: 'Runs to search' }).getByRole('checkbox');
    await expect.poll(() => boxes.count(), wait).toBe(2);
    for (let i = 0; i < 2; i++) if (!(await boxes.nth(i).isChecked())) await boxes.nth(i).check();
    const gallery = page.getByRole('list', { name: 'Query gallery' });
    await gallery.getByRole('img').first().waitFor(wait);
    await gallery.getByRole('button', { name: 'Query image 5' }).click();
    for (const r of runs) {
      const col = page.getByRole('region', { name: new RegExp(`^Neighbours in ${r.method} `) });
      await col.getByRole('img').first().waitFor(wait);
      expect(await col.getByRole('img').count()).toBe(8);
      expect(await col.getByTestId('agreement').textContent()).toMatch(/^\s*\d\/8 share the query's label \(\d+\.\d%\)\s*$/);
      const first = await col.locator('.sim').first().textContent();
      expect(first).toMatch(/^#1 · -?[01]\.\d{3}$/);
    }
    expect(await page.getByLabel('Query', { exact: true }).getByText('image 5 · train').count()).toBe(1);
    await shoot('2-retrieval');
  });

  it('Retrieval: an uploaded image file is embedded by each run and finds itself first', { timeout: 120_000 }, async () => {
    await page.getByTestId('query-file').setInputFiles(join(folder, 'circle', 'circle-3.png'));
    await expect.poll(() => page.getByLabel('Query', { exact: true }).textContent(), wait).toContain('file circle-3.png');
    for (const r of runs) {
      const col = page.getByRole('region', { name: new RegExp(`^Neighbours in ${r.method} `) });
      await expect.poll(() => col.getByTestId('agreement').textContent(), wait).toMatch(/no label to agree with/);
      expect(await col.locator('.sim').first().textContent()).toMatch(/^#1 · 1\.000$/);
    }
    await shoot('3-retrieval-file');
  });
});
