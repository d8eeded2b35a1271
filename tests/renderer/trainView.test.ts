// The Train view rendered from a given workbench state: method cards with their defaults,
// editable parameters of the picked methods, and the Start button that counts the runs.
import { fireEvent, render, screen } from '@testing-library/svelte';
import { tick } from 'svelte';
import { describe, expect, it } from 'vitest';
import type { ApiClient, DatasetInfo, MethodInfo } from '../../src-main/api/contract';
import { Workbench } from '../../src-renderer/src/lib/state/workbench.svelte';
import type { Shell } from '../../src-renderer/src/lib/transport/shell';
import { TrainState } from '../../src-renderer/src/views/train/train.svelte';
import TrainView from '../../src-renderer/src/views/train/TrainView.svelte';

// Rendering must not talk to the engine; these throw if it does.
const offline: ApiClient = {
  request: (name) => Promise.reject(new Error(`${name}: no engine in this test`)),
  on: () => () => {},
};
const noShell: Shell = {
  kind: 'http',
  pickImportPaths: async () => null,
  stageFiles: () => Promise.reject(new Error('no upload in this test')),
  deliver: async () => null,
};

const method = (name: string, params: MethodInfo['params'], lr: number): MethodInfo => ({ name, summary: `${name} summary`, params, train: { optimizer: 'lars', lr, batch: 256 }, preset: name });
const dataset: DatasetInfo = {
  id: 'ds-1', name: 'pets', source: '/x', sourceKind: 'folder', imageSize: 32, channels: 3, numItems: 40, createdAt: 't',
  classes: ['cat', 'dog'], splits: { train: 32, test: 8 }, perClass: {}, failed: [],
};

function setup(withDataset: boolean) {
  const wb = new Workbench(offline, noShell);
  wb.methods = [method('simclr', { temperature: 0.2 }, 0.4), method('byol', { baseTau: 0.99 }, 1), { ...method('mae', { maskRatio: 0.75 }, 1.5e-4), requiresViT: true }];
  if (withDataset) {
    wb.datasets = [dataset];
    wb.datasetId = dataset.id;
  }
  const tr = new TrainState(wb);
  render(TrainView, { wb, tr });
  return { wb, tr };
}

describe('TrainView', () => {
  it('shows every method with its training defaults, parameters only once picked', async () => {
    setup(true);
    expect(screen.getByText('simclr summary')).toBeTruthy();
    expect(screen.getAllByText('lr 0.4')).toHaveLength(1);
    expect(screen.queryByText('temperature')).toBeNull();
    await fireEvent.click(screen.getByRole('checkbox', { name: 'simclr' }));
    expect((screen.getByRole('spinbutton', { name: 'temperature' }) as HTMLInputElement).value).toBe('0.2');
  });

  it('counts the runs to start and keeps edited parameters for the request', async () => {
    const { tr } = setup(true);
    const start = () => screen.getByRole('button', { name: /Start/ }) as HTMLButtonElement;
    expect(start().disabled).toBe(true);
    await fireEvent.click(screen.getByRole('checkbox', { name: 'simclr' }));
    expect(start().textContent).toContain('Start training');
    await fireEvent.click(screen.getByRole('checkbox', { name: 'byol' }));
    expect(start().textContent).toContain('Start 2 runs');
    expect(start().disabled).toBe(false);
    await fireEvent.change(screen.getByRole('spinbutton', { name: 'temperature' }), { target: { value: '0.5' } });
    expect(tr.edited).toEqual({ simclr: { temperature: 0.5 } });
  });

  it('moves the backbone to a ViT when a ViT-only method is picked on a ResNet, and says so', async () => {
    const { tr } = setup(true);
    const backbone = () => screen.getByRole('combobox', { name: /Backbone/ }) as HTMLSelectElement;
    expect(backbone().value).toBe('small');
    await fireEvent.click(screen.getByRole('checkbox', { name: 'simclr' }));
    expect(backbone().value).toBe('small');
    await fireEvent.click(screen.getByRole('checkbox', { name: 'mae' }));
    expect(backbone().value).toBe('vit-mini');
    expect(tr.options.backbone).toBe('vit-mini');
    expect(screen.getByRole('status').textContent).toBe('mae trains a ViT: backbone set to vit-mini (was small)');
    // The user's own pick stays: vit-tiny is kept when mae is picked again, and the note goes.
    tr.options.backbone = 'vit-tiny'; // (jsdom's select does not drive Svelte's bind:value; the e2e tests pick in Chromium)
    await tick();
    expect(backbone().value).toBe('vit-tiny');
    expect(screen.queryByRole('status')).toBeNull();
    await fireEvent.click(screen.getByRole('checkbox', { name: 'mae' }));
    await fireEvent.click(screen.getByRole('checkbox', { name: 'mae' }));
    expect(tr.options.backbone).toBe('vit-tiny');
  });

  it('cannot start without a dataset and says so', async () => {
    setup(false);
    await fireEvent.click(screen.getByRole('checkbox', { name: 'simclr' }));
    expect((screen.getByRole('button', { name: /Start/ }) as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByText('Import a dataset first.')).toBeTruthy();
  });
});
