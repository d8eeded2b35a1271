/**
 * Issue 16's "wrong or misleading" fixes, in Chromium at 1024×700 against `pretext serve` and
 * the real engine: a tiny folder is uploaded, SimCLR (2 epochs) and the random-init baseline
 * train; then the Train view's resolved values, a run page's epoch axis and time, the random
 * run's "untrained", Compare's metrics with a run id column and its named report button, and
 * tables (Runs, Compare, Augment, Evaluate) that stay inside the view beside the jobs rail.
 * Screenshots go to test-results/wbBugs-*.png.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Locator, Page } from 'playwright-core';
import { makeTempDir } from '../helpers/tmp';
import { CHROMIUM, ensureRendererBuild, makeImageFolder, pixelSpread, ROOT, startServe, type Served } from './harness';

const hasChromium = existsSync(CHROMIUM);
if (!hasChromium && process.env['PRETEXT_E2E_REQUIRED']) throw new Error(`e2e: ${CHROMIUM} is absent (apt-get install chromium)`);
const SHOTS = join(ROOT, 'test-results');

describe.skipIf(!hasChromium)('issue 16 fixes in Chromium at 1024×700', () => {
  const tmp = makeTempDir('pretext-e2e-wb-');
  const pageErrors: string[] = [];
  const wait = { timeout: 120_000 };
  let served: Served;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    ensureRendererBuild();
    mkdirSync(SHOTS, { recursive: true });
    const launching = import('playwright-core').then(({ chromium }) => chromium.launch({ executablePath: CHROMIUM }));
    [served, browser] = await Promise.all([startServe(join(tmp.dir, 'ws')), launching]);
    page = await browser.newPage({ viewport: { width: 1024, height: 700 } });
    page.on('pageerror', (e) => void pageErrors.push(e.message));
    page.on('console', (m) => void (m.type() === 'error' && pageErrors.push(`console: ${m.text()}`)));
    await page.goto(served.url);
    await page.getByRole('heading', { level: 1, name: 'Datasets' }).waitFor({ timeout: 60_000 });
  }, 240_000);

  afterAll(() => Promise.all([browser?.close(), served?.stop()]).finally(() => tmp.cleanup()));

  /** A screenshot of the window as the user sees it (not the full page): it must not be blank, nor follow a page error. */
  const shoot = async (name: string) => {
    expect(pageErrors, `page errors before ${name}`).toEqual([]);
    const png = await page.screenshot({ path: join(SHOTS, `wbBugs-${name}.png`) });
    expect(await pixelSpread(png), `${name} is blank`).toBeGreaterThan(8);
  };
  const go = async (title: string) => {
    await page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: title }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe(title);
  };
  /** The element's box lies inside the view (left of the jobs rail, inside the window), wherever it scrolls. */
  async function insideView(what: string, el: Locator): Promise<void> {
    const card = el.locator('xpath=ancestor-or-self::*[contains(concat(" ", normalize-space(@class), " "), " card ")][1]');
    const [box, main, jobs] = await Promise.all([card.boundingBox(), page.locator('main').boundingBox(), page.locator('aside.jobs').boundingBox()]);
    expect(box, what).not.toBeNull();
    expect(box!.x, `${what}: left edge`).toBeGreaterThanOrEqual(main!.x - 0.5);
    expect(box!.x + box!.width, `${what}: right edge past the view`).toBeLessThanOrEqual(main!.x + main!.width + 0.5);
    expect(box!.x + box!.width, `${what}: under the jobs column`).toBeLessThanOrEqual(jobs!.x + 0.5);
    // The table itself may be wider than its card: then the card scrolls it instead of clipping it.
    const overflow = await card.evaluate((c) => ({ scroll: c.scrollWidth, client: c.clientWidth, style: getComputedStyle(c).overflowX }));
    if (overflow.scroll > overflow.client + 1) expect(overflow.style, `${what} overflows its card without a scroll bar`).toMatch(/auto|scroll/);
  }

  it('uploads a folder, shows the resolved training values, trains SimCLR and the random baseline', async () => {
    const folder = await makeImageFolder(tmp.dir, 'shapes', ['circle', 'square', 'stripe'], 24);
    await page.getByTestId('folder-input').setInputFiles(folder);
    await page.getByRole('group', { name: 'Dataset list' }).getByRole('button', { name: /shapes/ }).waitFor(wait);
    await go('Train');
    for (const name of ['simclr', 'random']) await page.getByRole('checkbox', { name, exact: true }).check();
    await page.getByLabel('Backbone').selectOption('small');
    // Tiny settings: a quarter-width small ResNet, 2 epochs, batch 16 (the field commits on change).
    for (const [label, value] of [['Width', '0.25'], ['Epochs', '2'], ['Batch', '16']] as const) await page.getByLabel(label).fill(value);
    await page.keyboard.press('Tab');
    // What the run will use, from the engine's resolution: batch 16 (asked), warm-up 0 (the 10 % rule), the preset.
    const resolved = page.getByTestId('resolved-simclr');
    await expect.poll(() => resolved.textContent(), wait).toMatch(/batch 16.*epochs 2.*warmupEpochs 0.*preset simclr/);
    expect(await resolved.textContent()).toContain('warmupEpochs 0: at most 10% of the 2 epochs (method default 10)');
    await shoot('1-train');
    await page.getByRole('button', { name: /Start 2 runs/ }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Runs');
    const live = page.getByTestId('run-page');
    // While it trains, Time follows the run (it used to read 0.0s until the end).
    await expect.poll(async () => (await live.locator('.status').getAttribute('data-status')) === 'completed' || (await page.getByTestId('run-time').textContent()) !== '0.0s', wait).toBe(true);
    const table = page.getByRole('table', { name: 'Runs' });
    await expect.poll(() => table.locator('.status[data-status="completed"]').count(), { timeout: 180_000, interval: 1000 }).toBe(2);
  });

  it('the run page: an integer epoch axis, the time it took, the random run untrained', async () => {
    const table = page.getByRole('table', { name: 'Runs' });
    const head = await table.getByRole('columnheader').allTextContents();
    for (const col of ['Run', 'Seed', 'Width', 'Epochs']) expect(head.map((h) => h.trim())).toContain(col);
    await table.getByRole('button', { name: 'simclr' }).click();
    const live = page.getByTestId('run-page');
    const knn = live.locator('figure[aria-label="kNN top-1 (monitor)"]');
    await knn.locator('.main-svg').first().waitFor(wait);
    const ticks = await knn.locator('.xtick text').allTextContents();
    expect(ticks, 'epoch ticks').toEqual(['1', '2']);
    expect(await knn.locator('.g-xtitle').textContent()).toBe('epoch');
    expect(await knn.locator('.g-ytitle').textContent()).toBe('kNN top-1 (%)');
    expect(await page.getByTestId('run-time').textContent()).toMatch(/^\d+(\.\d)?s$/);
    expect(await page.getByTestId('run-time').textContent()).not.toBe('0.0s');
    await insideView('Runs table', table);
    await shoot('2-run-simclr');
    await table.getByRole('button', { name: 'random' }).click();
    await expect.poll(() => live.locator('dt:text-is("Epoch") + dd').textContent()).toBe('untrained');
    const randomKnn = live.locator('figure[aria-label="kNN top-1 (monitor)"]');
    await randomKnn.locator('.main-svg').first().waitFor(wait);
    expect(await randomKnn.locator('.xtick text').allTextContents()).toEqual(['1']);
    expect(await randomKnn.locator('.point').count(), 'a single point is drawn as a marker').toBe(1);
    expect(await table.getByRole('row').filter({ hasText: 'random' }).textContent()).toContain('untrained');
    await shoot('3-run-random');
  });

  it('Compare: metrics with a run id column, per-epoch kNN unsmoothed on the epoch axis, the report names its runs', async () => {
    await go('Compare');
    const metrics = page.getByRole('table', { name: 'Metrics' });
    await metrics.waitFor(wait);
    const head = (await metrics.getByRole('columnheader').allTextContents()).map((h) => h.trim());
    const runCol = head.indexOf('Run');
    expect(runCol).toBeGreaterThan(0);
    expect(head).toContain('kNN top-1');
    const ids = await metrics.getByRole('row').evaluateAll((rows, i) => rows.slice(1).map((r) => r.querySelectorAll('td')[i]?.textContent ?? ''), runCol);
    expect(ids).toHaveLength(2);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}$/);
    expect(await page.getByTestId('compare-runs').textContent()).toMatch(/^(simclr|random) [0-9a-f]{8}, (simclr|random) [0-9a-f]{8}$/);
    expect(await page.getByRole('button', { name: 'HTML report of these 2 runs' }).count()).toBe(1);
    await page.locator('select').filter({ has: page.locator('option[value="knn_top1"]') }).selectOption('knn_top1');
    const curves = page.locator('figure[aria-label="Curves"]');
    await curves.locator('.main-svg').first().waitFor(wait);
    await expect.poll(() => curves.locator('.g-xtitle').textContent()).toBe('epoch');
    expect(await curves.locator('.xtick text').allTextContents()).toEqual(['1', '2']);
    expect(await page.getByRole('slider').isDisabled(), 'no smoothing of a per-epoch metric').toBe(true);
    await insideView('Compare metrics table', metrics);
    await shoot('4-compare');
  });

  it('Augment and Evaluate tables stay inside the view; the jobs column is a rail that opens', async () => {
    await go('Augment');
    const grid = page.getByRole('table', { name: 'Augmented views' });
    await grid.getByRole('img').first().waitFor(wait);
    await insideView('Augment grid', grid);
    await shoot('5-augment');
    await go('Evaluate & export');
    const evals = page.getByRole('table', { name: 'Evaluations' });
    await evals.waitFor(wait);
    await insideView('Evaluations table', evals);
    await shoot('6-evaluate');
    const rail = page.getByRole('button', { name: /^Show jobs/ });
    expect(await rail.isVisible()).toBe(true);
    await rail.click();
    const tray = page.getByRole('region', { name: 'Jobs' });
    await tray.waitFor();
    expect(await tray.getByTestId('job').count()).toBeGreaterThan(0);
    await shoot('7-jobs-open');
    await page.getByRole('button', { name: 'Hide jobs' }).click();
    await expect.poll(() => tray.count()).toBe(0);
  });
});
