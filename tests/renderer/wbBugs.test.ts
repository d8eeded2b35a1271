// Issue 16, "wrong or misleading today": what the Compare, Runs and Run views showed wrongly,
// each checked against the real components and the lib/logic functions they draw with.
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import type { ApiClient, DatasetInfo, Evaluation, MetricPoint, TrainPreview, TrainRequest } from '../../src-main/api/contract';
import { formatMetric, metricMeta, runsCaption } from '../../src-renderer/src/lib/logic/format';
import { isBaseline, metricsRows } from '../../src-renderer/src/lib/logic/metricsTable';
import { elapsedSeconds, epochProgress } from '../../src-renderer/src/lib/logic/runProgress';
import { curveOf, xAxisLayout, yAxisLayout } from '../../src-renderer/src/lib/logic/series';
import { JobsState } from '../../src-renderer/src/lib/state/jobs.svelte';
import { Workbench } from '../../src-renderer/src/lib/state/workbench.svelte';
import JobsTray from '../../src-renderer/src/lib/ui/JobsTray.svelte';
import type { Shell } from '../../src-renderer/src/lib/transport/shell';
import { CompareState } from '../../src-renderer/src/views/compare/compare.svelte';
import CompareView from '../../src-renderer/src/views/compare/CompareView.svelte';
import MetricsTable from '../../src-renderer/src/views/compare/MetricsTable.svelte';
import RunPage from '../../src-renderer/src/views/runs/RunPage.svelte';
import RunsTable from '../../src-renderer/src/views/runs/RunsTable.svelte';
import { TrainState } from '../../src-renderer/src/views/train/train.svelte';
import TrainView from '../../src-renderer/src/views/train/TrainView.svelte';
import { job, run } from './fixtures';

const probe = (runId: string, epoch: number, top1: number, createdAt: string, baseline?: string): Evaluation => ({
  id: `ev-${epoch}-${createdAt}`, runId, epoch, kind: 'probe',
  params: { labelFraction: 1, seed: 0, ...(baseline ? { baseline } : {}) }, result: { top1 }, createdAt,
});
const point = (name: string, step: number, epoch: number, value: number, wall = step): MetricPoint => ({ name, step, epoch, value, wall });

describe('bug 1: a baseline stored under a run is not the run’s result', () => {
  // The random-init probe is stored under the run at epoch 0, after the run's own probe.
  const evals = [probe('r1', 2, 0.8, '2026-01-01T01:00:00Z'), probe('r1', 0, 0.75, '2026-01-01T01:00:05Z', 'random')];

  it('metricsRows reads the run’s own probe (80 %), never the random-init baseline (75 %)', () => {
    expect(metricsRows([run('r1')], evals)[0]!.probe['1']).toBe(0.8);
    expect(metricsRows([run('r1')], [evals[1]!])[0]!.probe['1']).toBeNull();
    expect(isBaseline(evals[1]!)).toBe(true);
    expect(isBaseline(evals[0]!)).toBe(false);
  });

  it('Compare’s metrics table shows 80.0 % under "Probe 100%"', () => {
    render(MetricsTable, { runs: [run('run-1a2b3c4d5e')], evals: evals.map((e) => ({ ...e, runId: 'run-1a2b3c4d5e' })) });
    const head = screen.getAllByRole('columnheader').map((c) => c.textContent);
    const row = within(screen.getAllByRole('row')[1]!).getAllByRole('cell').map((c) => c.textContent);
    expect(row[head.indexOf('Probe 100%')]).toBe('80.0%');
  });
});

describe('bug 2: Compare smooths per-step series only, draws a single point, kNN in %', () => {
  const knn = [point('knn_top1', 99, 0, 0.61), point('knn_top1', 199, 1, 0.6905)];
  it('a per-epoch metric is drawn where it is, whatever the smoothing', () => {
    const c = curveOf(knn, 'knn_top1', 'step', 0.6);
    expect(c.y.at(-1)).toBeCloseTo(69.05, 10);
    expect(c.y[0]).toBeCloseTo(61, 10);
    expect(c.mode).toBe('lines+markers');
  });
  it('a per-step metric is smoothed', () => {
    const c = curveOf([point('loss', 0, 0, 4), point('loss', 1, 0, 2)], 'loss', 'step', 0.6);
    expect(c.y[1]).not.toBe(2);
    expect(c.mode).toBe('lines');
  });
  it('a single-point series (the random run) draws a marker', () => {
    expect(curveOf([point('knn_top1', 0, 0, 0.3)], 'knn_top1', 'step', 0.6)).toMatchObject({ x: [1], mode: 'markers' });
  });
  it('kNN is a percentage on the chart, in the tables and in words', () => {
    expect(yAxisLayout('knn_top1')).toEqual({ title: { text: 'kNN top-1 (%)' }, range: [0, 100] });
    expect(formatMetric('knn_top1', 0.6905)).toBe('69.0%');
    expect(metricMeta('knn_top1').title).toBe('kNN top-1 (%)');
  });
});

