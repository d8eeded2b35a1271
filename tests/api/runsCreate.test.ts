/**
 * runs.create and runs.resume refuse a request that cannot train before anything is stored
 * (issue 11, defects 4, 5, 6 and 9): a bad-request error naming the field, no run row, no
 * runs/<id> folder. runs.preview (issue 16) says what runs.create would run, per method, with
 * the reason for each value a rule set (the backend's batch, the 10 % warm-up rule, the preset
 * for the image size), from the same resolution, storing nothing.
 *
 * Seeds and grouping, sweeps, run management (issue 16): runs.create with `seeds` trains one
 * run per method × seed in one group; a sweep makes one run per value, each stored with the
 * value it took; the request is refused whole (naming the field) when any run of it cannot
 * train; runs.label stores tags and notes; runs.delete removes the run with its files.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JobInfo, TrainRequest } from '../../src-main/api/contract';
import { validateRequest } from '../../src-main/api/schema/validate';
import type { Service } from '../../src-main/api/service';
import { resolveConfig } from '../../src-main/ml/train/config';
import { getDataset } from '../../src-main/store/datasets';
import { createRun, getRun, listRuns, updateRun } from '../../src-main/store/runs';
import { datasetFacts, resolveTrainConfigs } from '../../src-main/tasks/trainConfig';
import { Workspace } from '../../src-main/store/workspace';
import { waitFor } from '../helpers/events';
import { makeToyDataset } from '../helpers/toyDataset';
import { closeServiceTest, openServiceTest, type ServiceTest } from '../helpers/service';

let tmp: ServiceTest['tmp'];
let ws: Workspace;
let service: Service;

beforeEach(() => void ({ tmp, ws, service } = openServiceTest()));
afterEach(() => closeServiceTest({ tmp, ws, service }));

const finished = (jobId: string) => waitFor(service, 'job.finished', (j: JobInfo) => j.id === jobId);
const stored = () => ({ rows: listRuns(ws).length, folders: existsSync(ws.runsDir) ? readdirSync(ws.runsDir).length : 0 });

describe('runs.create', () => {
  it('answers a request that cannot train with a bad-request naming the field, and stores nothing', async () => {
    const datasetId = makeToyDataset(ws);
    const oneClass = makeToyDataset(ws, { classes: 1, seed: 2 });
    const oneImage = makeToyDataset(ws, { classes: 1, perClassTrain: 1, perClassTest: 0, seed: 3 });
    const base: TrainRequest = { datasetId, methods: ['simclr'], epochs: 1, batch: 16 };
    const cases: [TrainRequest, string, RegExp][] = [
      [{ ...base, backbone: 'nope' }, 'backbone', /unknown backbone 'nope' \(known: resnet18, resnet34, small, vit-tiny, vit-mini\)/],
      [{ ...base, preset: 'nope' }, 'preset', /unknown augmentation preset 'nope'/],
      [{ ...base, batch: 1000 }, 'batch', /48 training images, fewer than one batch of 1000/],
      [{ ...base, methods: ['supervised'], datasetId: oneClass, batch: 4 }, 'methods', /at least 2 classes/],
      [{ ...base, datasetId: oneImage, batch: undefined }, 'batch', /1 training images, fewer than one batch of 128/],
      [{ ...base, params: { simclr: { temprature: 0.5 } } }, 'params.simclr.temprature', /no option 'temprature' \(did you mean 'temperature'\?\) \(options: projHidden, projOut, temperature, input\)/],
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

  it('caps the default batch on the cpu backend, but a method whose default is smaller keeps its own', async () => {
    const datasetId = makeToyDataset(ws, { perClassTrain: 40 });
    const [simclr, cpc] = await service.handle('runs.preview', { datasetId, methods: ['simclr', 'cpc'], epochs: 1 });
    expect(simclr!.config!['batch']).toBe(128);
    expect(cpc!.config!['batch']).toBe(32);
    expect(cpc!.notes).toContain("batch 32: the method's default");
    expect(cpc!.config!['scaledLr']).toBeCloseTo((4e-4 * 32) / 256, 12);
  });

  it('previews every registered method in one request, as the Train view asks', async () => {
    const datasetId = makeToyDataset(ws, { perClassTrain: 40 });
    const names = (await service.handle('methods.list', undefined)).map((m) => m.name);
    expect(names.length).toBeGreaterThan(16);
    const previews = await service.handle('runs.preview', { datasetId, methods: names, epochs: 1, batch: 16 });
    expect(previews.map((p) => p.method)).toEqual(names);
  });

  it('names no rule for a value the request set', async () => {
    const datasetId = makeToyDataset(ws, { perClassTrain: 40 });
    const [p] = await service.handle('runs.preview', { datasetId, methods: ['simclr'], epochs: 2, batch: 16, warmupEpochs: 1, preset: 'simclr-cifar' });
    expect(p!.config).toMatchObject({ batch: 16, warmupEpochs: 1, preset: 'simclr-cifar' });
    expect(p!.notes.filter((n) => /^(batch|warmupEpochs|preset) /.test(n))).toEqual([]);
  });

  it('sizes MoCo’s queue to the train split and says so; a smaller asked queue is kept', async () => {
    const datasetId = makeToyDataset(ws, { perClassTrain: 40 });
    const [moco] = await service.handle('runs.preview', { datasetId, methods: ['moco'], epochs: 1, batch: 16 });
    expect((moco!.config!['params'] as Record<string, unknown>)['queueSize']).toBe(160); // 4 classes × 40 train images
    expect(moco!.notes).toContain("queueSize 160: the train split's size (asked 32768; a longer queue repeats images)");
    const [asked] = await service.handle('runs.preview', { datasetId, methods: ['moco'], epochs: 1, batch: 16, params: { moco: { queueSize: 32 } } });
    expect((asked!.config!['params'] as Record<string, unknown>)['queueSize']).toBe(32);
    expect(asked!.notes.filter((n) => n.startsWith('queueSize'))).toEqual([]);
  });

  it('records LARS clip_lr in the config: off unless asked', async () => {
    const datasetId = makeToyDataset(ws, { perClassTrain: 40 });
    const [off] = await service.handle('runs.preview', { datasetId, methods: ['barlow'], epochs: 1, batch: 16 });
    expect(off!.config).toMatchObject({ optimizer: 'lars', clipLr: false });
    const [on] = await service.handle('runs.preview', { datasetId, methods: ['barlow'], epochs: 1, batch: 16, clipLr: true });
    expect(on!.config).toMatchObject({ clipLr: true });
    await expect(service.handle('runs.preview', { datasetId, methods: ['barlow'], clipLr: 'yes' as unknown as boolean })).rejects.toMatchObject({ code: 'bad-request', field: 'clipLr' });
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

describe('runs.create: seeds and sweeps', () => {
  it('trains one run per seed in one group, and tags, notes and deletes a run', { timeout: 120_000 }, async () => {
    const datasetId = makeToyDataset(ws, { size: 8, perClassTrain: 4, perClassTest: 2 });
    const { runIds, jobIds, groupId } = await service.handle('runs.create', { datasetId, methods: ['simclr'], epochs: 1, batch: 8, width: 0.25, seeds: [0, 1, 2] });
    expect(runIds).toHaveLength(3);
    const done = await Promise.all(jobIds.map(finished));
    expect(done.map((j) => j.status)).toEqual(['completed', 'completed', 'completed']);
    const runs = await Promise.all(runIds.map((id) => service.handle('runs.get', { id })));
    expect(runs.map((r) => [r.method, r.config['seed'], r.groupId, r.sweep])).toEqual([
      ['simclr', 0, groupId, null],
      ['simclr', 1, groupId, null],
      ['simclr', 2, groupId, null],
    ]);
    // Same config but the seed: the seeds really differ (their losses are not the same numbers).
    expect(new Set(runs.map((r) => r.latest['loss'])).size).toBe(3);

    const labelled = await service.handle('runs.label', { id: runIds[0]!, tags: ['seeded', 'tiny'], notes: 'first seed' });
    expect(labelled).toMatchObject({ tags: ['seeded', 'tiny'], notes: 'first seed' });
    expect((await service.handle('runs.list', undefined)).find((r) => r.id === runIds[0])).toMatchObject({ tags: ['seeded', 'tiny'], notes: 'first seed' });
    await expect(service.handle('runs.label', { id: runIds[0]!, tags: ['two words'] })).rejects.toMatchObject({ code: 'bad-request', field: 'tags.0' });
    await expect(service.handle('runs.label', { id: 'run-nope', notes: '' })).rejects.toMatchObject({ code: 'not-found' });

    expect(existsSync(join(ws.runsDir, runIds[2]!))).toBe(true);
    expect(await service.handle('runs.delete', { id: runIds[2]! })).toEqual({ deleted: true });
    expect(getRun(ws, runIds[2]!)).toBeUndefined();
    expect(existsSync(join(ws.runsDir, runIds[2]!))).toBe(false);
  });

  it('makes one run per method and sweep value, each stored with its value and the option set', { timeout: 120_000 }, async () => {
    const datasetId = makeToyDataset(ws, { size: 8, perClassTrain: 4, perClassTest: 2 });
    const { runIds, jobIds, groupId } = await service.handle('runs.create', {
      datasetId, methods: ['simclr'], epochs: 1, batch: 8, width: 0.25, sweep: { key: 'temperature', values: [0.1, 0.5] },
    });
    for (const id of jobIds) await service.handle('jobs.cancel', { id });
    await Promise.all(jobIds.map(finished));
    const rows = runIds.map((id) => getRun(ws, id)!);
    expect(rows.map((r) => [r.groupId, r.sweep, r.config.params['temperature']])).toEqual([
      [groupId, { key: 'temperature', value: 0.1 }, 0.1],
      [groupId, { key: 'temperature', value: 0.5 }, 0.5],
    ]);
  });

  it('refuses a seeds or sweep request that cannot train as a whole, naming the field, storing nothing', async () => {
    const datasetId = makeToyDataset(ws);
    const base: TrainRequest = { datasetId, methods: ['simclr', 'byol'], epochs: 1, batch: 16 };
    const cases: [TrainRequest, string, RegExp][] = [
      [{ ...base, seeds: [0, 1], seed: 3 }, 'seeds', /seeds \(repeats\) or seed, not both/],
      [{ ...base, sweep: { key: 'temperature', values: [0.1, 0.2] } }, 'sweep', /byol has no option 'temperature'/],
      [{ ...base, sweep: { key: 'tempreature', values: [0.1] }, methods: ['simclr'] }, 'sweep', /did you mean 'temperature'/],
      [{ ...base, sweep: { key: 'batch', values: [16, 1000] } }, 'sweep', /sweep batch=1000: .*fewer than one batch of 1000/],
      [{ ...base, sweep: { key: 'seed', values: [1, 2] } }, 'sweep', /not a sweep/],
      [{ ...base, seeds: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15], sweep: { key: 'lr', values: [0.1, 0.2, 0.3] } }, 'sweep', /96 runs, more than 64/],
    ];
    for (const [req, field, message] of cases) {
      await expect(service.handle('runs.create', req), JSON.stringify(req)).rejects.toMatchObject({ code: 'bad-request', field, message: expect.stringMatching(message) });
    }
    expect(stored()).toEqual({ rows: 0, folders: 0 });
  });

  it('checks seeds and sweep against their ranges where the request enters', () => {
    /** The field a request is refused for where it enters, or 'accepted'. */
    const refused = (name: 'runs.create' | 'runs.label', payload: unknown) => {
      try {
        validateRequest(name, payload);
      } catch (err) {
        return (err as { field?: string }).field;
      }
      return 'accepted';
    };
    const field = (payload: unknown) => refused('runs.create', payload);
    const base = { datasetId: 'd', methods: ['simclr'] };
    expect(field({ ...base, seeds: [0, 1, 2] })).toBe('accepted');
    expect(field({ ...base, seeds: Array.from({ length: 17 }, (_, i) => i) })).toBe('seeds');
    expect(field({ ...base, seeds: [0, 0] })).toBe('seeds');
    expect(field({ ...base, seeds: [-1] })).toMatch(/^seeds/);
    expect(field({ ...base, seeds: [] })).toBe('seeds');
    expect(field({ ...base, sweep: { key: 'lr', values: [] } })).toMatch(/^sweep/);
    expect(field({ ...base, sweep: { key: '__proto__', values: [1] } })).toMatch(/^sweep/);
    const label = (payload: unknown) => refused('runs.label', payload);
    expect(label({ id: 'r', tags: [], notes: '' })).toBe('accepted');
    expect(label({ id: 'r', tags: Array.from({ length: 33 }, (_, i) => `t${i}`) })).toBe('tags');
    expect(label({ id: 'r', notes: 'x'.repeat(4001) })).toBe('notes');
  });
});
