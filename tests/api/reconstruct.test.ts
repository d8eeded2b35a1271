/**
 * runs.reconstruct (issue 13): an MAE run's original / masked / reconstructed pictures as PNG
 * data URLs from its latest checkpoint; a run of another method is refused with the reason;
 * an unknown run is not-found; the request's count is checked by its schema.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Service } from '../../src-main/api/service';
import { useBackend } from '../../src-main/ml/backend';
import { validateRequest } from '../../src-main/api/schema/validate';
import { resolveConfig } from '../../src-main/ml/train/config';
import { createRun } from '../../src-main/store/runs';
import type { Workspace } from '../../src-main/store/workspace';
import { runTraining } from '../../src-main/tasks/train';
import { closeServiceTest, openServiceTest, type ServiceTest } from '../helpers/service';
import { makeToyDataset } from '../helpers/toyDataset';

let tmp: ServiceTest['tmp'];
let ws: Workspace;
let service: Service;
let maeRun: string;
let simclrRun: string;

beforeAll(async () => {
  await useBackend('cpu');
  ({ tmp, ws, service } = openServiceTest());
  const datasetId = makeToyDataset(ws, { size: 16 });
  const cfg = resolveConfig('mae', { epochs: 1, batch: 16, seed: 1, width: 0.25, backbone: 'vit-mini', params: { decoderDim: 16, decoderDepth: 1, decoderHeads: 2 } }, () => 'simclr-cifar');
  maeRun = createRun(ws, datasetId, 'mae', cfg).id;
  expect((await runTraining(ws, maeRun)).status).toBe('completed');
  simclrRun = createRun(ws, datasetId, 'simclr', resolveConfig('simclr', { epochs: 1, batch: 16, width: 0.25 }, () => 'simclr-cifar')).id;
}, 120_000);
afterAll(() => closeServiceTest({ tmp, ws, service }));

describe('runs.reconstruct', () => {
  it('returns three PNG data URLs per test image of an MAE run', async () => {
    const r = await service.handle('runs.reconstruct', { runId: maeRun, count: 2 });
    expect(r).toMatchObject({ runId: maeRun, epoch: 1, maskRatio: 0.75 });
    expect(r.images).toHaveLength(2);
    for (const im of r.images) {
      for (const url of [im.original, im.masked, im.reconstruction]) expect(url).toMatch(/^data:image\/png;base64,iVBOR/);
      expect(im.masked).not.toBe(im.original);
    }
  });

  it('refuses another method, an unknown run and a bad count, naming the reason', async () => {
    await expect(service.handle('runs.reconstruct', { runId: simclrRun })).rejects.toThrow('reconstructions need an mae run');
    await expect(service.handle('runs.reconstruct', { runId: 'run-nosuch' })).rejects.toMatchObject({ code: 'not-found' });
    expect(() => validateRequest('runs.reconstruct', { runId: maeRun, count: 50 })).toThrow(/count/);
  });
});
