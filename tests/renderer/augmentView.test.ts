// The Augment view: what fired on each view under its image, dropdowns for enumerated options,
// a stale marker while a value is invalid or not applied, and its state kept across a switch
// of views (the view unmounted and mounted again on the same AugmentState).
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import type { ApiClient, AugmentOps, AugmentPreview, AugmentPreviewRequest, ViewSpecJson } from '../../src-main/api/contract';
import { choicesAt, invalidReason, opsLines } from '../../src-renderer/src/lib/logic/augmentForm';
import { fieldsOf, type Field } from '../../src-renderer/src/lib/logic/specForm';
import { Workbench } from '../../src-renderer/src/lib/state/workbench.svelte';
import type { Shell } from '../../src-renderer/src/lib/transport/shell';
import { AugmentState } from '../../src-renderer/src/views/augment/augment.svelte';
import AugmentView from '../../src-renderer/src/views/augment/AugmentView.svelte';
import SpecForm from '../../src-renderer/src/views/augment/SpecForm.svelte';
import AugmentGrid from '../../src-renderer/src/views/augment/AugmentGrid.svelte';

const noShell: Shell = { kind: 'http', pickImportPaths: async () => null, stageFiles: () => Promise.reject(new Error('no upload here')), deliver: async () => null };

const VIEW: ViewSpecJson = {
  name: 'view-1', size: 32, crop: { scale: [0.08, 1], ratio: [0.75, 1.33], interpolation: 'bicubic' }, flipProb: 0.5,
  colorJitter: { prob: 0.8, brightness: 0.4, contrast: 0.4, saturation: 0.2, hue: 0.1 }, grayscaleProb: 0.2, blur: { prob: 0.5, sigma: [0.1, 2], kernel: 'full' }, solarize: null,
};
const OPS: AugmentOps = {
  crop: { top: 4, left: 3, height: 22, width: 20 }, flip: true,
  jitter: { order: ['hue', 'brightness', 'saturation', 'contrast'], brightness: 1.234, contrast: 0.9, saturation: null, hue: -0.0456 },
  grayscale: false, blurSigma: 1.2, solarize: false,
};

/** The engine as the view sees it: one dataset, one preset, previews that echo the request. */
function workbench() {
  const previews: AugmentPreviewRequest[] = [];
  const client: ApiClient = {
    request: (async (name: string, req: AugmentPreviewRequest) => {
      if (name !== 'augment.preview') throw new Error(`${name}: not in this test`);
      previews.push(req);
      const views = (req.views as ViewSpecJson[] | undefined) ?? [VIEW];
      const res: AugmentPreview = { preset: req.method ?? req.preset ?? 'simclr', views, seed: req.seed ?? 0, millis: 12, rows: [{ index: 7, label: 'cat', original: 'data:,o', views: views.map(() => 'data:,v'), ops: views.map(() => OPS) }] };
      return res;
    }) as ApiClient['request'],
    on: () => () => {},
  };
  const wb = new Workbench(client, noShell);
  wb.datasets = [{ id: 'd1', name: 'tiny' } as Workbench['datasets'][number]];
  wb.datasetId = 'd1';
  wb.presets = [{ name: 'simclr', summary: '', views: [VIEW] }];
  wb.methods = [
    { name: 'simclr', summary: '', params: {}, train: {}, preset: 'simclr' },
    { name: 'jigsaw', summary: '', params: {}, train: {}, preset: 'method' },
  ];
  return { wb, previews };
}

describe('Augment form logic', () => {
  it('finds the enumerated options of a view pipeline', () => {
    expect(choicesAt(['crop', 'interpolation'])).toEqual(['bilinear', 'bicubic']);
    expect(choicesAt(['blur', 'kernel'])).toEqual(['tenth', 'full']);
    expect(choicesAt(['name'])).toBeNull();
    expect(choicesAt(['nope', 'x'])).toBeNull();
  });

  it('says why a typed value is invalid for its field', () => {
    const n: Field = { kind: 'number', path: ['flipProb'], label: 'flipProb', value: 0.5, min: 0, max: 1 };
    expect(invalidReason(n, ['0.3'])).toBeNull();
    expect(invalidReason(n, ['2'])).toBe('above 1');
    expect(invalidReason(n, [''])).toBe('not a number');
    const r: Field = { kind: 'range', path: ['crop', 'scale'], label: 'scale', value: [0.08, 1], min: 0, max: 1 };
    expect(invalidReason(r, ['0.9', '0.2'])).toBe('min above max');
    expect(invalidReason(r, ['-1', '0.2'])).toBe('below 0');
  });

  it('words the operations that fired, jitter in the order it ran', () => {
    expect(opsLines(OPS)).toEqual(['crop 20×22 at (3, 4)', 'flip', 'jitter hue −0.046, brightness ×1.23, contrast ×0.90', 'blur σ 1.20']);
    expect(opsLines({ crop: null, flip: false, jitter: null, grayscale: true, blurSigma: null, solarize: true })).toEqual(['grayscale', 'solarize']);
  });
});

