/**
 * Issue 16's "wrong or misleading" fixes, in Chromium at 1024×700 against `pretext serve` and
 * the real engine: a tiny folder is uploaded, SimCLR (2 epochs) and the random-init baseline
 * train; then the Train view's resolved values, a run page's epoch axis and time, the random
 * run's "untrained", Compare's metrics with a run id column and its named report button, and
 * tables (Runs, Compare, Augment, Evaluate) that stay inside the view beside the jobs rail.
 * Screenshots go to test-results/wbBugs-*.png.
 */
import { describe, expect, it } from 'vitest';
import type { Locator } from 'playwright-core';
import { makeImageFolder } from './harness';
import { hasChromium, useSession } from './session';

describe.skipIf(!hasChromium)('issue 16 fixes in Chromium at 1024×700', () => {
  const wait = { timeout: 120_000 };
  const w = useSession({ tmpPrefix: 'pretext-e2e-wb-', shotPrefix: 'wbBugs', viewport: { width: 1024, height: 700 } });
  /** The element's box lies inside the view (left of the jobs rail, inside the window), wherever it scrolls. */
  async function insideView(what: string, el: Locator): Promise<void> {
    const card = el.locator('xpath=ancestor-or-self::*[contains(concat(" ", normalize-space(@class), " "), " card ")][1]');
    const [box, main, jobs] = await Promise.all([card.boundingBox(), w.page.locator('main').boundingBox(), w.page.locator('aside.jobs').boundingBox()]);
    expect(box, what).not.toBeNull();
    expect(box!.x, `${what}: left edge`).toBeGreaterThanOrEqual(main!.x - 0.5);
    expect(box!.x + box!.width, `${what}: right edge past the view`).toBeLessThanOrEqual(main!.x + main!.width + 0.5);
    expect(box!.x + box!.width, `${what}: under the jobs column`).toBeLessThanOrEqual(jobs!.x + 0.5);
    // The table itself may be wider than its card: then the card scrolls it instead of clipping it.
    const overflow = await card.evaluate((c) => ({ scroll: c.scrollWidth, client: c.clientWidth, style: getComputedStyle(c).overflowX }));
    if (overflow.scroll > overflow.client + 1) expect(overflow.style, `${what} overflows its card without a scroll bar`).toMatch(/auto|scroll/);
  }

  it('uploads a folder, shows the resolved training values, trains SimCLR and the random baseline', async () => {
    const folder = await makeImageFolder(w.dir, 'shapes', ['circle', 'square', 'stripe'], 24);
    await w.page.getByTestId('folder-input').setInputFiles(folder);
    await w.page.getByRole('group', { name: 'Dataset list' }).getByRole('button', { name: /shapes/ }).waitFor(wait);
    await w.go('Train');
    for (const name of ['simclr', 'random']) await w.page.getByRole('checkbox', { name }).check();
    await w.page.getByLabel('Backbone').selectOption('small');
    // Tiny settings: a quarter-width small ResNet, 2 epochs, batch 16 (the field commits on change).
    for (const [label, value] of [['Width', '0.25'], ['Epochs', '2'], ['Batch', '16']] as const) await w.page.getByLabel(label).fill(value);
    await w.page.keyboard.press('Tab');
    // What the run will use, from the engine's resolution: batch 16 (asked), warm-up 0 (the 10 % rule), the preset.
    const resolved = w.page.getByTestId('resolved-simclr');
    await expect.poll(() => resolved.textContent(), wait).toMatch(/batch 16.*epochs 2.*warmupEpochs 0.*preset simclr/);
    expect(await resolved.textContent()).toContain('warmupEpochs 0: at most 10% of the 2 epochs (method default 10)');
    await w.shoot('1-train');
    await w.page.getByRole('button', { name: /Start 2 runs/ }).click();
    await expect.poll(() => w.page.getByRole('heading', { level: 1 }).textContent()).toBe('Runs');
    const live = w.page.getByTestId('run-page');
    // While it trains, Time follows the run (it used to read 0.0s until the end).
    await expect.poll(async () => (await live.locator('.status').getAttribute('data-status')) === 'completed' || (await w.page.getByTestId('run-time').textContent()) !== '0.0s', wait).toBe(true);
    const table = w.page.getByRole('table', { name: 'Runs' });
    await expect.poll(() => table.locator('.status[data-status="completed"]').count(), { timeout: 180_000, interval: 1000 }).toBe(2);
  });

  it('the run page: an integer epoch axis, the time it took, the random run untrained', async () => {
    const table = w.page.getByRole('table', { name: 'Runs' });
    const head = await table.getByRole('columnheader').allTextContents();
    for (const col of ['Run', 'Seed', 'Width', 'Epochs']) expect(head.map((h) => h.trim())).toContain(col);
    await table.getByRole('button', { name: 'simclr' }).click();
    const live = w.page.getByTestId('run-page');
    const knn = live.locator('figure[aria-label="kNN top-1 (monitor)"]');
    await knn.locator('.main-svg').first().waitFor(wait);
    const ticks = await knn.locator('.xtick text').allTextContents();
    expect(ticks, 'epoch ticks').toEqual(['1', '2']);
    expect(await knn.locator('.g-xtitle').textContent()).toBe('epoch');
    expect(await knn.locator('.g-ytitle').textContent()).toBe('kNN top-1 (%)');
    expect(await w.page.getByTestId('run-time').textContent()).toMatch(/^\d+(\.\d)?s$/);
    expect(await w.page.getByTestId('run-time').textContent()).not.toBe('0.0s');
    await insideView('Runs table', table);
    await w.shoot('2-run-simclr');
    await table.getByRole('button', { name: 'random' }).click();
    await expect.poll(() => live.locator('dt:text-is("Epoch") + dd').textContent()).toBe('untrained');
    const randomKnn = live.locator('figure[aria-label="kNN top-1 (monitor)"]');
    await randomKnn.locator('.main-svg').first().waitFor(wait);
    expect(await randomKnn.locator('.xtick text').allTextContents()).toEqual(['1']);
    expect(await randomKnn.locator('.point').count(), 'a single point is drawn as a marker').toBe(1);
    expect(await table.getByRole('row').filter({ hasText: 'random' }).textContent()).toContain('untrained');
    await w.shoot('3-run-random');
  });

  it('Compare: metrics with a run id column, per-epoch kNN unsmoothed on the epoch axis, the report names its runs', async () => {
    await w.go('Compare');
    const metrics = w.page.getByRole('table', { name: 'Metrics' });
    await metrics.waitFor(wait);
    const head = (await metrics.getByRole('columnheader').allTextContents()).map((h) => h.trim());
    const runCol = head.indexOf('Run');
    expect(runCol).toBeGreaterThan(0);
    expect(head).toContain('kNN top-1');
    const ids = await metrics.getByRole('row').evaluateAll((rows, i) => rows.slice(1).map((r) => r.querySelectorAll('td')[i]?.textContent ?? ''), runCol);
    expect(ids).toHaveLength(2);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}$/);
    expect(await w.page.getByTestId('compare-runs').textContent()).toMatch(/^(simclr|random) [0-9a-f]{8}, (simclr|random) [0-9a-f]{8}$/);
    expect(await w.page.getByRole('button', { name: 'HTML report of these 2 runs' }).count()).toBe(1);
    await w.page.locator('select').filter({ has: w.page.locator('option[value="knn_top1"]') }).selectOption('knn_top1');
    const curves = w.page.locator('figure[aria-label="Curves"]');
    await curves.locator('.main-svg').first().waitFor(wait);
    await expect.poll(() => curves.locator('.g-xtitle').textContent()).toBe('epoch');
    expect(await curves.locator('.xtick text').allTextContents()).toEqual(['1', '2']);
    expect(await w.page.getByRole('slider').isDisabled(), 'no smoothing of a per-epoch metric').toBe(true);
    await insideView('Compare metrics table', metrics);
    await w.shoot('4-compare');
  });

  it('Augment and Evaluate tables stay inside the view; the jobs column is a rail that opens', async () => {
    await w.go('Augment');
    const grid = w.page.getByRole('table', { name: 'Augmented views' });
    await grid.getByRole('img').first().waitFor(wait);
    await insideView('Augment grid', grid);
    await w.shoot('5-augment');
    await w.go('Evaluate & export');
    const evals = w.page.getByRole('table', { name: 'Evaluations' });
    await evals.waitFor(wait);
    await insideView('Evaluations table', evals);
    await w.shoot('6-evaluate');
    const rail = w.page.getByRole('button', { name: /^Show jobs/ });
    expect(await rail.isVisible()).toBe(true);
    await rail.click();
    const tray = w.page.getByRole('region', { name: 'Jobs' });
    await tray.waitFor();
    expect(await tray.getByTestId('job').count()).toBeGreaterThan(0);
    await w.shoot('7-jobs-open');
    await w.page.getByRole('button', { name: 'Hide jobs' }).click();
    await expect.poll(() => tray.count()).toBe(0);
  });
});
