/**
 * The six recipes follow their references (issue 17): what a config or a built model must say,
 * each with the file of the reference it comes from.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { presetForMethod } from '../../../src-main/ml/augment';
import { useBackend } from '../../../src-main/ml/backend';
import { resolveConfig } from '../../../src-main/ml/train/config';
import { buildModel } from '../../../src-main/ml/train/loop';
import { methods } from '../../../src-main/ml/methods';

beforeAll(async () => {
  await useBackend('cpu');
});

const data = { size: 8, channels: 3, numClasses: 2 };
const config = (method: string, params: Record<string, number> = {}) => resolveConfig(method, { batch: 8, width: 0.25, seed: 1, params }, (b) => presetForMethod(b, 8));

describe('recipes against their references', () => {
  it('SimSiam: the predictor keeps the base lr (solo-learn static_lr, official --fix-pred-lr)', () => {
    const before = tf.memory().numTensors;
    const model = buildModel(config('simsiam', { projHidden: 16, projOut: 8, predHidden: 8 }), data);
    const groups = model.paramGroups();
    expect(groups.map((g) => [g.name, g.fixedLr])).toEqual([['predictor', true]]);
    const predictor = model.networks()['predictor']!;
    expect(groups[0]!.variables).toEqual(predictor.trainableWeights.map((w) => w.read()));
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('MoCo v2+: queue 32,768 and τ 0.99 → 0.999 (solo-learn mocov2plus.yaml), the queue never longer than the train split', () => {
    const full = config('moco');
    expect(full.params).toMatchObject({ queueSize: 32768, tau: 0.99, finalTau: 0.999, temperature: 0.2 });
    const small = resolveConfig('moco', { batch: 8, params: {}, trainImages: 1000 }, (b) => presetForMethod(b, 8));
    expect(small.params['queueSize']).toBe(1000);
    expect(resolveConfig('moco', { batch: 8, params: { queueSize: 512 }, trainImages: 1000 }, (b) => presetForMethod(b, 8)).params['queueSize']).toBe(512);
    expect(methods['moco']!.fitToData!({ ...methods['moco']!.params }, 1000).notes).toEqual(["queueSize 1000: the train split's size (asked 32768; a longer queue repeats images)"]);
    expect(() => config('moco', { finalTau: 0.9 })).toThrow(/finalTau must be in \[tau, 1\], got 0.9/);
  });
});
