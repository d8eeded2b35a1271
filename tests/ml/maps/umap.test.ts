import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { CancelledError } from '../../../src-main/core/errors';
import { useBackend } from '../../../src-main/ml/backend';
import { knnAccuracy2d, trustworthiness } from '../../../src-main/ml/maps/quality';
import { umap } from '../../../src-main/ml/maps/umap';
import { clusters, TEST_BACKEND } from '../../helpers/testData';

beforeAll(async () => {
  await useBackend(TEST_BACKEND);
});

describe('UMAP (umap-js, precomputed exact kNN)', () => {
  it('separates well-separated clusters and is deterministic for a seed', async () => {
    const n = 300;
    const d = 20;
    const { x, labels } = clusters(n, d, 5, 4);
    const before = tf.memory().numTensors;
    const a = await umap(x, n, d, { seed: 3, nEpochs: 150 });
    expect(tf.memory().numTensors).toBe(before);
    expect(a.epochs).toBe(150);
    expect(a.coords.every(Number.isFinite)).toBe(true);
    expect(trustworthiness(x, a.coords, n, d, 2, 10)).toBeGreaterThan(0.85);
    expect(knnAccuracy2d(a.coords, labels, n, 10)).toBe(1);
    const b = await umap(x, n, d, { seed: 3, nEpochs: 150 });
    expect(Array.from(b.coords)).toEqual(Array.from(a.coords));
    const c = await umap(x, n, d, { seed: 4, nEpochs: 150 });
    expect(Array.from(c.coords)).not.toEqual(Array.from(a.coords));
  });

  it('is cancellable', async () => {
    const { x } = clusters(200, 10, 3, 6);
    const controller = new AbortController();
    let updates = 0;
    const progress = {
      start() {},
      update() {
        if (++updates === 2) controller.abort();
      },
      finish() {},
      log() {},
    };
    await expect(umap(x, 200, 10, { nEpochs: 400 }, { signal: controller.signal, progress })).rejects.toBeInstanceOf(CancelledError);
  });

  it('needs more points than neighbours', async () => {
    await expect(umap(new Float32Array(30), 10, 3)).rejects.toThrow(/more than n_neighbors=15/);
  });
});