describe('SpecForm', () => {
  it('offers enumerated options as a dropdown and keeps an invalid entry out of the spec', async () => {
    const onedit = vi.fn();
    const ondraft = vi.fn();
    render(SpecForm, { fields: fieldsOf(VIEW), onedit, ondraft });
    const interp = screen.getByRole('combobox', { name: 'interpolation' }) as HTMLSelectElement;
    expect([...interp.options].map((o) => o.value)).toEqual(['bilinear', 'bicubic']);
    await fireEvent.change(interp, { target: { value: 'bilinear' } });
    expect(onedit).toHaveBeenLastCalledWith(['crop', 'interpolation'], 'bilinear');
    expect(screen.getByRole('combobox', { name: 'kernel' })).toBeTruthy();
    await fireEvent.input(screen.getByLabelText('flipProb'), { target: { value: '1.5' } });
    expect(ondraft).toHaveBeenLastCalledWith(['flipProb'], { text: ['1.5'], reason: 'above 1' });
    await fireEvent.change(screen.getByLabelText('flipProb'), { target: { value: '1.5' } });
    expect(onedit).toHaveBeenCalledTimes(1);
  });
});

describe('AugmentView', () => {
  it('shows what fired under each view, marks the preview stale while a value is invalid, and keeps all of it across a switch', async () => {
    const { wb, previews } = workbench();
    const aug = new AugmentState(wb);
    const first = render(AugmentView, { wb, aug });
    const grid = await screen.findByRole('table', { name: 'Augmented views' });
    const ops = within(grid).getByRole('list', { name: 'operations of view 1 of 7' });
    expect(within(ops).getAllByRole('listitem').map((li) => li.textContent)).toEqual(opsLines(OPS));
    expect(screen.queryByTestId('stale')).toBeNull();

    await fireEvent.input(screen.getByLabelText('flipProb'), { target: { value: '2' } });
    await fireEvent.change(screen.getByLabelText('flipProb'), { target: { value: '2' } });
    expect(screen.getByTestId('stale').textContent).toContain('view-1 flipProb (above 1)');
    expect((screen.getByRole('button', { name: 'Apply' }) as HTMLButtonElement).disabled).toBe(true);
    const panel = document.querySelector('details')!;
    panel.open = false;
    await fireEvent(panel, new Event('toggle'));

    // Another view and back: the same state, the invalid text, the marker and the closed panel.
    first.unmount();
    render(AugmentView, { wb, aug });
    expect((screen.getByLabelText('flipProb') as HTMLInputElement).value).toBe('2');
    expect(screen.getByTestId('stale').textContent).toContain('flipProb (above 1)');
    expect(document.querySelector('details')!.open).toBe(false);
    expect(previews).toHaveLength(1);

    // A valid value: not applied yet, then applied.
    await fireEvent.change(screen.getByLabelText('flipProb'), { target: { value: '0.25' } });
    expect(screen.getByTestId('stale').textContent).toContain('Apply to see them');
    await fireEvent.click(screen.getByRole('button', { name: 'Apply' }));
    await waitFor(() => expect(screen.queryByTestId('stale')).toBeNull());
    expect((previews[1]!.views as ViewSpecJson[])[0]!['flipProb']).toBe(0.25);
  });
});

describe('AugmentGrid', () => {
  it('adds a masked column with its caption when the method masks patches (mae, data2vec)', () => {
    const views = [{ name: 'view-1', size: 28 }] as unknown as ViewSpecJson[];
    const row = { index: 3, label: null, original: 'data:,o', views: ['data:,v'], ops: [OPS] };
    const plain = render(AugmentGrid, { preview: { preset: 'mae', views, seed: 0, millis: 1, rows: [row] }, stale: false });
    expect(screen.getAllByRole('columnheader').map((th) => th.textContent)).toEqual(['original', 'view-1']);
    plain.unmount();
    render(AugmentGrid, { preview: { preset: 'mae', views, seed: 0, millis: 1, rows: [{ ...row, masked: 'data:,m' }], masked: { caption: '37 of 49 patches removed (random, ratio 0.75)' } }, stale: false });
    expect(screen.getAllByRole('columnheader').map((th) => th.textContent)).toEqual(['original', 'view-1', 'masked']);
    expect((screen.getByAltText('masked view of 3') as HTMLImageElement).src).toBe('data:,m');
    expect(screen.getByText('37 of 49 patches removed (random, ratio 0.75)')).toBeTruthy();
  });
});

describe('Augment view: a method\'s own views', () => {
  it('offers the methods whose views are their own beside the presets, and previews by method', async () => {
    const { wb, previews } = workbench();
    const aug = new AugmentState(wb);
    render(AugmentView, { wb, aug });
    const select = screen.getByRole('combobox', { name: 'Preset' }) as HTMLSelectElement;
    const group = select.querySelector('optgroup')!;
    expect(group.label).toBe("Methods' own views");
    expect([...group.querySelectorAll('option')].map((o) => [o.value, o.textContent])).toEqual([['method:jigsaw', 'jigsaw']]);
    aug.choosePreset('method:jigsaw');
    await waitFor(() => expect(previews.at(-1)).toMatchObject({ method: 'jigsaw' }));
    expect(previews.at(-1)!.preset).toBeUndefined();
    await waitFor(() => expect(aug.shownViews).toEqual([VIEW]));
  });
});
