/**
 * runs.preview (issue 16): what runs.create would run, per method, with the reason for each
 * value a rule set (the backend's default batch, the 10 % warm-up rule, the preset for the
 * image size), from the same resolution as runs.create; nothing is stored.
 */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createService, type Service } from '../../src-main/api/service';
import { listRuns } from '../../src-main/store/runs';
import { Workspace } from '../../src-main/store/workspace';
import { datasetFacts, resolveTrainConfigs } from '../../src-main/tasks/trainConfig';
import { getDataset } from '../../src-main/store/datasets';
import { makeTempDir } from '../helpers/tmp';
import { makeToyDataset } from '../helpers/toyDataset';

let tmp: ReturnType<typeof makeTempDir>;
let ws: Workspace;
let service: Service;

beforeEach(() => {
  tmp = makeTempDir();
  ws = Workspace.open(join(tmp.dir, 'ws'));
  service = createService(ws, { backend: 'cpu' });
});

afterEach(async () => {
  await service.close();
  ws.close();
  tmp.cleanup();
});

describe('runs.preview', () => {
  it('resolves each method as runs.create would, saying why a rule set batch, warm-up and preset', async () => {
    const datasetId = makeToyDataset(ws, { perClassTrain: 40 });
    const req = { datasetId, methods: ['simclr', 'byol'], epochs: 2, width: 0.25 };
    const [simclr, byol] = await service.handle('runs.preview', req);
    const expected = resolveTrainConfigs(req, datasetFacts(ws, getDataset(ws, datasetId)!), 'cpu');
    expect(simclr!.config).toEqual({ ...expected[0] });
    expect(byol!.config).toEqual({ ...expected[1] });
    expect(simclr!.config).toMatchObject({ batch: 128, warmupEpochs: 0, width: 0.25 });
    expect(simclr!.notes).toContain("batch 128: the cpu backend's default (method default 256 needs more memory than it has)");
    expect(simclr!.notes).toContain('warmupEpochs 0: at most 10% of the 2 epochs (method default 10)');
    expect(simclr!.notes.find((n) => n.startsWith('preset '))).toMatch(/^preset simclr-\w+: the method's augmentations for 8 px images$/);
    expect(simclr!.error).toBeNull();
    expect(listRuns(ws)).toHaveLength(0);
  });

  it('names no rule for a value the request set', async () => {
    const datasetId = makeToyDataset(ws, { perClassTrain: 40 });
    const [p] = await service.handle('runs.preview', { datasetId, methods: ['simclr'], epochs: 2, batch: 16, warmupEpochs: 1, preset: 'simclr-cifar' });
    expect(p!.config).toMatchObject({ batch: 16, warmupEpochs: 1, preset: 'simclr-cifar' });
    expect(p!.notes.filter((n) => /^(batch|warmupEpochs|preset) /.test(n))).toEqual([]);
  });

  it('says per method why one cannot train here, and keeps the others', async () => {
    const datasetId = makeToyDataset(ws);
    const [simclr, random] = await service.handle('runs.preview', { datasetId, methods: ['simclr', 'random'], epochs: 1, batch: 100 });
    expect(simclr).toMatchObject({ config: null, field: 'batch', error: expect.stringMatching(/48 training images, fewer than one batch of 100/) });
    expect(random!.error).toMatch(/fewer than one batch/);
    await expect(service.handle('runs.preview', { datasetId: 'ds-nope', methods: ['simclr'] })).rejects.toMatchObject({ code: 'not-found' });
    await expect(service.handle('runs.preview', { datasetId, methods: ['simclr'], epochs: 0 })).rejects.toMatchObject({ code: 'bad-request', field: 'epochs' });
  });
});
