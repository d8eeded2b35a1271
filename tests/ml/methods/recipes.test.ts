/**
 * The six recipes against their references (issue 17): what a method declares that the
 * optimiser, the momentum updater and the resolved config then follow.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { presetForMethod } from '../../../src-main/ml/augment';
import { useBackend } from '../../../src-main/ml/backend';
import { resolveConfig } from '../../../src-main/ml/train/config';
import { buildModel } from '../../../src-main/ml/train/loop';
import { previewTrainConfigs, resolveTrainConfigs } from '../../../src-main/tasks/trainConfig';

beforeAll(async () => {
  await useBackend('cpu');
});

const data = { size: 8, channels: 3, numClasses: 2 };
const config = (method: string, params = {}) =>
  resolveConfig(method, { batch: 8, width: 0.25, seed: 2, params }, (b) => presetForMethod(b, 8));

describe('recipes', () => {
  it("SimSiam's predictor keeps the base lr (official --fix-pred-lr, solo-learn static_lr); nothing else is grouped", () => {
    const before = tf.memory().numTensors;
    const model = buildModel(config('simsiam', { projHidden: 16, projOut: 8, predHidden: 4 }), data);
    const groups = model.paramGroups();
    expect(groups.map((g) => [g.name, g.fixedLr])).toEqual([['predictor', true]]);
    const predictorVars = new Set(model.networks()['predictor']!.trainableWeights.map((w) => w.originalName));
    expect(groups[0]!.variables.map((v) => v.name).every((n) => predictorVars.has(n))).toBe(true);
    expect(groups[0]!.variables.length).toBe(predictorVars.size);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it("MoCo follows solo-learn's mocov2plus.yaml: τ 0.99 → 0.999, queue 32,768 capped at the train split", () => {
    const def = config('moco');
    expect([def.params['tau'], def.params['finalTau'], def.params['queueSize']]).toEqual([0.99, 0.999, 32768]);
    expect(() => config('moco', { tau: 0.9995 })).toThrow(/finalTau must be in \[tau, 1\], got 0.999/);
    const facts = { datasetId: 'd', imageSize: 28, trainImages: 2048, numClasses: 10 };
    const [cfg] = resolveTrainConfigs({ methods: ['moco'], batch: 128 }, facts, 'cpu');
    expect(cfg!.params['queueSize']).toBe(2048);
    const [preview] = previewTrainConfigs({ methods: ['moco'], batch: 128 }, facts, 'cpu');
    expect(preview!.notes).toContain("queueSize 2048: the train split's size (asked 32768; a longer queue repeats images)");
    const [big] = resolveTrainConfigs({ methods: ['moco'], batch: 128 }, { ...facts, trainImages: 60000 }, 'cpu');
    expect(big!.params['queueSize']).toBe(32768);
  });
});

describe('LARS clip_lr', () => {
  it('is a train option, off by default, recorded in the resolved config; only LARS takes it', () => {
    expect(config('barlow').clipLr).toBe(false);
    expect(resolveConfig('vicreg', { clipLr: true }, (b) => b).clipLr).toBe(true);
    expect(() => resolveConfig('simsiam', { clipLr: true }, (b) => b)).toThrow(/clipLr clips LARS's layer lr; optimizer sgd has none/);
    const facts = { datasetId: 'd', imageSize: 28, trainImages: 512, numClasses: 10 };
    expect(resolveTrainConfigs({ methods: ['barlow'], clipLr: true }, facts, 'cpu')[0]!.clipLr).toBe(true);
    expect(() => resolveTrainConfigs({ methods: ['barlow'], clipLr: 'yes' as unknown as boolean }, facts, 'cpu')).toThrow(/clipLr must be true or false/);
  });
});

describe('heads', () => {
  it("start as PyTorch's nn.Linear: weights and bias U(±1/√fan_in)", () => {
    const before = tf.memory().numTensors;
    const model = buildModel(config('simclr', { projHidden: 256, projOut: 64 }), data);
    const dense = model.networks()['projector']!.layers.filter((l) => l.getClassName() === 'Dense');
    expect(dense).toHaveLength(2);
    for (const layer of dense) {
      const [kernel, bias] = layer.getWeights();
      const fanIn = kernel!.shape[0]!;
      const bound = 1 / Math.sqrt(fanIn);
      const w = Array.from(kernel!.dataSync() as Float32Array);
      const maxAbs = w.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      expect(maxAbs).toBeLessThanOrEqual(bound);
      expect(maxAbs).toBeGreaterThan(0.95 * bound);
      const std = Math.sqrt(w.reduce((s, v) => s + v * v, 0) / w.length);
      expect(std).toBeCloseTo(bound / Math.sqrt(3), 2);
      const b = Array.from(bias!.dataSync() as Float32Array);
      expect(b.every((v) => Math.abs(v) <= bound)).toBe(true);
      expect(b.some((v) => v !== 0)).toBe(true);
    }
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