describe('bug 3: per-epoch charts on an integer epoch axis', () => {
  it('puts per-epoch metrics at epoch 1, 2, … with integer ticks', () => {
    const c = curveOf([point('feature_std', 76, 0, 0.1), point('feature_std', 153, 1, 0.2)], 'feature_std');
    expect(c).toMatchObject({ axis: 'epoch', x: [1, 2] });
    expect(xAxisLayout('epoch', [c])).toMatchObject({ title: { text: 'epoch' }, tickmode: 'linear', tick0: 1, dtick: 1, range: [0.5, 2.5] });
  });
  it('a single-epoch (random) run’s axis is around 1, not −1..1', () => {
    const c = curveOf([point('knn_top1', 0, 0, 0.3)], 'knn_top1');
    expect(xAxisLayout(c.axis, [c])).toMatchObject({ range: [0.5, 1.5], dtick: 1 });
  });
  it('a long run gets at most about ten integer ticks', () => {
    expect(xAxisLayout('epoch', [{ x: [1, 100] }])['dtick']).toBe(10);
  });
  it('a single value’s y axis runs from 0 to twice it, not ±1 around it', () => {
    expect(yAxisLayout('feature_std', [{ y: [0.06] }])).toEqual({ title: { text: 'Feature std (collapse)' }, range: [0, 0.12] });
    expect(yAxisLayout('uniformity', [{ y: [-2] }, { y: [-2] }])['range']).toEqual([-4, 0]);
    expect(yAxisLayout('loss', [{ y: [3, 2] }])).toEqual({ title: { text: 'Loss' } });
  });
  it('per-step metrics stay on the step axis', () => {
    expect(xAxisLayout(curveOf([point('loss', 3, 0, 1)], 'loss').axis, [])).toEqual({ title: { text: 'step' } });
  });
});

// A client that answers runs.metrics with stored points, as the engine does; anything else fails the test.
function clientWith(points: MetricPoint[]): ApiClient {
  return {
    request: ((name: string) => (name === 'runs.metrics' ? Promise.resolve(points) : Promise.reject(new Error(`${name}: not in this test`)))) as ApiClient['request'],
    on: () => () => {},
  };
}
const noShell: Shell = { kind: 'http', pickImportPaths: async () => null, stageFiles: () => Promise.reject(new Error('no upload')), deliver: async () => null };

describe('bug 5: a live run shows its elapsed time; the random run is not "completed 1/2"', () => {
  it('elapsedSeconds follows the step points while the stored time waits for the epoch’s end', () => {
    const pts = [point('loss', 0, 0, 1, 1.5), point('loss', 1, 0, 1, 42.3)];
    expect(elapsedSeconds({ trainSeconds: 0, status: 'running' }, pts)).toBe(42.3);
    expect(elapsedSeconds({ trainSeconds: 50, status: 'running' }, pts)).toBe(50);
    // Once it stopped, the stored training time (the steps' own time, as the Runs table shows it).
    expect(elapsedSeconds({ trainSeconds: 12, status: 'completed' }, pts)).toBe(12);
  });

  it('the run page’s Time is the running clock, not 0.0s', async () => {
    const wb = new Workbench(clientWith([point('loss', 0, 0, 3, 2.1), point('loss', 1, 0, 2.9, 42.3)]), noShell);
    wb.runs = [run('r1', { status: 'running', epochsDone: 0, trainSeconds: 0 })];
    render(RunPage, { wb, runId: 'r1' });
    await waitFor(() => expect(screen.getByTestId('run-time').textContent).toBe('42s'));
  });

  it('the random-init run reads "untrained", in the table and on its page', async () => {
    const random = run('r2', { method: 'random', epochsDone: 1, epochs: 2, modelInfo: { backboneParams: 702_000, trainableParams: 0, featureDim: 128 } });
    expect(epochProgress(random)).toBe('untrained');
    expect(epochProgress(run('r3', { epochsDone: 1 }))).toBe('1/2');
    render(RunsTable, { runs: [random], onopen: () => {} });
    expect(screen.getAllByRole('row')[1]!.textContent).toContain('untrained');
    expect(screen.getAllByRole('row')[1]!.textContent).not.toContain('1/2');
  });
});

