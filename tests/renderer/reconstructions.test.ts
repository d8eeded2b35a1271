// The run page's MAE reconstructions: asked once the run has a checkpoint, shown as input /
// masked / reconstruction per test image, "Other masks" asks again with another seed.
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import type { ApiClient, ReconstructView } from '../../src-main/api/contract';
import { Workbench } from '../../src-renderer/src/lib/state/workbench.svelte';
import type { Shell } from '../../src-renderer/src/lib/transport/shell';
import { RunPageState } from '../../src-renderer/src/views/runs/runPage.svelte';
import Reconstructions from '../../src-renderer/src/views/runs/Reconstructions.svelte';

const noShell: Shell = { kind: 'http', pickImportPaths: async () => null, stageFiles: () => Promise.reject(new Error('no upload here')), deliver: async () => null };

function page() {
  const asked: unknown[] = [];
  const client: ApiClient = {
    request: (async (name: string, req: { runId: string; seed?: number }) => {
      if (name !== 'runs.reconstruct') throw new Error(`${name}: not in this test`);
      asked.push(req);
      const res: ReconstructView = { runId: req.runId, epoch: 2, maskRatio: 0.75, images: [3, 5].map((index) => ({ index, original: `data:,o${index}`, masked: `data:,m${index}-${req.seed}`, reconstruction: `data:,r${index}` })) };
      return res;
    }) as ApiClient['request'],
    on: () => () => {},
  };
  return { state: new RunPageState(new Workbench(client, noShell), 'run-1'), asked };
}

describe('Reconstructions', () => {
  it('shows input, masked and reconstruction per image; other masks ask with a new seed', async () => {
    const { state, asked } = page();
    render(Reconstructions, { page: state, epochsDone: 2 });
    await waitFor(() => expect(screen.getAllByRole('img')).toHaveLength(6));
    expect(asked).toEqual([{ runId: 'run-1', count: 4, seed: 0 }]);
    expect(screen.getByText(/epoch 2, 75 % of the patches removed/)).toBeTruthy();
    expect(screen.getByAltText('test image 5, masked').getAttribute('src')).toBe('data:,m5-0');
    await fireEvent.click(screen.getByRole('button', { name: 'Other masks' }));
    await waitFor(() => expect(screen.getByAltText('test image 5, masked').getAttribute('src')).toBe('data:,m5-1'));
    expect(asked).toHaveLength(2);
  });

  it('asks nothing before the first checkpoint', () => {
    const { state, asked } = page();
    render(Reconstructions, { page: state, epochsDone: 0 });
    expect(screen.getByText(/after the first epoch/)).toBeTruthy();
    expect(asked).toEqual([]);
  });
});
