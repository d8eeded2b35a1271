// Issue 16, seeds and grouping, sweeps and run management in the views: Compare's bands and
// table by group of seeds (with the "within seed spread" mark on fixed numbers), the Train
// view's seeds and sweep fields, a run's settings panel (tags, notes, delete, train again)
// and the Runs table's tags and filter; against the real components.
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import type { ApiClient, RunInfo, TrainRequest } from '../../src-main/api/contract';
import { compareTraces, withAlpha } from '../../src-renderer/src/lib/logic/compareTraces';
import { groupRows } from '../../src-renderer/src/lib/logic/groupTable';
import { allTags, filterRuns, parseTags } from '../../src-renderer/src/lib/logic/runFilter';
import { curveOf } from '../../src-renderer/src/lib/logic/series';
import { parseSeeds, parseSweep, prefillOf } from '../../src-renderer/src/lib/logic/trainRepeats';
import { Workbench } from '../../src-renderer/src/lib/state/workbench.svelte';
import type { Shell } from '../../src-renderer/src/lib/transport/shell';
import GroupTable from '../../src-renderer/src/views/compare/GroupTable.svelte';
import SweepChart from '../../src-renderer/src/views/compare/SweepChart.svelte';
import RunPage from '../../src-renderer/src/views/runs/RunPage.svelte';
import RunsView from '../../src-renderer/src/views/runs/RunsView.svelte';
import { TrainState, trainAgain } from '../../src-renderer/src/views/train/train.svelte';
import TrainView from '../../src-renderer/src/views/train/TrainView.svelte';
import { run } from './fixtures';

const noShell: Shell = { kind: 'http', pickImportPaths: async () => null, stageFiles: () => Promise.reject(new Error('no upload')), deliver: async () => null };
const cfg = (seed: number) => ({ method: 'simclr', backbone: 'small', width: 0.25, seed, epochs: 2, batch: 64, lr: 0.3, optimizer: 'lars', weightDecay: 1e-6, momentum: 0.9, warmupEpochs: 0, preset: 'simclr-cifar', params: { temperature: 0.2 } });
const seeded = (id: string, method: string, seed: number, knn: number, over: Partial<RunInfo> = {}) =>
  run(id, { method, config: { ...cfg(seed), method }, latest: { knn_top1: knn }, groupId: 'grp-1', ...over });

/** A client that answers the requests named, records every request, and refuses the rest. */
function client(answers: Record<string, (req: unknown) => unknown>, asked: { name: string; req: unknown }[] = []): ApiClient {
  return {
    request: ((name: string, req: unknown) => {
      asked.push({ name, req });
      const a = answers[name];
      return a ? Promise.resolve(a(req)) : Promise.reject(new Error(`${name}: not in this test`));
    }) as ApiClient['request'],
    on: () => () => {},
  };
}

