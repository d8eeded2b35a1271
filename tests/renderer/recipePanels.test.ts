// Issue 15's UI: "Run on a cluster…" on the run page (disabled with the reason for a method the
// program cannot run; the panel's commands are the README's; export.recipe, then the shell
// delivers the zip) and "Import results…" in Runs (only the three result files are uploaded; a
// folder missing one says so; runs.import; the new run opens and reads "external: …" in the
// table and its settings). The real components and state over a scripted client.
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import type { ApiClient, DatasetInfo, ImportResultsInfo, JobInfo, RunInfo, WrittenFile } from '../../src-main/api/contract';
import { recipeCommands } from '../../src-main/core/recipeCommands';
import { Workbench } from '../../src-renderer/src/lib/state/workbench.svelte';
import type { Shell } from '../../src-renderer/src/lib/transport/shell';
import RunPage from '../../src-renderer/src/views/runs/RunPage.svelte';
import RunsView from '../../src-renderer/src/views/runs/RunsView.svelte';
import { run } from './fixtures';

const dataset: DatasetInfo = {
  id: 'ds-1', name: 'tiny', source: '/x', sourceKind: 'folder', imageSize: 8, channels: 3, numItems: 96, createdAt: 't',
  classes: ['a', 'b'], splits: { train: 64, test: 32 }, perClass: {}, failed: [],
};
const finished = (id: string, kind: JobInfo['kind'], result: unknown): JobInfo => ({
  id, kind, label: id, status: 'completed', done: 1, total: 1, unit: 'steps', etaSeconds: 0, message: '', startedAt: 't', finishedAt: 't', error: null, result,
});
const external = { where: 'gpu-node-3', processes: 4, device: 'cuda', wallSeconds: 3725, importedFrom: 'uploaded: results' };

/** A client that answers like the engine for the requests these panels send, and records them. */
function setup(runs: RunInfo[], picked: string[] | null = null) {
  const requests: [string, unknown][] = [];
  const staged: string[][] = [];
  const delivered: [WrittenFile, string | undefined][] = [];
  let wb: Workbench;
  let listed = runs;
  const client: ApiClient = {
    request: (async (name: string, req: unknown) => {
      requests.push([name, req]);
      if (name === 'runs.metrics') return [];
      if (name === 'runs.list') return listed;
      if (name === 'export.recipe') {
        const file: WrittenFile = { path: '/ws/runs/r1/exports/r1-recipe-data.zip', bytes: 2048, downloadUrl: '/api/download?path=x' };
        setTimeout(() => wb.jobs.upsert(finished('job-x', 'export', file)), 0);
        return { jobId: 'job-x' };
      }
      if (name === 'runs.import') {
        const r: ImportResultsInfo = { runId: 'r9', epochs: 2, steps: 8, knnTop1: [0.4, 0.5], processes: 4, device: 'cuda' };
        listed = [...runs, run('r9', { method: 'byol', backend: 'pytorch', external })];
        setTimeout(() => wb.jobs.upsert(finished('job-i', 'import', r)), 0);
        return { jobId: 'job-i' };
      }
      throw new Error(`${name}: not in this test`);
    }) as ApiClient['request'],
    on: () => () => {},
  };
  const dialogs: unknown[] = [];
  const shell: Shell = {
    kind: picked ? 'ipc' : 'http',
    pickImportPaths: async (o) => (dialogs.push(o), picked),
    stageFiles: async (files) => (staged.push(files.map((f) => (f as File & { webkitRelativePath: string }).webkitRelativePath)), '/ws/tmp/1-upload-ab/results'),
    deliver: async (file, _open, name) => (delivered.push([file, name]), file.path),
  };
  wb = new Workbench(client, shell);
  wb.runs = runs;
  wb.datasets = [dataset];
  wb.datasetId = dataset.id;
  return { wb, requests, staged, delivered, dialogs };
}

function fileAt(path: string, bytes = 10): File {
  const f = new File(['x'.repeat(bytes)], path.split('/').pop()!);
  Object.defineProperty(f, 'webkitRelativePath', { value: path });
  return f;
}

