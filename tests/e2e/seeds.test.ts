/**
 * Issue 16, seeds and run management, in Chromium at 1440×900 against `pretext serve` and the
 * real engine: a tiny folder is uploaded; SimCLR trains with seeds 0, 1, 2 from the Train view
 * (one group of three runs); Compare picks the group and draws its mean ± std band, with the
 * table by group (n = 3, the seeds, mean ± std); a run's settings panel shows its resolved
 * config, seed and group; a tag added there shows in the Runs table and filters it; "train
 * again" opens Train with the run's settings. Screenshots go to test-results/seeds-*.png.
 */
import { describe, expect, it } from 'vitest';
import { makeImageFolder } from './harness';
import { hasChromium, useSession } from './session';

describe.skipIf(!hasChromium)('seeds, groups and run management in Chromium', () => {
  const wait = { timeout: 120_000 };
  const w = useSession({ tmpPrefix: 'pretext-e2e-seeds-', shotPrefix: 'seeds', viewport: { width: 1440, height: 900 } });

  it('trains SimCLR with seeds 0, 1, 2 from the Train view: three runs of one group', async () => {
    const folder = await makeImageFolder(w.dir, 'shapes', ['circle', 'square', 'stripe'], 16);
    await w.page.getByTestId('folder-input').setInputFiles(folder);
    await w.page.getByRole('group', { name: 'Dataset list' }).getByRole('button', { name: /shapes/ }).waitFor(wait);
    await w.go('Train');
    // Each method card names its paper (the whole reference in its tooltip).
    expect(await w.page.getByTestId('cite-simclr').textContent()).toBe('Chen et al. 2020');
    expect(await w.page.getByTestId('cite-vicreg').getAttribute('title')).toContain('VICReg');
    await w.page.getByRole('checkbox', { name: 'simclr', exact: true }).check();
    for (const [label, value] of [['Width', '0.25'], ['Epochs', '2'], ['Batch', '8']] as const) await w.page.getByLabel(label).fill(value);
    await w.page.getByLabel('Seeds (repeats)').fill('0, 1, 2');
    await w.page.keyboard.press('Tab');
    await w.shoot('1-train-seeds');
    await w.page.getByRole('button', { name: /Start 3 runs/ }).click();
    await expect.poll(() => w.page.getByRole('heading', { level: 1 }).textContent()).toBe('Runs');
    const table = w.page.getByRole('table', { name: 'Runs' });
    await expect.poll(() => table.locator('.status[data-status="completed"]').count(), { timeout: 240_000, interval: 1000 }).toBe(3);
    const seeds = await table.getByRole('row').evaluateAll((rows) => rows.slice(1).map((r) => r.querySelectorAll('td')[2]?.textContent?.trim()));
    expect(seeds.sort()).toEqual(['0', '1', '2']);
  });

  it('Compare: the group as one mean ± std band, the table by group with n = 3', async () => {
    await w.go('Compare');
    await w.page.getByRole('button', { name: /simclr ×3/ }).click();
    const byGroup = w.page.getByRole('table', { name: 'Metrics by group of seeds' });
    await byGroup.waitFor(wait);
    const row = byGroup.getByTestId('group-row');
    expect(await row.count()).toBe(1);
    const cells = (await row.getByRole('cell').allTextContents()).map((c) => c.trim());
    expect(cells.slice(0, 3)).toEqual(['simclr', '3', '0, 1, 2']);
    expect(cells[3]).toMatch(/^\d+\.\d ± \d+\.\d$/);
    await w.page.locator('select').filter({ has: w.page.locator('option[value="knn_top1"]') }).selectOption('knn_top1');
    const curves = w.page.locator('figure[aria-label="Curves"]');
    await curves.locator('.main-svg').first().waitFor(wait);
    await expect.poll(() => curves.locator('.legendtext').allTextContents()).toEqual(['simclr mean ± std (3 seeds)']);
    // The band: a filled area between +1 and −1 std (plotly's tonexty fill).
    const fills = await curves.locator('path.js-fill').evaluateAll((ps) => ps.map((p) => p.getAttribute('d') ?? '').filter((d) => d.length > 10));
    expect(fills.length, 'a filled band').toBeGreaterThan(0);
    await w.shoot('2-compare-band');
    // Ungrouped: one line per run again.
    await w.page.getByLabel('group seeds (mean ± std)').uncheck();
    await expect.poll(() => curves.locator('.legendtext').count()).toBe(3);
    await w.page.getByLabel('group seeds (mean ± std)').check();
  });

  it('a run’s settings panel; a tag added there shows in the Runs table and filters it; train again', async () => {
    await w.go('Runs');
    const table = w.page.getByRole('table', { name: 'Runs' });
    await table.getByRole('button', { name: 'simclr' }).first().click();
    const panel = w.page.getByTestId('run-settings');
    await panel.waitFor(wait);
    const text = await panel.textContent();
    expect(text).toMatch(/Presetsimclr/);
    expect(text).toMatch(/grp-[0-9a-f]{8} · 3 runs/);
    await panel.getByText(/Resolved config/).click();
    expect(await panel.getByRole('table', { name: 'Resolved config' }).textContent()).toContain('params.temperature');
    await panel.getByLabel('New tags').fill('best');
    await panel.getByRole('button', { name: 'Add' }).click();
    await expect.poll(() => table.getByRole('row').filter({ hasText: 'best' }).count()).toBe(1);
    await panel.getByLabel(/Notes/).fill('first seed looks best');
    await panel.getByRole('button', { name: 'Save notes' }).click();
    await panel.getByRole('button', { name: 'Notes saved' }).waitFor();
    await w.page.getByRole('button', { name: '#best' }).click();
    await expect.poll(() => table.getByRole('row').count()).toBe(2);
    await w.shoot('3-run-settings-tag');
    await panel.getByRole('button', { name: 'Train again with these settings' }).click();
    await expect.poll(() => w.page.getByRole('heading', { level: 1 }).textContent()).toBe('Train');
    expect(await w.page.getByTestId('train-carried').textContent()).toMatch(/Settings of run [0-9a-f]{8}, with .*preset simclr/);
    expect(await w.page.getByLabel('Width').inputValue()).toBe('0.25');
    expect(await w.page.getByLabel('Epochs').inputValue()).toBe('2');
    expect(await w.page.getByRole('checkbox', { name: 'simclr', exact: true }).isChecked()).toBe(true);
    await w.shoot('4-train-again');
  });
});