describe('Compare: seeds grouped', () => {
  const runs = [seeded('run-a0', 'simclr', 0, 0.8), seeded('run-a1', 'simclr', 1, 0.82), seeded('run-a2', 'simclr', 2, 0.81)];
  const pts = (v: number[]) => v.map((value, epoch) => ({ name: 'knn_top1', step: epoch * 10 + 9, epoch, value, wall: epoch }));
  const curves = [pts([0.5, 0.8]), pts([0.54, 0.82]), pts([0.52, 0.81])].map((p) => curveOf(p, 'knn_top1'));

  it('draws a group of seeds as a mean line inside a ± std band, named with its seeds', () => {
    const traces = compareTraces(runs, curves, true, ['#4c78a8']);
    expect(traces.map((t) => t.name)).toEqual(['simclr +1 std', 'simclr −1 std', 'simclr mean ± std (3 seeds)']);
    const [hi, lo, mean] = traces;
    expect(mean!.x).toEqual([1, 2]);
    expect(mean!.y[0]).toBeCloseTo(52, 10);
    expect(mean!.y[1]).toBeCloseTo(81, 10);
    expect(hi!.y[0]).toBeCloseTo(54, 10);
    expect(lo!.y[1]).toBeCloseTo(80, 10);
    expect(lo!.fill).toBe('tonexty');
    expect(lo!.fillcolor).toBe(withAlpha('#4c78a8', 0.2));
    expect(withAlpha('#4c78a8', 0.2)).toBe('rgba(76,120,168,0.2)');
    expect(hi!.showlegend).toBe(false);
    // Ungrouped: one line per run, as before.
    expect(compareTraces(runs, curves, false, ['#4c78a8']).map((t) => t.name)).toEqual(['simclr a0', 'simclr a1', 'simclr a2']);
  });

  it('shows mean ± std with n per group and marks a difference within the seed spread', () => {
    const byol = [seeded('run-b0', 'byol', 0, 0.79), seeded('run-b1', 'byol', 1, 0.81), seeded('run-b2', 'byol', 2, 0.8)];
    const far = [seeded('run-c0', 'moco', 0, 0.7), seeded('run-c1', 'moco', 1, 0.71), seeded('run-c2', 'moco', 2, 0.72)];
    const rows = groupRows([...runs, ...byol, ...far], []);
    expect(rows.map((r) => [r.label, r.runIds.length, r.seeds])).toEqual([['simclr', 3, [0, 1, 2]], ['byol', 3, [0, 1, 2]], ['moco', 3, [0, 1, 2]]]);
    expect(rows[0]!.cells['knn']!.vsBest).toBeNull();
    expect(rows[1]!.cells['knn']!.vsBest).toMatchObject({ within: true, best: 'simclr' });
    expect(rows[2]!.cells['knn']!.vsBest).toMatchObject({ within: false, best: 'simclr' });

    render(GroupTable, { runs: [...runs, ...byol, ...far], evals: [] });
    const body = screen.getAllByTestId('group-row');
    const cells = (i: number) => within(body[i]!).getAllByRole('cell').map((c) => c.textContent?.trim());
    expect(cells(0).slice(0, 4)).toEqual(['simclr', '3', '0, 1, 2', '81.0 ± 1.0']);
    expect(cells(1)[3]).toBe('80.0 ± 1.0 within seed spread');
    expect(cells(2)[3]).toBe('71.0 ± 1.0');
    expect(screen.getAllByTestId('within-spread')).toHaveLength(1);
    expect(within(body[1]!).getAllByRole('cell')[3]!.getAttribute('title')).toBe('vs simclr: Δ -1.00 pp, Welch t-test p = 0.288 > 0.05: within seed spread (n = 3 and 3)');
    expect(within(body[2]!).getAllByRole('cell')[3]!.getAttribute('title')).toMatch(/^vs simclr: Δ -10.00 pp, Welch t-test p = 0\.000 ≤ 0\.05/);
  });
});

describe('Compare: a sweep', () => {
  it('draws the final kNN top-1 against the swept value, with n per value; nothing without a sweep', () => {
    const sw = (id: string, value: number, seed: number, knn: number) =>
      seeded(id, 'simclr', seed, knn, { config: { ...cfg(seed), params: { temperature: value } }, sweep: { key: 'temperature', value } });
    const { unmount } = render(SweepChart, { runs: [sw('r1', 0.5, 0, 0.7), sw('r2', 0.1, 0, 0.8), sw('r3', 0.1, 1, 0.82)], evals: [] });
    const chart = screen.getByTestId('sweep-chart');
    expect(chart.textContent).toContain('Sweep: kNN top-1 against temperature');
    expect(chart.textContent).toContain('simclr: 0.1 (n=2), 0.5 (n=1)');
    unmount();
    render(SweepChart, { runs: [seeded('r4', 'simclr', 0, 0.8)], evals: [] });
    expect(screen.queryByTestId('sweep-chart')).toBeNull();
  });
});

