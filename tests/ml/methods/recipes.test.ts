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
});
