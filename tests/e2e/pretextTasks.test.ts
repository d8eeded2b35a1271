/**
 * Issue 13's methods from the workbench, in Chromium against `pretext serve` and the real engine:
 * a folder of colour pictures is uploaded; the Augment view shows a task's pieces and the masked
 * column of MAE; the pretext tasks train from the Train view on the small ResNet, then MAE and
 * data2vec, whose pick moves the backbone to vit-mini. Screenshots: test-results/tasks-*.png.
 */
import { describe, expect, it } from 'vitest';
import { makeImageFolder } from './harness';
import { hasChromium, useSession } from './session';

/** Issue 13's methods that train on a ResNet, and the masked-image-modelling ones (a ViT). */
const RESNET_METHODS = ['rotation', 'jigsaw', 'context', 'counting', 'pirl', 'cpc'];
const VIT_METHODS = ['mae', 'data2vec'];

describe.skipIf(!hasChromium)('pretext tasks and masked image modelling in Chromium', () => {
  const wait = { timeout: 120_000 };
  const w = useSession({ tmpPrefix: 'pretext-e2e-tasks-', shotPrefix: 'tasks', viewport: { width: 1440, height: 900 } });

  it('previews jigsaw tiles and MAE masks in the Augment view', async () => {
    const folder = await makeImageFolder(w.dir, 'stripes', ['a', 'b'], 8);
    await w.page.getByTestId('folder-input').setInputFiles(folder);
    await w.page.getByRole('group', { name: 'Dataset list' }).getByRole('button', { name: /stripes/ }).waitFor(wait);
    await w.go('Augment');
    // A pretext task's pieces with their targets, then MAE's masks.
    await w.page.getByLabel('Preset').selectOption('method:jigsaw');
    const grid0 = w.page.getByRole('table', { name: 'Augmented views' });
    await expect.poll(() => grid0.getByRole('listitem').filter({ hasText: /permutation #\d+/ }).count(), wait).toBeGreaterThan(0);
    await w.shoot('0-augment-jigsaw');
    await w.page.getByLabel('Preset').selectOption('method:mae');
    const grid = w.page.getByRole('table', { name: 'Augmented views' });
    await expect.poll(() => grid.getByRole('columnheader').allTextContents(), wait).toEqual(['original', 'view-1', 'masked']);
    expect(await grid.getByText(/^48 of 64 patches removed \(random, ratio 0\.75\)$/).count()).toBeGreaterThan(0);
    await w.shoot('1-augment-mae');
  });

  it('trains the pretext tasks on the ResNet, then MAE and data2vec on vit-mini', async () => {
    await w.go('Train');
    for (const m of RESNET_METHODS) await w.page.getByRole('checkbox', { name: m, exact: true }).check();
    for (const [label, value] of [['Width', '0.25'], ['Epochs', '1'], ['Batch', '8']] as const) await w.page.getByLabel(label).fill(value);
    await w.page.keyboard.press('Tab');
    await w.page.getByRole('button', { name: new RegExp(`Start ${RESNET_METHODS.length} runs`) }).click();
    await expect.poll(() => w.page.getByRole('heading', { level: 1 }).textContent()).toBe('Runs');
    const table = w.page.getByRole('table', { name: 'Runs' });
    await expect.poll(() => table.locator('.status[data-status="completed"]').count(), { timeout: 300_000, interval: 1000 }).toBe(RESNET_METHODS.length);

    await w.go('Train');
    for (const m of RESNET_METHODS) await w.page.getByRole('checkbox', { name: m, exact: true }).uncheck();
    for (const m of VIT_METHODS) await w.page.getByRole('checkbox', { name: m, exact: true }).check();
    expect(await w.page.getByLabel('Backbone').inputValue()).toBe('vit-mini');
    expect(await w.page.getByRole('status').filter({ hasText: 'trains a ViT' }).textContent()).toBe('mae trains a ViT: backbone set to vit-mini (was small)');
    await w.shoot('2-train-vit');
    await w.page.getByRole('button', { name: /Start 2 runs/ }).click();
    await expect.poll(() => w.page.getByRole('heading', { level: 1 }).textContent()).toBe('Runs');
    await expect.poll(() => table.locator('.status[data-status="completed"]').count(), { timeout: 300_000, interval: 1000 }).toBe(RESNET_METHODS.length + VIT_METHODS.length);
    await expect.poll(() => table.locator('.status[data-status="failed"]').count()).toBe(0);
    await w.shoot('3-runs');
  });
});
