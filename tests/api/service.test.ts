import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import type { JobInfo } from '../../src-main/api/contract';
import { stagedFolder } from '../../src-main/api/pathAccess';
import { methods } from '../../src-main/ml/methods';
import type { Service } from '../../src-main/api/service';
import { Workspace } from '../../src-main/store/workspace';
import { solid } from '../data/helpers';
import { waitFor } from '../helpers/events';
import { makeToyDataset } from '../helpers/toyDataset';
import { closeServiceTest, openServiceTest, type ServiceTest } from '../helpers/service';

let tmp: ServiceTest['tmp'];
let ws: Workspace;
let service: Service;

// Imports read the test's own folders (as the desktop app or a --data-root would allow).
beforeEach(() => void ({ tmp, ws, service } = openServiceTest((dir) => ({ dataRoots: [dir] }))));
afterEach(() => closeServiceTest({ tmp, ws, service }));

const finished = (jobId: string) => waitFor(service, 'job.finished', (j: JobInfo) => j.id === jobId);

describe('service', () => {
  it('imports a folder as a job, lists it with thumbnails and previews views as PNG data URLs', async () => {
    const src = join(tmp.dir, 'src');
    for (const cls of ['cat', 'dog']) {
      mkdirSync(join(src, cls), { recursive: true });
      for (let i = 0; i < 5; i++) writeFileSync(join(src, cls, `${i}.png`), await solid('png', cls === 'cat' ? [200, 10 + i, 10] : [10, 10 + i, 200], 12, 12));
    }
    const { jobId } = await service.handle('datasets.import', { path: src, size: 8 });
    const done = await finished(jobId);
    expect(done.status).toBe('completed');
    const list = await service.handle('datasets.list', undefined);
    expect(list).toHaveLength(1);
    expect(list[0]!.classes).toEqual(['cat', 'dog']);
    expect(list[0]!.numItems).toBe(10);
    const page = await service.handle('datasets.items', { id: list[0]!.id, limit: 3 });
    expect(page.total).toBe(10);
    expect(page.items[0]!.thumb).toMatch(/^data:image\/png;base64,/);

    await service.handle('app.info', undefined); // initialises the backend
    const before = tf.memory().numTensors;
    const preview = await service.handle('augment.preview', { datasetId: list[0]!.id, method: 'simclr', count: 3, seed: 1 });
    expect(preview.rows).toHaveLength(3);
    expect(preview.rows[0]!.views).toHaveLength(2);
    expect(preview.rows[0]!.views[0]).toMatch(/^data:image\/png;base64,/);
    expect(preview.masked).toBeUndefined();
    // Masked image modelling: the first view again without the patches MAE's masks remove (8 px: 2×2 patches of 4, 1 kept).
    const mae = await service.handle('augment.preview', { datasetId: list[0]!.id, method: 'mae', count: 2, seed: 1 });
    expect(mae.masked!.caption).toBe('3 of 4 patches removed (random, ratio 0.75)');
    expect(mae.rows.map((r) => r.masked)).toEqual([expect.stringMatching(/^data:image\/png;base64,/), expect.stringMatching(/^data:image\/png;base64,/)]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('lists every method with its summary, its whole reference and its short citation', async () => {
    const list = await service.handle('methods.list', undefined);
    expect(list.map((m) => m.name)).toEqual(Object.keys(methods));
    const simclr = list.find((m) => m.name === 'simclr')!;
    expect(simclr.cite).toBe('Chen et al. 2020');
    expect(simclr.paper).toContain('A Simple Framework for Contrastive Learning');
    expect(list.find((m) => m.name === 'random')!.cite).toBeUndefined();
  });

  it('answers bad input with ApiErrors that name it', async () => {
    await expect(service.handle('datasets.import', { path: join(tmp.dir, 'nope') })).rejects.toMatchObject({ code: 'bad-request', message: expect.stringContaining('nope') });
    await expect(service.handle('datasets.get', { id: 'ds-missing' })).rejects.toMatchObject({ code: 'not-found' });
    await expect(service.handle('bogus.request' as 'app.info', undefined)).rejects.toMatchObject({ code: 'not-found' });
    const id = makeToyDataset(ws);
    await expect(service.handle('runs.create', { datasetId: id, methods: ['nosuch'] })).rejects.toMatchObject({ code: 'bad-request', message: expect.stringContaining('nosuch') });
  });

  it('trains a run in a child process with progress events, metrics and a completed status', async () => {
    const id = makeToyDataset(ws, { size: 8, perClassTrain: 4, perClassTest: 2 });
    const { runIds, jobIds } = await service.handle('runs.create', {
      datasetId: id,
      methods: ['simclr'],
      epochs: 1,
      batch: 8,
      width: 0.25,
    });
    const progress = waitFor(service, 'job.progress', (j) => j.id === jobIds[0] && j.total > 0);
    const metrics = waitFor(service, 'run.metrics', (m) => m.runId === runIds[0]);
    const done = await finished(jobIds[0]!);
    expect(done.error).toBeNull();
    expect(done.status).toBe('completed');
    expect((await progress).unit).toBe('step');
    expect((await metrics).points.some((p) => p.name === 'loss')).toBe(true);
    const run = await service.handle('runs.get', { id: runIds[0]! });
    expect(run.status).toBe('completed');
    expect(run.epochsDone).toBe(1);
    expect(run.jobId).toBeNull();
    const points = await service.handle('runs.metrics', { id: runIds[0]!, names: ['loss'] });
    expect(points.length).toBeGreaterThan(0);

    // Evaluation and export jobs on the trained run.
    const knn = await finished((await service.handle('eval.knn', { runId: runIds[0]!, k: 5 })).jobId);
    expect(knn.error).toBeNull();
    const evals = await service.handle('eval.list', { runIds: [runIds[0]!] });
    expect(evals.map((e) => e.kind)).toContain('knn');
    expect(typeof evals[0]!.result['top1']).toBe('number');
    const exported = await finished((await service.handle('export.embeddings', { runId: runIds[0]!, format: 'csv' })).jobId);
    expect(exported.status).toBe('completed');
    const file = exported.result as { path: string; bytes: number };
    expect(existsSync(file.path)).toBe(true);
    expect(file.bytes).toBeGreaterThan(0);
    // The split option reaches the exporter: all = train rows then test rows.
    const rowsOf = async (split: 'train' | 'all') => {
      const job = await finished((await service.handle('export.embeddings', { runId: runIds[0]!, format: 'csv', split })).jobId);
      expect(job.error).toBeNull();
      return readFileSync((job.result as { path: string }).path, 'utf8').trim().split('\n').slice(1);
    };
    const testRows = readFileSync(file.path, 'utf8').trim().split('\n').slice(1);
    const trainRows = await rowsOf('train');
    expect(new Set(trainRows.map((r) => r.split(',')[1]))).toEqual(new Set(['train']));
    expect(await rowsOf('all')).toEqual([...trainRows, ...testRows]);
    await expect(service.handle('export.embeddings', { runId: runIds[0]!, format: 'csv', split: 'val' as 'test' })).rejects.toThrow(/split 'val'/);

    const diag = await service.handle('eval.diagnostics', { runId: runIds[0]! });
    expect(diag.perDimStd.length).toBe(diag.dim);
    expect(Number.isFinite(diag.effectiveRank)).toBe(true);
    // Evaluations count completed epochs; a second call serves the stored row.
    expect(diag.epoch).toBe(1);
    expect(await service.handle('eval.diagnostics', { runId: runIds[0]! })).toEqual(diag);
    const stored = ws.db.prepare("SELECT COUNT(*) AS n FROM evaluations WHERE run_id = ? AND kind = 'diagnostics'").get(runIds[0]!) as { n: number };
    expect(stored.n).toBe(1);
    const mapped = await finished((await service.handle('projections.create', { runId: runIds[0]!, algo: 'pca' })).jobId);
    expect(mapped.error).toBeNull();
    const map = await service.handle('projections.get', { runId: runIds[0]!, algo: 'pca' });
    expect(map!.x.length).toBe(map!.indices.length);
    expect(map!.x.length).toBeGreaterThan(0);
    const report = await finished((await service.handle('report.create', { runIds: [runIds[0]!] })).jobId);
    expect(report.error).toBeNull();
    expect(readFileSync((report.result as { path: string }).path, 'utf8')).toContain('<html');
  }, 240_000);

  it('removes only upload and staging folders of the workspace tmp after an import', () => {
    const tmpDir = join(tmp.dir, 'ws', 'tmp');
    expect(stagedFolder(tmpDir, join(tmpDir, '123-upload-0a1b2c3d', 'pets'))).toBe(join(tmpDir, '123-upload-0a1b2c3d'));
    expect(stagedFolder(tmpDir, join(tmpDir, '123-stage-0a1b2c3d'))).toBe(join(tmpDir, '123-stage-0a1b2c3d'));
    expect(stagedFolder(tmpDir, join(tmpDir, '123-import-0a1b2c3d', 'x'))).toBeNull();
    expect(stagedFolder(tmpDir, tmpDir)).toBeNull();
    expect(stagedFolder(tmpDir, join(tmp.dir, 'my-photos'))).toBeNull();
    expect(stagedFolder(tmpDir, join(tmpDir, '..', '123-upload-0a1b2c3d'))).toBeNull();
  });

  it('lists the backends with why one is unavailable, and keeps using the one chosen', async () => {
    const info = await service.handle('app.info', undefined);
    expect(info.backend?.name).toBe('cpu');
    const list = await service.handle('backends.list', undefined);
    expect(list.map((b) => b.name)).toEqual(['tensorflow', 'webgpu', 'wasm', 'cpu']);
    expect(list.find((b) => b.name === 'cpu')!.available).toBe(true);
    for (const b of list.filter((x) => !x.available)) expect(b.reason).toBeTruthy();
    expect((await service.handle('app.info', undefined)).backend?.name).toBe('cpu');
  });
});
