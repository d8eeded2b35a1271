/**
 * runs.create and runs.resume refuse a request that cannot train before anything is stored
 * (issue 11, defects 4, 5, 6 and 9): a bad-request error naming the field, no run row, no
 * runs/<id> folder. runs.preview (issue 16) says what runs.create would run, per method, with
 * the reason for each value a rule set (the backend's batch, the 10 % warm-up rule, the preset
 * for the image size), from the same resolution, storing nothing.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TrainRequest } from '../../src-main/api/contract';
import { createService, type Service } from '../../src-main/api/service';
import { resolveConfig } from '../../src-main/ml/train/config';
import { getDataset } from '../../src-main/store/datasets';
import { createRun, getRun, listRuns, updateRun } from '../../src-main/store/runs';
import { datasetFacts, resolveTrainConfigs } from '../../src-main/tasks/trainConfig';
import { Workspace } from '../../src-main/store/workspace';
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

const stored = () => ({ rows: listRuns(ws).length, folders: existsSync(ws.runsDir) ? readdirSync(ws.runsDir).length : 0 });

describe('runs.create', () => {
  it('answers a request that cannot train with a bad-request naming the field, and stores nothing', async () => {
    const datasetId = makeToyDataset(ws);
    const oneClass = makeToyDataset(ws, { classes: 1, seed: 2 });
    const oneImage = makeToyDataset(ws, { classes: 1, perClassTrain: 1, perClassTest: 0, seed: 3 });
    const base: TrainRequest = { datasetId, methods: ['simclr'], epochs: 1, batch: 16 };
    const cases: [TrainRequest, string, RegExp][] = [
      [{ ...base, backbone: 'nope' }, 'backbone', /unknown backbone 'nope' \(known: resnet18, resnet34, small\)/],
      [{ ...base, preset: 'nope' }, 'preset', /unknown augmentation preset 'nope'/],
      [{ ...base, batch: 1000 }, 'batch', /48 training images, fewer than one batch of 1000/],
      [{ ...base, methods: ['supervised'], datasetId: oneClass, batch: 4 }, 'methods', /at least 2 classes/],
      [{ ...base, datasetId: oneImage, batch: undefined }, 'batch', /1 training images, fewer than one batch of 128/],
      [{ ...base, params: { simclr: { temprature: 0.5 } } }, 'params.simclr.temprature', /no option 'temprature' \(did you mean 'temperature'\?\) \(options: projHidden, projOut, temperature\)/],
      [{ ...base, params: { byol: { projOut: 8 } } }, 'params.byol', /'byol' is not a method of this request/],
      [{ ...base, methods: ['constructor'] }, 'methods', /unknown method 'constructor'/],
      [{ ...base, methods: ['toString'] }, 'methods', /unknown method 'toString'/],
      [{ ...base, methods: ['__proto__'] }, 'methods', /unknown method '__proto__'/],
    ];
    for (const [req, field, message] of cases) {
      await expect(service.handle('runs.create', req), JSON.stringify(req)).rejects.toMatchObject({ code: 'bad-request', field, message: expect.stringMatching(message) });
    }
    expect(stored()).toEqual({ rows: 0, folders: 0 });
  });

  it('refuses to resume a run whose stored config cannot train, leaving its status', async () => {
    const datasetId = makeToyDataset(ws);
    const cfg = resolveConfig('simclr', { epochs: 1, batch: 16 }, () => 'simclr-cifar');
    const id = createRun(ws, datasetId, 'simclr', { ...cfg, backbone: 'nope' }).id;
    updateRun(ws, id, { status: 'interrupted' });
    await expect(service.handle('runs.resume', { id })).rejects.toMatchObject({ code: 'bad-request', message: expect.stringMatching(/cannot resume: .*unknown backbone 'nope'/) });
    expect(getRun(ws, id)!.status).toBe('interrupted');
  });
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
    expect(stored()).toEqual({ rows: 0, folders: 0 });
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
