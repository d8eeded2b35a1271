/**
 * runs.create and runs.resume refuse a request that cannot train before anything is stored
 * (issue 11, defects 4, 5, 6 and 9): a bad-request error naming the field, no run row, no
 * runs/<id> folder.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TrainRequest } from '../../src-main/api/contract';
import { createService, type Service } from '../../src-main/api/service';
import { resolveConfig } from '../../src-main/ml/train/config';
import { createRun, getRun, listRuns, updateRun } from '../../src-main/store/runs';
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
