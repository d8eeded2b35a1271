/**
 * MoCo v3, MoCo v1 and DeepCluster v2 in the loop (issue 12): the onEpochStart hook (before each
 * epoch's first step, also on a resumed run's first epoch), DeepCluster v2's clustering (loss 0
 * with no assignments in the first epoch, prototypes set to unit centroids after), MoCo v1's
 * queue capped at the train split, and a constant tensor count across steps.
 */
import * as tf from '@tensorflow/tfjs-core';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { presetForMethod } from '../../../src-main/ml/augment';
import { useBackend } from '../../../src-main/ml/backend';
import { deepclusterv2 } from '../../../src-main/ml/methods/deepclusterv2';
import { mocov1 } from '../../../src-main/ml/methods/mocov1';
import type { SslModel } from '../../../src-main/ml/methods';
import { readCheckpoint } from '../../../src-main/ml/train/checkpoint';
import { resolveConfig } from '../../../src-main/ml/train/config';
import { trainLoop } from '../../../src-main/ml/train/loop';
import { resolveTrainConfigs } from '../../../src-main/tasks/trainConfig';
import type { MetricPoint } from '../../../src-main/core/types';
import { makeTempDir } from '../../helpers/tmp';
import { toyTrainData } from '../train/toyData';

beforeAll(async () => {
  await useBackend('cpu');
});
afterEach(() => vi.restoreAllMocks());

const cfg = (method: string, params: Record<string, number>, epochs = 3) =>
  resolveConfig(method, { epochs, batch: 8, seed: 2, width: 0.25, lr: 0.05, params }, (b) => presetForMethod(b, 8));

/** Spies on the model `def.build` makes: every call of its hooks, in order, and the model. */
function spyOn(def: typeof deepclusterv2) {
  const calls: string[] = [];
  const models: SslModel[] = [];
  const build = def.build.bind(def);
  vi.spyOn(def, 'build').mockImplementation((...args) => {
    const m = build(...args);
    models.push(m);
    return {
      ...m,
      onEpochStart: (e) => {
        calls.push(`start ${e.epoch}`);
        m.onEpochStart?.(e);
      },
      loss: (input, t) => {
        calls.push(`step ${input.epoch}.${input.stepInEpoch}`);
        return m.loss(input, t);
      },
    };
  });
  return { calls, models };
}

describe('deepclusterv2', () => {
  const params = { projHidden: 16, projOut: 8, numPrototypes: 3000, prototypeSets: 2 };

  it('clusters before each epoch; trains on the assignments after the first; keeps its tensor count', async () => {
    const { calls, models } = spyOn(deepclusterv2);
    const points: MetricPoint[] = [];
    const counts: number[] = [];
    let protos: number[][][] = [];
    await trainLoop(toyTrainData(), cfg('deepclusterv2', params), {
      onMetrics: (p) => points.push(...p),
      onStep: () => counts.push(tf.memory().numTensors),
      onEpochEnd: async () => {
        protos = [models[0]!.buffers()['prototypes0']!.arraySync() as number[][]];
      },
    });
    expect(calls.filter((c) => c.startsWith('start'))).toEqual(['start 0', 'start 1', 'start 2']);
    expect(calls.indexOf('start 1')).toBe(calls.indexOf('step 0.3') + 1); // 32 images / 8: 4 steps an epoch
    const loss = points.filter((p) => p.name === 'loss');
    expect(loss.slice(0, 4).map((p) => p.value)).toEqual([0, 0, 0, 0]);
    for (const p of loss.slice(4)) expect(p.value).toBeGreaterThan(0);
    // k sized to the dataset: max(2, round(3000 · 32 / 50000)) = 2 unit centroids.
    expect(protos[0]).toHaveLength(2);
    for (const row of protos[0]!) expect(Math.hypot(...row)).toBeCloseTo(1, 5);
    expect(new Set(counts).size, counts.join(', ')).toBe(1);
  });

  it('a run resumed from its epoch-1 checkpoint clusters again at its first epoch and records the same', async () => {
    const tmp = makeTempDir();
    try {
      const metrics = (p: MetricPoint[]) => p.filter((x) => x.name !== 'views_per_s').map((x) => [x.name, x.step, x.value]);
      const straight: MetricPoint[] = [];
      await trainLoop(toyTrainData(), cfg('deepclusterv2', params), { onMetrics: (p) => straight.push(...p) });
      const path = join(tmp.dir, 'e1.bin');
      const first: MetricPoint[] = [];
      const controller = new AbortController();
      await trainLoop(toyTrainData(), cfg('deepclusterv2', params), {
        onMetrics: (p) => first.push(...p),
        onEpochEnd: async (e) => {
          if (e.epoch === 1) {
            await e.save(path);
            controller.abort();
          }
        },
      }, undefined, { signal: controller.signal });
      const { calls } = spyOn(deepclusterv2);
      const rest: MetricPoint[] = [];
      await trainLoop(toyTrainData(), cfg('deepclusterv2', params), { onMetrics: (p) => rest.push(...p) }, { epoch: 1, checkpoint: readCheckpoint(path) });
      expect(calls[0]).toBe('start 2');
      expect(metrics([...first, ...rest])).toEqual(metrics(straight));
    } finally {
      tmp.cleanup();
    }
  });
});

describe('mocov1', () => {
  it('caps its queue at the train split and keeps its tensor count across steps', async () => {
    const { models } = spyOn(mocov1 as typeof deepclusterv2);
    const counts: number[] = [];
    const points: MetricPoint[] = [];
    await trainLoop(toyTrainData(), cfg('mocov1', { projOut: 8 }, 2), { onStep: () => counts.push(tf.memory().numTensors), onMetrics: (p) => points.push(...p) });
    expect(models[0]!.buffers()['queue']!.shape).toEqual([32, 8]);
    expect(new Set(counts).size, counts.join(', ')).toBe(1);
    for (const p of points.filter((x) => x.name === 'loss')) expect(Number.isFinite(p.value)).toBe(true);
  });

  it("records the effective queue (65,536 capped at the train split) in a run's resolved config", () => {
    const facts = { datasetId: 'd', imageSize: 8, trainImages: 1000, numClasses: 2 };
    const [small] = resolveTrainConfigs({ methods: ['mocov1'], batch: 8 }, facts, 'cpu');
    expect(small!.params['queueSize']).toBe(1000);
    const [large] = resolveTrainConfigs({ methods: ['mocov1'], batch: 8 }, { ...facts, trainImages: 100_000 }, 'cpu');
    expect(large!.params['queueSize']).toBe(65536);
  });

  it('refuses a shuffleGroups that does not divide the batch, naming the option', () => {
    expect(() => cfg('mocov1', { shuffleGroups: 3 })).toThrow(/shuffleGroups \(3\) must divide the batch \(8\)/);
  });
});