describe('Train: seeds and sweep fields', () => {
  it('parses seeds and sweep values, refusing what runs.create would refuse', () => {
    expect(parseSeeds('0, 1,2')).toEqual({ value: [0, 1, 2], error: null });
    expect(parseSeeds('')).toEqual({ value: undefined, error: null });
    expect(parseSeeds('0,x').error).toMatch(/'x' is not a seed/);
    expect(parseSeeds('1,1').error).toMatch(/repeated/);
    expect(parseSeeds(Array.from({ length: 17 }, (_, i) => i).join(',')).error).toMatch(/at most 16/);
    expect(parseSweep('temperature', '0.1, 0.2,0.5')).toEqual({ value: { key: 'temperature', values: [0.1, 0.2, 0.5] }, error: null });
    expect(parseSweep('', '0.1')).toEqual({ value: undefined, error: null });
    expect(parseSweep('lr', '').error).toMatch(/give the values of lr/);
  });

  it('starts one run per seed: runs.create gets seeds, the button counts the runs', async () => {
    const asked: { name: string; req: unknown }[] = [];
    const wb = new Workbench(client({ 'runs.preview': () => [], 'runs.create': () => ({ runIds: ['r1', 'r2', 'r3'], jobIds: [], groupId: 'grp-1' }), 'runs.list': () => [] }, asked), noShell);
    wb.methods = [{ name: 'simclr', summary: 'SimCLR', params: { temperature: 0.5 }, train: {}, preset: 'simclr' }];
    wb.datasetId = 'ds-1';
    const tr = new TrainState(wb);
    render(TrainView, { wb, tr });
    await fireEvent.click(screen.getByRole('checkbox', { name: 'simclr' }));
    await fireEvent.input(screen.getByRole('textbox', { name: /Seeds/ }), { target: { value: '0, 1, 2' } });
    const start = screen.getByRole('button', { name: /Start 3 runs/ });
    await fireEvent.click(start);
    await waitFor(() => expect(asked.some((a) => a.name === 'runs.create')).toBe(true));
    const req = asked.find((a) => a.name === 'runs.create')!.req as TrainRequest;
    expect(req.seeds).toEqual([0, 1, 2]);
    expect(req.seed).toBeUndefined();
  });
});

describe('a run’s settings panel', () => {
  const stored = seeded('run-5e6f7a8b', 'simclr', 1, 0.8, { tags: ['wide'], notes: '', backendInfo: { device: '2 threads' }, backend: 'wasm', datasetId: 'ds-1' });

  it('shows the resolved config, preset, backend, seed and group; tags and notes are stored', async () => {
    const asked: { name: string; req: unknown }[] = [];
    let now = stored;
    const wb = new Workbench(client({ 'runs.metrics': () => [], 'runs.label': (req) => (now = { ...now, ...(req as object) }) }, asked), noShell);
    wb.runs = [stored, seeded('run-other', 'simclr', 2, 0.81)];
    render(RunPage, { wb, runId: stored.id });
    const panel = screen.getByTestId('run-settings');
    expect(panel.textContent).toContain('simclr-cifar');
    expect(panel.textContent).toContain('wasm (2 threads)');
    expect(panel.textContent).toMatch(/Seed\s*1/);
    expect(panel.textContent).toMatch(/grp-1 · 2 runs/);
    const config = within(panel).getByRole('table', { name: 'Resolved config' });
    expect(config.textContent).toContain('params.temperature');
    expect(config.textContent).toContain('warmupEpochs');

    await fireEvent.input(within(panel).getByRole('textbox', { name: 'New tags' }), { target: { value: 'best seed1' } });
    await fireEvent.click(within(panel).getByRole('button', { name: 'Add' }));
    await waitFor(() => expect(asked.find((a) => a.name === 'runs.label')?.req).toEqual({ id: stored.id, tags: ['wide', 'best', 'seed1'] }));
    await waitFor(() => expect(wb.runs[0]!.tags).toEqual(['wide', 'best', 'seed1']));
    await fireEvent.input(within(panel).getByRole('textbox', { name: /Notes/ }), { target: { value: 'loss spikes' } });
    await fireEvent.click(within(panel).getByRole('button', { name: 'Save notes' }));
    await waitFor(() => expect(asked.at(-1)).toEqual({ name: 'runs.label', req: { id: stored.id, notes: 'loss spikes' } }));
  });

  it('deletes after a confirm, and trains again with the run’s settings', async () => {
    const asked: { name: string; req: unknown }[] = [];
    const wb = new Workbench(client({ 'runs.metrics': () => [], 'runs.delete': () => ({ deleted: true }), 'runs.list': () => [], 'runs.preview': () => [] }, asked), noShell);
    wb.runs = [stored];
    wb.openRunId = stored.id;
    render(RunPage, { wb, runId: stored.id });
    await fireEvent.click(screen.getByRole('button', { name: 'Train again with these settings' }));
    expect(wb.view).toBe('train');
    expect(trainAgain.pending).toMatchObject({ runId: stored.id, method: 'simclr', options: { seed: 1, width: 0.25, lr: 0.3, batch: 64 }, params: { temperature: 0.2 }, carried: { weightDecay: 1e-6, momentum: 0.9, warmupEpochs: 0, preset: 'simclr-cifar' } });
    wb.methods = [{ name: 'simclr', summary: 'SimCLR', params: { temperature: 0.5 }, train: {}, preset: 'simclr' }];
    const tr = new TrainState(wb);
    render(TrainView, { wb, tr });
    await waitFor(() => expect(tr.picked).toEqual(['simclr']));
    expect(trainAgain.pending).toBeNull();
    expect(tr.options).toMatchObject({ seed: 1, width: 0.25, epochs: 2, batch: 64, lr: 0.3, optimizer: 'lars' });
    expect(screen.getByTestId('train-carried').textContent).toContain('weightDecay 0.000001');

    expect(asked.some((a) => a.name === 'runs.delete')).toBe(false);
    await fireEvent.click(screen.getByRole('button', { name: 'Delete…' }));
    expect(screen.getByRole('alert').textContent).toMatch(/Delete run 5e6f7a8b \(simclr\) and its files/);
    await fireEvent.click(within(screen.getByRole('alert')).getByRole('button', { name: 'Delete' }));
    await waitFor(() => expect(asked.find((a) => a.name === 'runs.delete')?.req).toEqual({ id: stored.id }));
    await waitFor(() => expect(wb.openRunId).toBeNull());
  });

  it('prefillOf reads a stored config as the form’s values', () => {
    expect(prefillOf(stored)).toMatchObject({ datasetId: 'ds-1', method: 'simclr', options: { backbone: 'small', optimizer: 'lars', epochs: 2 } });
  });
});

