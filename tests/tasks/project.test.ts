import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CancelledError } from '../../src-main/core/errors';
import { presetForMethod } from '../../src-main/ml/augment';
import { Rng } from '../../src-main/core/rng';
import { useBackend } from '../../src-main/ml/backend';
import { runEmbeddings } from '../../src-main/tasks/embeddings';
import { createProjection, getProjection } from '../../src-main/tasks/project';
import { resolveConfig } from '../../src-main/ml/train/config';
import { runTraining } from '../../src-main/tasks/train';
import { saveEmbeddings } from '../../src-main/store/embeddings';
import { getProjectionRow, readProjectionFile } from '../../src-main/store/projections';
import { createRun } from '../../src-main/store/runs';
import { Workspace } from '../../src-main/store/workspace';
import { runCli } from '../helpers/cli';
import { makeTempDir } from '../helpers/tmp';
import { makeToyDataset } from '../helpers/toyDataset';
import { TEST_BACKEND } from '../helpers/testData';

let tmp: ReturnType<typeof makeTempDir>;
let ws: Workspace;
let runId: string;
let clusteredRun: string;

beforeAll(async () => {
  await useBackend(TEST_BACKEND);
  tmp = makeTempDir();
  ws = Workspace.open(tmp.dir);
  const datasetId = makeToyDataset(ws);
  const cfg = (method: string) =>
    resolveConfig(method, { epochs: 1, batch: 16, seed: 5, width: 0.25, lr: 0.05 }, (b) => presetForMethod(b, 8));
  runId = createRun(ws, datasetId, 'random', cfg('random')).id;
  await runTraining(ws, runId);
  // A second run whose cached test embeddings are replaced by 300 clustered 32-d points: the
  // projection job reads them from the cache like any other embeddings.
  clusteredRun = createRun(ws, datasetId, 'random', cfg('random')).id;
  await runTraining(ws, clusteredRun);
  const real = await runEmbeddings(ws, clusteredRun, 'test');
  const n = 300;
  const d = 32;
  const rng = new Rng(9);
  const g = () => Math.sqrt(-2 * Math.log(Math.max(rng.next(), 1e-300))) * Math.cos(2 * Math.PI * rng.next());
  const centres = Float32Array.from({ length: 4 * d }, () => 4 * g());
  const features = Float32Array.from({ length: n * d }, (_, i) => centres[(Math.floor(i / d) % 4) * d + (i % d)]! + g());
  saveEmbeddings(
    ws,
    { ...real, dim: d, count: n, features, indices: Int32Array.from({ length: n }, (_, i) => i), labels: Int32Array.from({ length: n }, (_, i) => i % 4) },
    0,
  );
}, 120_000);

afterAll(() => {
  ws.close();
  tmp.cleanup();
});

