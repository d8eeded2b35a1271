import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import type { DatasetItem } from '../../src-main/api/contract';
import { fieldsOf } from '../../src-renderer/src/lib/logic/specForm';
import { JobsState } from '../../src-renderer/src/lib/state/jobs.svelte';
import EngineBanner from '../../src-renderer/src/lib/ui/EngineBanner.svelte';
import JobBar from '../../src-renderer/src/lib/ui/JobBar.svelte';
import JobsTray from '../../src-renderer/src/lib/ui/JobsTray.svelte';
import SpecForm from '../../src-renderer/src/views/augment/SpecForm.svelte';
import ConfigDiff from '../../src-renderer/src/views/compare/ConfigDiff.svelte';
import MetricsTable from '../../src-renderer/src/views/compare/MetricsTable.svelte';
import Gallery from '../../src-renderer/src/views/datasets/Gallery.svelte';
import RunsTable from '../../src-renderer/src/views/runs/RunsTable.svelte';
import { job, run } from './fixtures';

describe('RunsTable', () => {
  const runs = [
    run('r1', { method: 'simclr', latest: { knn_top1: 0.42 }, createdAt: '2026-01-01T00:00:00Z' }),
    run('r2', { method: 'byol', status: 'running', epochsDone: 1, latest: { knn_top1: 0.61 }, createdAt: '2026-01-02T00:00:00Z' }),
    run('r3', { method: 'vicreg', status: 'failed', latest: {}, createdAt: '2026-01-03T00:00:00Z' }),
  ];
  const methods = () => screen.getAllByRole('row').slice(1).map((r) => within(r).getAllByRole('cell')[0]!.textContent?.trim());

  it('shows each run with its status, epoch, kNN and time, newest first', () => {
    render(RunsTable, { runs, onopen: () => {} });
    expect(methods()).toEqual(['vicreg', 'byol', 'simclr']);
    const byol = screen.getAllByRole('row')[2]!;
    expect(byol.textContent).toContain('running');
    expect(byol.textContent).toContain('1/2');
    expect(byol.textContent).toContain('61.0%');
    expect(byol.textContent).toContain('13s');
  });

  it('sorts by a column on click, missing values last, and flips on a second click', async () => {
    render(RunsTable, { runs, onopen: () => {} });
    await fireEvent.click(screen.getByRole('button', { name: /kNN top-1/ }));
    expect(methods()).toEqual(['simclr', 'byol', 'vicreg']);
    await fireEvent.click(screen.getByRole('button', { name: /kNN top-1/ }));
    expect(methods()).toEqual(['byol', 'simclr', 'vicreg']);
  });

  it('opens the run that is clicked', async () => {
    const onopen = vi.fn();
    render(RunsTable, { runs, onopen });
    await fireEvent.click(screen.getByRole('button', { name: 'byol' }));
    expect(onopen).toHaveBeenCalledWith('r2');
  });
});

describe('jobs', () => {
  it('JobBar shows progress, ETA and cancels the job', async () => {
    const oncancel = vi.fn();
    render(JobBar, { job: job('j1', { done: 3, total: 10, etaSeconds: 65 }), oncancel });
    expect(screen.getByText('3/10 steps')).toBeTruthy();
    expect(screen.getByText('ETA 1m 05s')).toBeTruthy();
    expect((screen.getByRole('progressbar') as HTMLProgressElement).value).toBe(30);
    await fireEvent.click(screen.getByRole('button', { name: /Cancel/ }));
    expect(oncancel).toHaveBeenCalledWith('j1');
  });

  it('JobBar of a failed job shows the error and no cancel', () => {
    render(JobBar, { job: job('j2', { status: 'failed', finishedAt: 'x', error: 'out of memory' }), oncancel: () => {} });
    expect(screen.getByText('out of memory')).toBeTruthy();
    expect(screen.queryByRole('button')).toBeNull();
  });

  it("JobBar shows the work's stage while it runs, not once it is over", () => {
    const { unmount } = render(JobBar, { job: job('j3', { message: 'decoding' }) });
    expect(screen.getByText('decoding')).toBeTruthy();
    unmount();
    render(JobBar, { job: job('j3', { status: 'completed', finishedAt: 'x', message: 'decoding' }) });
    expect(screen.queryByText('decoding')).toBeNull();
    expect(screen.getByText('completed')).toBeTruthy();
  });

  it('JobsState keeps finished jobs finished and resolves waiters', async () => {
    const jobs = new JobsState(null);
    jobs.upsert(job('j1'));
    const done = jobs.waitFor('j1');
    jobs.upsert(job('j1', { status: 'completed', done: 10, finishedAt: 'x', result: { path: 'out.csv', bytes: 3 } }));
    jobs.upsert(job('j1', { status: 'running', done: 9 })); // a late progress batch
    expect((await done).status).toBe('completed');
    expect(jobs.list[0]!.status).toBe('completed');
    await expect(jobs.resultOf('j1')).resolves.toEqual({ path: 'out.csv', bytes: 3 });
    jobs.upsert(job('j2', { status: 'failed', finishedAt: 'y', error: 'bad PNG' }));
    await expect(jobs.resultOf('j2')).rejects.toThrow('bad PNG');
  });

  it('JobsTray lists running and finished jobs and clears the finished ones', async () => {
    const jobs = new JobsState(null);
    jobs.upsert(job('j1', { label: 'train simclr' }));
    jobs.upsert(job('j2', { label: 'import tiny', status: 'completed', finishedAt: 'x' }));
    render(JobsTray, { jobs });
    expect(screen.getByText('1 running')).toBeTruthy();
    expect(screen.getAllByTestId('job')).toHaveLength(2);
    await fireEvent.click(screen.getByRole('button', { name: 'Clear finished' }));
    expect(screen.getAllByTestId('job')).toHaveLength(1);
    expect(screen.getByText('train simclr')).toBeTruthy();
  });
});