describe('Runs: tags shown and filtered', () => {
  const runs = [
    seeded('run-1', 'simclr', 0, 0.8, { tags: ['best', 'wide'] }),
    seeded('run-2', 'byol', 0, 0.7, { tags: ['wide'], notes: 'lr too high' }),
    seeded('run-3', 'moco', 0, 0.6, { groupId: 'grp-2' }),
  ];
  it('filters by tag:NAME and by words in method, notes and group', () => {
    expect(filterRuns(runs, 'tag:wide').map((r) => r.id)).toEqual(['run-1', 'run-2']);
    expect(filterRuns(runs, 'tag:wid').map((r) => r.id)).toEqual([]);
    expect(filterRuns(runs, 'too high').map((r) => r.id)).toEqual(['run-2']);
    expect(filterRuns(runs, 'grp-2').map((r) => r.id)).toEqual(['run-3']);
    expect(filterRuns(runs, '  ').map((r) => r.id)).toEqual(['run-1', 'run-2', 'run-3']);
    expect(allTags(runs)).toEqual(['wide', 'best']);
    expect(parseTags('a, b  a')).toEqual(['a', 'b']);
  });

  it('the Runs view shows tags and filters the table', async () => {
    const wb = new Workbench(client({ 'runs.metrics': () => [] }), noShell);
    wb.runs = runs;
    render(RunsView, { wb });
    const table = screen.getByRole('table', { name: 'Runs' });
    expect(within(table).getAllByRole('row')).toHaveLength(4);
    expect(table.textContent).toContain('best');
    await fireEvent.click(screen.getByRole('button', { name: '#best' }));
    await waitFor(() => expect(within(table).getAllByRole('row')).toHaveLength(2));
    expect(screen.getByText('1 of 3 runs')).toBeTruthy();
    await fireEvent.input(screen.getByRole('searchbox', { name: 'Filter runs' }), { target: { value: 'nothing-like-this' } });
    await waitFor(() => expect(table.textContent).toContain("No run matches 'nothing-like-this'."));
  });
});