describe('Run on a cluster…', () => {
  it('is disabled for a method the program cannot run, with the reason as its tooltip', () => {
    const why = "method 'dino' has no PyTorch implementation in the exported program (it implements simclr, moco, byol, simsiam, barlow, vicreg)";
    const { wb } = setup([run('r1', { method: 'dino', recipeUnsupported: why })]);
    render(RunPage, { wb, runId: 'r1' });
    const button = screen.getByRole('button', { name: 'Run on a cluster…' }) as HTMLButtonElement;
    expect(button.disabled).toBe(true);
    expect(button.title).toBe(why);
  });

  it('shows the README’s commands, exports with the data and delivers the zip', async () => {
    const { wb, requests, delivered } = setup([run('r1')]);
    render(RunPage, { wb, runId: 'r1' });
    await fireEvent.click(screen.getByRole('button', { name: 'Run on a cluster…' }));
    const panel = screen.getByTestId('cluster-panel');
    const pres = () => Array.from(panel.querySelectorAll('pre')).map((p) => p.textContent);
    expect(pres()).toEqual(recipeCommands(false).map((c) => c.command));
    expect(pres()[1]).toBe('torchrun --nproc_per_node=N train.py --data /path/to/images --out results');
    await fireEvent.click(within(panel).getByRole('checkbox'));
    expect(pres()[0]).toBe('python train.py --out results');
    expect(within(panel).getByLabelText('What the zip holds').textContent).toContain('data.npz');
    await fireEvent.click(within(panel).getByRole('button', { name: 'Download the zip' }));
    await waitFor(() => expect(screen.getByTestId('recipe-saved').textContent).toContain('r1-recipe-data.zip'));
    expect(requests.filter(([n]) => n === 'export.recipe')).toEqual([['export.recipe', { runId: 'r1', withData: true }]]);
    expect(delivered).toEqual([[expect.objectContaining({ path: '/ws/runs/r1/exports/r1-recipe-data.zip' }), 'r1-recipe-data.zip']]);
  });
});

describe('Import results…', () => {
  const pick = async (files: File[]) => {
    const input = screen.getByTestId('results-input') as HTMLInputElement;
    Object.defineProperty(input, 'files', { value: files, configurable: true });
    await fireEvent.change(input);
  };

  it('uploads the three result files, imports them and opens the external run', async () => {
    const { wb, requests, staged } = setup([run('r1')]);
    render(RunsView, { wb });
    await fireEvent.click(screen.getByRole('button', { name: 'Import results…' }));
    const panel = screen.getByTestId('import-results');
    const importButton = within(panel).getByRole('button', { name: 'Import' }) as HTMLButtonElement;
    // A folder without its metrics: named, and nothing to import.
    await pick([fileAt('results/recipe.json'), fileAt('results/backbone.safetensors')]);
    expect(panel.textContent).toContain('missing metrics.jsonl');
    expect(importButton.disabled).toBe(true);
    await pick([fileAt('results/recipe.json'), fileAt('results/metrics.jsonl'), fileAt('results/backbone.safetensors'), fileAt('results/checkpoint.pt', 1000), fileAt('results/old/metrics.jsonl')]);
    expect(screen.getByTestId('results-folder').textContent).toBe('results');
    expect(importButton.disabled).toBe(false);
    await fireEvent.click(importButton);
    await waitFor(() => expect(screen.getByTestId('import-done').textContent).toContain('r9'));
    expect(staged).toEqual([['results/recipe.json', 'results/metrics.jsonl', 'results/backbone.safetensors']]);
    expect(requests.filter(([n]) => n === 'runs.import')).toEqual([['runs.import', { dir: '/ws/tmp/1-upload-ab/results', datasetId: 'ds-1' }]]);
    expect(wb.openRunId).toBe('r9');
    const row = screen.getAllByRole('row').find((r) => r.textContent?.includes('byol'))!;
    expect(row.textContent).toContain('external: gpu-node-3, 4 × cuda, 1h 02m');
    await waitFor(() => expect(screen.getByTestId('run-external').textContent).toContain('external: gpu-node-3, 4 × cuda, 1h 02m'));
  });

  it('in Electron: the folder picked in the Open dialog is imported where it is, nothing uploaded', async () => {
    const { wb, requests, staged, dialogs } = setup([run('r1')], ['/home/me/cluster/results']);
    render(RunsView, { wb });
    await fireEvent.click(screen.getByRole('button', { name: 'Import results…' }));
    await fireEvent.click(screen.getByRole('button', { name: 'Choose the results folder…' }));
    expect(dialogs).toEqual([{ directory: true, purpose: 'results' }]);
    await waitFor(() => expect(screen.getByTestId('results-folder').textContent).toBe('/home/me/cluster/results'));
    await fireEvent.click(screen.getByRole('button', { name: 'Import' }));
    await waitFor(() => expect(screen.getByTestId('import-done')).toBeTruthy());
    expect(staged).toEqual([]);
    expect(requests.filter(([n]) => n === 'runs.import')).toEqual([['runs.import', { dir: '/home/me/cluster/results', datasetId: 'ds-1' }]]);
  });
});