describe('EngineBanner', () => {
  it('says when the engine restarts and why, and hides when ready', async () => {
    const { rerender } = render(EngineBanner, { status: { state: 'restarting', reason: 'exit code 134' } });
    expect(screen.getByRole('status').textContent).toContain('Engine restarting…');
    expect(screen.getByRole('status').textContent).toContain('exit code 134');
    await rerender({ status: { state: 'ready' } });
    expect(screen.queryByRole('status')).toBeNull();
  });
});

describe('SpecForm', () => {
  it('renders a field per parameter and reports edits with their path', async () => {
    const onedit = vi.fn();
    const view = { name: 'view-1', size: 32, crop: { scale: [0.08, 1], ratio: [0.75, 1.33] }, blur: null, flipProb: 0.5 };
    render(SpecForm, { fields: fieldsOf(view), onedit });
    expect(screen.getByText('crop')).toBeTruthy();
    expect(screen.getByText('off')).toBeTruthy();
    const min = screen.getByLabelText('scale min') as HTMLInputElement;
    expect(min.value).toBe('0.08');
    await fireEvent.change(min, { target: { value: '0.2' } });
    expect(onedit).toHaveBeenLastCalledWith(['crop', 'scale'], [0.2, 1]);
    const flip = screen.getByLabelText('flipProb') as HTMLInputElement;
    await fireEvent.change(flip, { target: { value: 'x' } });
    expect(onedit).toHaveBeenCalledTimes(1);
    await fireEvent.change(flip, { target: { value: '0.25' } });
    expect(onedit).toHaveBeenLastCalledWith(['flipProb'], 0.25);
  });
});

describe('Compare tables', () => {
  it('ConfigDiff shows only the keys that differ', () => {
    const runs = [run('a', { config: { lr: 0.3, batch: 16, params: { temperature: 0.2 } } }), run('b', { method: 'byol', config: { lr: 1, batch: 16, params: { tau: 0.99 } } })];
    render(ConfigDiff, { runs });
    const keys = screen.getAllByRole('row').slice(1).map((r) => within(r).getAllByRole('cell')[0]!.textContent);
    expect(keys).toEqual(['lr', 'method', 'params.tau', 'params.temperature']);
  });

  it('MetricsTable shows kNN and the probe at each label fraction', () => {
    const runs = [run('a', { latest: { knn_top1: 0.5 } })];
    const evals = [{ id: 'e', runId: 'a', epoch: 2, kind: 'probe' as const, params: { labelFraction: 0.1 }, result: { top1: 0.625 }, createdAt: 't' }];
    render(MetricsTable, { runs, evals });
    const cells = within(screen.getAllByRole('row')[1]!).getAllByRole('cell').map((c) => c.textContent);
    expect(cells).toEqual(['simclr', 'a', '—', '0.25', 'small', '2', '50.0%', '—', '62.5%', '—', '13s', '702 k']);
  });
});

describe('Gallery', () => {
  const item = (i: number): DatasetItem => ({ index: i, split: 'train', label: i % 2, className: i % 2 ? 'dog' : 'cat', sourcePath: `x/${i}.png`, thumb: 'data:image/png;base64,AAAA' });
  it('shows thumbnails with labels and pages', async () => {
    const onpage = vi.fn();
    render(Gallery, { items: [item(40), item(41)], total: 42, offset: 40, pageSize: 40, onpage });
    expect(screen.getByText('41–42 of 42')).toBeTruthy();
    expect(screen.getAllByRole('img').map((i) => i.getAttribute('alt'))).toEqual(['cat', 'dog']);
    expect((screen.getByRole('button', { name: /Next/ }) as HTMLButtonElement).disabled).toBe(true);
    await fireEvent.click(screen.getByRole('button', { name: /Previous/ }));
    expect(onpage).toHaveBeenCalledWith(0);
  });
});
