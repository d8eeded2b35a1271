// The Retrieval view rendered from a workbench state: it asks the engine for a page of the
// dataset to pick a query from, sends neighbours.query with the picked runs, k and image, and
// shows the query and each run's neighbours side by side with similarity, label and agreement.
import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { tick } from 'svelte';
import { describe, expect, it } from 'vitest';
import type { ApiClient, DatasetInfo, DatasetItem, NeighboursResult } from '../../src-main/api/contract';
import { Workbench } from '../../src-renderer/src/lib/state/workbench.svelte';
import type { Shell } from '../../src-renderer/src/lib/transport/shell';
import RetrievalView from '../../src-renderer/src/views/retrieval/RetrievalView.svelte';
import { retrievalState } from '../../src-renderer/src/views/retrieval/retrieval.svelte';
import { job, run } from './fixtures';

const thumb = 'data:image/png;base64,AAAA';
const dataset: DatasetInfo = {
  id: 'd1', name: 'pets', source: '/x', sourceKind: 'folder', imageSize: 8, channels: 3, numItems: 72, createdAt: 't',
  classes: ['cat', 'dog'], splits: { train: 48, test: 24 }, perClass: {}, failed: [],
};
const item = (i: number): DatasetItem => ({ index: i, split: 'train', label: i % 2, className: i % 2 ? 'dog' : 'cat', sourcePath: `${i}.png`, thumb });
const neighbour = (rank: number, index: number, label: number) => ({ rank, index, similarity: 1 - rank / 10, label, className: label ? 'dog' : 'cat', split: 'train' as const, thumb });
const result: NeighboursResult = {
  datasetId: 'd1', k: 3,
  query: { index: 4, file: null, label: 0, className: 'cat', split: 'train', thumb },
  runs: [
    { runId: 'run-aaaa1111', method: 'simclr', epoch: 2, neighbours: [neighbour(1, 6, 0), neighbour(2, 8, 0), neighbour(3, 9, 1)], matches: 2, agreement: 2 / 3 },
    { runId: 'run-bbbb2222', method: 'byol', epoch: 2, neighbours: [neighbour(1, 11, 1), neighbour(2, 6, 0), neighbour(3, 13, 1)], matches: 1, agreement: 1 / 3 },
  ],
};

function setup() {
  const sent: { name: string; req: unknown }[] = [];
  const client: ApiClient = {
    request: (async (name: string, req: unknown) => {
      sent.push({ name, req });
      if (name === 'datasets.items') return { total: 72, items: [0, 1, 2, 3, 4, 5].map(item) };
      if (name === 'neighbours.query') return { jobId: 'job-n1' };
      throw new Error(`${name}: not in this test`);
    }) as ApiClient['request'],
    on: () => () => {},
  };
  const shell: Shell = { kind: 'http', pickImportPaths: async () => null, stageFiles: () => Promise.reject(new Error('no upload')), deliver: async () => null };
  const wb = new Workbench(client, shell);
  wb.datasets = [dataset];
  wb.runs = [run('run-aaaa1111', { datasetId: 'd1' }), run('run-bbbb2222', { datasetId: 'd1', method: 'byol' }), run('run-cccc3333', { datasetId: 'd1', method: 'vicreg', epochsDone: 0 })];
  render(RetrievalView, { wb });
  return { wb, sent };
}

describe('RetrievalView', () => {
  it('searches the picked runs from a gallery image and shows their neighbours side by side', async () => {
    const { wb, sent } = setup();
    await tick();
    await tick();
    // Trained runs of the dataset only, the first two picked.
    const runs = within(screen.getByRole('group', { name: 'Runs to search' }));
    expect(runs.getAllByRole('checkbox').map((c) => (c as HTMLInputElement).checked)).toEqual([true, true]);
    expect(sent[0]).toEqual({ name: 'datasets.items', req: { id: 'd1', offset: 0, limit: 24 } });
    expect(await screen.findAllByRole('button', { name: /^Query image \d$/ })).toHaveLength(6);
    await fireEvent.click(screen.getByRole('button', { name: 'Query image 4' }));
    expect(sent.at(-1)).toEqual({ name: 'neighbours.query', req: { runIds: ['run-aaaa1111', 'run-bbbb2222'], k: 8, index: 4 } });
    wb.jobs.upsert(job('job-n1', { kind: 'neighbours', status: 'completed', finishedAt: 'x', result }));
    const simclr = within(await screen.findByRole('region', { name: 'Neighbours in simclr aaaa1111' }));
    const byol = within(screen.getByRole('region', { name: 'Neighbours in byol bbbb2222' }));
    expect(simclr.getAllByRole('img').map((i) => i.getAttribute('alt'))).toEqual(['cat', 'cat', 'dog']);
    expect(simclr.getByText('#1 · 0.900')).toBeTruthy();
    expect(simclr.getByTestId('agreement').textContent!.trim()).toBe("2/3 share the query's label (66.7%)");
    expect(byol.getByTestId('agreement').textContent!.trim()).toBe("1/3 share the query's label (33.3%)");
    expect(within(screen.getByLabelText('Query')).getByText('image 4 · train')).toBeTruthy();
    // A neighbour is a new query.
    await fireEvent.click(byol.getByRole('button', { name: 'Search from image 11' }));
    expect(sent.at(-1)).toEqual({ name: 'neighbours.query', req: { runIds: ['run-aaaa1111', 'run-bbbb2222'], k: 8, index: 11 } });
    expect(retrievalState(wb).index).toBe(11);
  });
});
