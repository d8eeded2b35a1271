// The Embeddings view's state when the user switches algorithm while a map is computed: the
// finished map of the old algorithm must not appear under the new one.
import { describe, expect, it } from 'vitest';
import type { ApiClient, JobInfo, Projection, ProjectionAlgo } from '../../src-main/api/contract';
import { Workbench } from '../../src-renderer/src/lib/state/workbench.svelte';
import type { Shell } from '../../src-renderer/src/lib/transport/shell';
import { EmbeddingsState } from '../../src-renderer/src/views/embeddings/embeddings.svelte';

const noShell: Shell = {
  kind: 'http',
  pickImportPaths: async () => null,
  stageFiles: () => Promise.reject(new Error('no upload in this test')),
  deliver: async () => null,
};

const projection = (algo: ProjectionAlgo): Projection => ({
  runId: 'run-1', epoch: 1, split: 'test', algo, indices: [0, 1], x: [0, 1], y: [1, 0], labels: [0, 1], classes: ['a', 'b'],
  quality: {}, seconds: 0.1, createdAt: 't',
});

/** An engine that stores a map once its job is finished by the test. */
function engine() {
  const stored = new Map<ProjectionAlgo, Projection>();
  let jobs = 0;
  const client: ApiClient = {
    request: (async (name: string, req: { algo: ProjectionAlgo }) => {
      if (name === 'projections.get') return stored.get(req.algo) ?? null;
      if (name === 'projections.create') return { jobId: `job-${++jobs}` };
      throw new Error(`${name}: not in this test`);
    }) as ApiClient['request'],
    on: () => () => {},
  };
  return { client, stored };
}

const finished = (id: string): JobInfo => ({ id, kind: 'project', label: id, status: 'completed', done: 1, total: 1, unit: 'it', etaSeconds: 0, message: '', startedAt: 't', finishedAt: 't', error: null });
const tick = () => new Promise((r) => setTimeout(r, 0));

describe('EmbeddingsState', () => {
  it('keeps a map computed for another algorithm out of the panel, and shows it when switched back', async () => {
    const { client, stored } = engine();
    const wb = new Workbench(client, noShell);
    wb.runIds = ['run-1'];
    const emb = new EmbeddingsState(wb);
    await emb.load();
    expect(emb.maps['run-1']).toEqual({ kind: 'missing' });

    const computing = emb.compute('run-1');
    await tick();
    expect(emb.maps['run-1']).toMatchObject({ kind: 'computing', algo: 'tsne' });
    emb.algo = 'umap';
    await emb.load();
    expect(emb.maps['run-1']).toEqual({ kind: 'missing' });

    stored.set('tsne', projection('tsne'));
    wb.jobs.upsert(finished('job-1'));
    await computing;
    expect(emb.maps['run-1']).toEqual({ kind: 'missing' });

    emb.algo = 'tsne';
    await emb.load();
    expect(emb.maps['run-1']).toMatchObject({ kind: 'ready', p: { algo: 'tsne' } });
  });
});
