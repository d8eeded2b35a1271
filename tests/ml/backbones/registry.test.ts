import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../../src-main/ml/backend';
import { BACKBONE_NAMES, buildBackbone, checkBackbone } from '../../../src-main/ml/backbones/registry';
import { getMethod, methods } from '../../../src-main/ml/methods';
import { resolveConfig } from '../../../src-main/ml/train/config';
import { buildModel } from '../../../src-main/ml/train/loop';

beforeAll(async () => {
  await useBackend('cpu');
});

const cfg = (seed: number) => resolveConfig('byol', { width: 0.25, seed, params: { projHidden: 8, projOut: 4, predHidden: 8 } }, () => 'byol-cifar');

describe('backbone registry', () => {
  it('names the known backbones when one is unknown, prototype names included', () => {
    expect(BACKBONE_NAMES).toEqual(['resnet18', 'resnet34', 'small', 'vit-tiny', 'vit-mini']);
    for (const name of ['nope', 'constructor', 'toString', '__proto__']) {
      expect(() => checkBackbone(name)).toThrow(`unknown backbone '${name}' (known: resnet18, resnet34, small, vit-tiny, vit-mini)`);
    }
  });

  it("builds the trainer's initial backbone: the random-init baseline shares its weights by construction", async () => {
    const input = { size: 8, channels: 3, numClasses: 4 };
    const model = buildModel(cfg(3), input);
    const alone = buildBackbone(cfg(3), input);
    const other = buildBackbone(cfg(4), input);
    const values = (m: { weights: { read(): tf.Tensor }[] }) => Promise.all(m.weights.map((w) => w.read().data()));
    const [a, b, c] = await Promise.all([values(model.backbone), values(alone), values(other)]);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
    model.dispose();
    alone.dispose();
    other.dispose();
  });
});

describe('method registry', () => {
  it('answers unknown method for prototype names', () => {
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      expect(methods[name]).toBeUndefined();
      expect(() => getMethod(name)).toThrow(`unknown method '${name}'`);
    }
  });
});