describe('createProjection', () => {
  it('maps a trained run\'s test embeddings with each algorithm and stores the map with the run', async () => {
    const emb = await runEmbeddings(ws, runId, 'test');
    for (const algo of ['pca', 'tsne', 'umap'] as const) {
      const before = tf.memory().numTensors;
      const p = await createProjection(ws, runId, { algo, seed: 2 });
      expect(tf.memory().numTensors).toBe(before);
      expect(p).toMatchObject({ runId, epoch: emb.epoch, split: 'test', algo, classes: ['class0', 'class1', 'class2', 'class3'] });
      expect(p.indices).toEqual(Array.from(emb.indices));
      expect(p.labels).toEqual(Array.from(emb.labels));
      expect(p.x.length).toBe(emb.count);
      expect([...p.x, ...p.y].every(Number.isFinite)).toBe(true);
      expect(p.quality['trustworthiness']).toBeGreaterThan(0);
      expect(p.quality['trustworthiness']).toBeLessThanOrEqual(1);
      const row = getProjectionRow(ws, runId, 'test', algo)!;
      expect(row.path).toBe(`runs/${runId}/projections/e${String(emb.epoch).padStart(4, '0')}-test-${algo}.prj`);
      const file = readProjectionFile(join(tmp.dir, row.path));
      expect(Array.from(file.coords.filter((_, i) => i % 2 === 0))).toEqual(p.x);
      expect(getProjection(ws, runId, algo, 'test')).toEqual(p);
    }
    expect(getProjection(ws, runId, 'tsne', 'train')).toBeNull();
  });

  it('clustered embeddings: t-SNE and UMAP maps are trustworthy and keep the classes apart', async () => {
    for (const algo of ['tsne', 'umap'] as const) {
      const p = await createProjection(ws, clusteredRun, { algo });
      expect(p.indices.length).toBe(300);
      expect(p.quality['trustworthiness']).toBeGreaterThan(0.85);
      expect(p.quality['knn2d']).toBe(1);
      expect(p.quality['sample']).toBe(300);
    }
    const pca = await createProjection(ws, clusteredRun, { algo: 'pca' });
    expect(pca.quality['explainedVariance']).toBeGreaterThan(0);
    expect(pca.quality['explainedVariance']).toBeLessThan(1);
  });

  it('is deterministic for a seed, and a smaller --max-points maps a seeded subsample', async () => {
    const a = await createProjection(ws, clusteredRun, { algo: 'tsne', seed: 3, maxPoints: 100 });
    const b = await createProjection(ws, clusteredRun, { algo: 'tsne', seed: 3, maxPoints: 100 });
    expect(a.indices.length).toBe(100);
    expect(b.x).toEqual(a.x);
    expect(b.indices).toEqual(a.indices);
  });

  it('is cancellable while mapping, and leaves no row behind', async () => {
    const controller = new AbortController();
    let mapping = false;
    const progress = {
      start(label: string) {
        mapping = label.startsWith('UMAP');
      },
      update() {
        if (mapping) controller.abort();
      },
      finish() {},
      log() {},
    };
    const before = getProjectionRow(ws, clusteredRun, 'test', 'umap');
    await expect(createProjection(ws, clusteredRun, { algo: 'umap', seed: 7 }, { signal: controller.signal, progress })).rejects.toBeInstanceOf(
      CancelledError,
    );
    expect(mapping).toBe(true);
    expect(getProjectionRow(ws, clusteredRun, 'test', 'umap')).toEqual(before);
  });

  it('names the bad input', async () => {
    await expect(createProjection(ws, 'run-nothere', { algo: 'pca' })).rejects.toThrow(/no run 'run-nothere'/);
    await expect(createProjection(ws, runId, { algo: 'mds' as 'pca' })).rejects.toThrow(/unknown projection algorithm 'mds'/);
  });
});

describe('pretext project', () => {
  it('prints the time and trustworthiness; --json returns them', async () => {
    const human = await runCli(['--workspace', tmp.dir, '--backend', TEST_BACKEND, 'project', clusteredRun, '--algo', 'pca']);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/pca map of run .* \(epoch 1, test, 300 points\) in [\d.]+ s/);
    expect(human.stdout).toMatch(/trustworthiness\(k=10\) 0\.\d{4} on 300 points, 2-D kNN accuracy [\d.]+ %/);
    const r = await runCli(['--workspace', tmp.dir, '--backend', TEST_BACKEND, '--json', 'project', clusteredRun, '--algo', 'pca', '--seed', '1']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { algo: string; points: number; quality: Record<string, number>; seconds: number };
    expect(out).toMatchObject({ algo: 'pca', points: 300 });
    expect(out.quality['trustworthiness']).toBeGreaterThan(0.5);
    expect(existsSync(join(tmp.dir, 'runs', clusteredRun, 'projections'))).toBe(true);
  });

  it('a bad --algo or run is an error naming it', async () => {
    const a = await runCli(['--workspace', tmp.dir, '--backend', TEST_BACKEND, 'project', clusteredRun, '--algo', 'mds']);
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/--algo must be one of pca, tsne, umap, got 'mds'/);
    const b = await runCli(['--workspace', tmp.dir, '--backend', TEST_BACKEND, 'project', 'run-nothere', '--algo', 'pca']);
    expect(b.code).not.toBe(0);
    expect(b.stderr).toMatch(/no run 'run-nothere'/);
    const c = await runCli(['--workspace', tmp.dir, '--backend', TEST_BACKEND, 'project', clusteredRun]);
    expect(c.code).toBe(2);
    expect(c.stderr).toMatch(/--algo is required/);
  });
});
