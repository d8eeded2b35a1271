/** The training loop on its own: data in memory, a config, hooks; no workspace. */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { presetForMethod } from '../../../src-main/ml/augment';
import { useBackend } from '../../../src-main/ml/backend';
import { readCheckpoint } from '../../../src-main/ml/train/checkpoint';
import { resolveConfig } from '../../../src-main/ml/train/config';
import { trainLoop, type EpochEnd } from '../../../src-main/ml/train/loop';
import type { MetricPoint } from '../../../src-main/core/types';
import { makeTempDir } from '../../helpers/tmp';
import { toyTrainData } from './toyData';
import { join } from 'node:path';

beforeAll(async () => {
  await useBackend('cpu');
});

const cfg = (epochs: number) =>
  resolveConfig('simclr', { epochs, batch: 8, seed: 2, width: 0.25, lr: 0.05, params: { projHidden: 16, projOut: 8 } }, (b) => presetForMethod(b, 8));

async function record(epochs: number, hooks: { onEpochEnd?: (e: EpochEnd) => Promise<void> } = {}) {
  const points: MetricPoint[] = [];
  const r = await trainLoop(toyTrainData(), cfg(epochs), { onMetrics: (p) => points.push(...p), ...hooks });
  return { r, points: points.filter((p) => p.name !== 'views_per_s').map((p) => [p.name, p.step, p.value]) };
}

describe('trainLoop', () => {
  it('trains from arrays, hands every metric to its hooks, leaks no tensors, and is deterministic', async () => {
    const before = tf.memory().numTensors;
    const a = await record(2);
    expect(tf.memory().numTensors).toBe(before);
    expect(a.r).toMatchObject({ status: 'completed', epochsDone: 2, stepsDone: 8 });
    expect(a.points.filter(([name]) => name === 'loss')).toHaveLength(8);
    expect(a.points.filter(([name]) => name === 'knn_top1')).toHaveLength(2);
    expect((await record(2)).points).toEqual(a.points);
  });

  it('resumes from the checkpoint its hook saved, to the same record', async () => {
    const tmp = makeTempDir();
    try {
      const straight = await record(2);
      const path = join(tmp.dir, 'e1.bin');
      const first: MetricPoint[] = [];
      const controller = new AbortController();
      const cancelled = await trainLoop(toyTrainData(), cfg(2), {
        onMetrics: (p) => first.push(...p),
        onEpochEnd: async (e) => {
          await e.save(path);
          controller.abort();
        },
      }, undefined, { signal: controller.signal });
      expect(cancelled.status).toBe('cancelled');
      expect(cancelled.epochsDone).toBe(1);
      const rest: MetricPoint[] = [];
      await trainLoop(toyTrainData(), cfg(2), { onMetrics: (p) => rest.push(...p) }, { epoch: 0, checkpoint: readCheckpoint(path) });
      const resumed = [...first, ...rest].filter((p) => p.name !== 'views_per_s').map((p) => [p.name, p.step, p.value]);
      expect(resumed).toEqual(straight.points);
    } finally {
      tmp.cleanup();
    }
  });

  it('refuses a batch larger than the train split, naming the field', async () => {
    await expect(trainLoop(toyTrainData(), { ...cfg(1), batch: 64 })).rejects.toMatchObject({ field: 'batch', message: expect.stringMatching(/32 training images, fewer than one batch of 64/) });
  });
});