describe('bug 4: Train shows the values a run will really use, and why', () => {
  const dataset: DatasetInfo = {
    id: 'ds-1', name: 'fashion', source: '/x', sourceKind: 'folder', imageSize: 28, channels: 1, numItems: 12000, createdAt: 't',
    classes: ['a', 'b'], splits: { train: 10000, test: 2000 }, perClass: {}, failed: [],
  };
  // The engine's answer for SimCLR, 2 epochs on wasm (as tests/api/runsPreview.test.ts checks it is resolved).
  const simclr: TrainPreview = {
    method: 'simclr',
    config: { method: 'simclr', batch: 128, epochs: 2, warmupEpochs: 0, optimizer: 'lars', lr: 0.3, scaledLr: 0.15, weightDecay: 1e-6, preset: 'simclr-cifar' },
    notes: ["batch 128: the wasm backend's default (method default 256 needs more memory than it has)", 'warmupEpochs 0: at most 10% of the 2 epochs (method default 10)', "preset simclr-cifar: the method's augmentations for 28 px images"],
    error: null,
    field: null,
  };
  it('lists the resolved batch, warm-up and preset with the rules’ reasons, not the paper defaults', async () => {
    const asked: TrainRequest[] = [];
    const client: ApiClient = {
      request: ((name: string, req: TrainRequest) => {
        if (name !== 'runs.preview') return Promise.reject(new Error(`${name}: not in this test`));
        asked.push(req);
        return Promise.resolve([{ ...simclr, config: { ...simclr.config, epochs: req.epochs } }]);
      }) as ApiClient['request'],
      on: () => () => {},
    };
    const wb = new Workbench(client, noShell);
    wb.methods = [{ name: 'simclr', summary: 'SimCLR', params: { temperature: 0.5 }, train: { optimizer: 'lars', lr: 0.3, batch: 256, warmupEpochs: 10 }, preset: 'simclr' }];
    wb.datasets = [dataset];
    wb.datasetId = dataset.id;
    const tr = new TrainState(wb);
    tr.options.epochs = 2;
    render(TrainView, { wb, tr });
    const card = await waitFor(() => screen.getByTestId('resolved-simclr'));
    expect(card.textContent).toContain('batch 128');
    expect(card.textContent).toContain('warmupEpochs 0');
    expect(card.textContent).toContain('preset simclr-cifar');
    expect(card.textContent).not.toContain('batch 256');
    expect(asked.at(-1)).toMatchObject({ datasetId: 'ds-1', methods: ['simclr'], epochs: 2 });
    expect((screen.getByRole('spinbutton', { name: 'Batch' }) as HTMLInputElement).placeholder).toBe('128 (default)');
    await fireEvent.click(screen.getByRole('checkbox', { name: 'simclr' }));
    expect(screen.getByText('warmupEpochs 0: at most 10% of the 2 epochs (method default 10)')).toBeTruthy();
    expect(screen.getByText(/the wasm backend's default/)).toBeTruthy();
  });
});

describe('bug 6: runs can be told apart', () => {
  const runs = [
    run('run-1a2b3c4d', { config: { backbone: 'small', width: 0.25, seed: 0 } }),
    run('run-5e6f7a8b', { config: { backbone: 'small', width: 0.5, seed: 1 } }),
  ];
  const cellsUnder = (title: string) => {
    const i = screen.getAllByRole('columnheader').findIndex((c) => c.textContent?.trim().startsWith(title));
    expect(i, title).toBeGreaterThanOrEqual(0);
    return screen.getAllByRole('row').slice(1).map((r) => within(r).getAllByRole('cell')[i]!.textContent?.trim());
  };
  it('the Runs table shows run id, seed, width and epochs', () => {
    render(RunsTable, { runs, onopen: () => {} });
    expect(cellsUnder('Run').sort()).toEqual(['1a2b3c4d', '5e6f7a8b']);
    expect(cellsUnder('Seed').sort()).toEqual(['0', '1']);
    expect(cellsUnder('Width').sort()).toEqual(['0.25', '0.5']);
    expect(cellsUnder('Epochs')).toEqual(['2/2', '2/2']);
  });
  it('the Compare metrics table shows run id, seed, width and epochs', () => {
    render(MetricsTable, { runs, evals: [] });
    expect(cellsUnder('Run')).toEqual(['1a2b3c4d', '5e6f7a8b']);
    expect(cellsUnder('Seed')).toEqual(['0', '1']);
    expect(cellsUnder('Width')).toEqual(['0.25', '0.5']);
    expect(cellsUnder('Epochs')).toEqual(['2', '2']);
  });
  it('names runs with method and short id', () => {
    expect(runsCaption(runs)).toBe('simclr 1a2b3c4d, simclr 5e6f7a8b');
  });
});

describe('bug 7: the HTML report says which runs it compares', () => {
  it('Compare names its runs and reports exactly those', async () => {
    const asked: { name: string; req: unknown }[] = [];
    const delivered: string[] = [];
    const client: ApiClient = {
      request: ((name: string, req: unknown) => {
        asked.push({ name, req });
        if (name === 'runs.metrics') return Promise.resolve([]);
        if (name === 'eval.list') return Promise.resolve([]);
        if (name === 'report.create') return Promise.resolve({ jobId: 'job-r' });
        return Promise.reject(new Error(`${name}: not in this test`));
      }) as ApiClient['request'],
      on: () => () => {},
    };
    const shell: Shell = { ...noShell, deliver: async (file, _open, name) => (delivered.push(`${file.path} as ${name}`), file.path) };
    const wb = new Workbench(client, shell);
    wb.runs = [run('run-1a2b3c4d'), run('run-5e6f7a8b', { method: 'byol' }), run('run-99999999', { method: 'random' })];
    wb.runIds = ['run-1a2b3c4d', 'run-5e6f7a8b'];
    render(CompareView, { wb, cmp: new CompareState(wb) });
    expect(screen.getByTestId('compare-runs').textContent).toBe('simclr 1a2b3c4d, byol 5e6f7a8b');
    const button = screen.getByRole('button', { name: 'HTML report of these 2 runs' });
    expect(button.getAttribute('title')).toContain('simclr 1a2b3c4d, byol 5e6f7a8b');
    await fireEvent.click(button);
    await waitFor(() => expect(asked.some((a) => a.name === 'report.create')).toBe(true));
    expect(asked.find((a) => a.name === 'report.create')!.req).toEqual({ runIds: ['run-1a2b3c4d', 'run-5e6f7a8b'] });
    wb.jobs.upsert(job('job-r', { kind: 'report', status: 'completed', finishedAt: 'x', result: { path: '/ws/exports/report.html', bytes: 10 } }));
    await waitFor(() => expect(delivered).toEqual(['/ws/exports/report.html as pretext-report-1a2b3c4d-5e6f7a8b.html']));
    expect(await screen.findByText(/Report of simclr 1a2b3c4d, byol 5e6f7a8b/)).toBeTruthy();
  });
});

describe('bug 8: finished jobs do not pile up', () => {
  it('keeps every running job and the newest 20 finished ones', () => {
    const jobs = new JobsState(null);
    jobs.upsert(job('run-a', { label: 'train a' }));
    for (let i = 0; i < 30; i++) jobs.upsert(job(`done-${i}`, { status: 'completed', finishedAt: `2026-01-01T00:00:${String(i).padStart(2, '0')}Z` }));
    jobs.upsert(job('run-b', { label: 'train b', status: 'queued' }));
    expect(jobs.list).toHaveLength(22);
    expect(jobs.running.map((j) => j.id).sort()).toEqual(['run-a', 'run-b']);
    const finished = jobs.list.filter((j) => j.finishedAt).map((j) => j.id);
    expect(finished[0]).toBe('done-29');
    expect(finished.at(-1)).toBe('done-10');
    // A running job that finishes later is kept; the oldest finished one goes.
    jobs.upsert(job('run-a', { label: 'train a', status: 'completed', finishedAt: '2026-01-01T00:01:00Z' }));
    expect(jobs.list.map((j) => j.id)).toContain('run-a');
    expect(jobs.list.filter((j) => j.finishedAt)).toHaveLength(20);
  });
  it('the tray can be collapsed', async () => {
    let collapsed = false;
    render(JobsTray, { jobs: new JobsState(null), oncollapse: () => (collapsed = true) });
    await fireEvent.click(screen.getByRole('button', { name: 'Hide jobs' }));
    expect(collapsed).toBe(true);
  });
});

describe('bug 10: readable metric names from one mapping', () => {
  it('maps the keys the engine records', () => {
    expect(metricMeta('knn_top1').title).toBe('kNN top-1 (%)');
    expect(metricMeta('views_per_s').title).toBe('Throughput (views/s)');
    expect(metricMeta('loss')).toMatchObject({ title: 'Loss', perStep: true });
    expect(metricMeta('something_new')).toMatchObject({ title: 'something_new', perStep: false });
    expect(metricMeta('constructor').title).toBe('constructor');
  });
});
