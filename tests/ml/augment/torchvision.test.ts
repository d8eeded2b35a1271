/**
 * The batched ops against torchvision itself: fixtures/torchvision-ops.json holds inputs and
 * the outputs of torchvision.transforms.functional (float64), written by
 * fixtures/make_torchvision_ops.py.
 */
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { adjustBrightness, adjustContrast, adjustHue, adjustSaturation, grayscale } from '../../../src-main/ml/augment/color';
import { colorJitter, cropResizeFlip, gaussianBlur, solarize } from '../../../src-main/ml/augment/ops';
import { cropResizeWeighted, type Interpolation } from '../../../src-main/ml/augment/resample';
import { BACKENDS, useBackend } from './backends';

interface Arr {
  shape: [number, number, number];
  data: number[];
}
interface Case {
  op: string;
  args: (number | boolean | string | number[])[];
  input: Arr;
  expected: Arr;
}

const fixture = JSON.parse(readFileSync(new URL('./fixtures/torchvision-ops.json', import.meta.url), 'utf8')) as { cases: Case[] };

function apply(c: Case, x: tf.Tensor4D): tf.Tensor4D {
  const a = c.args;
  switch (c.op) {
    case 'brightness':
      return adjustBrightness(x, [a[0] as number]);
    case 'contrast':
      return adjustContrast(x, [a[0] as number]);
    case 'saturation':
      return adjustSaturation(x, [a[0] as number]);
    case 'hue':
      return adjustHue(x, [a[0] as number]);
    case 'grayscale':
      return grayscale(x, [true]);
    case 'solarize':
      return solarize(x, [true], a[0] as number);
    case 'blur':
      return gaussianBlur(x, [a[1] as number], a[0] as number);
    case 'jitter': {
      const factors = a[1] as number[];
      return colorJitter(x, [{ order: a[0] as number[], factors: [factors[0]!, factors[1]!, factors[2]!, factors[3]!] }]);
    }
    case 'crop': {
      const [top, left, height, width, size, flip] = a as [number, number, number, number, number, boolean];
      return cropResizeFlip(x, [{ top, left, height, width }], [flip], size);
    }
    case 'crop_pil': {
      const [top, left, height, width, size, flip, mode] = a as [number, number, number, number, number, boolean, Interpolation];
      return cropResizeWeighted(x, [{ top, left, height, width }], [flip], size, [0], mode);
    }
    default:
      throw new Error(`fixture op '${c.op}' has no counterpart`);
  }
}

describe.each(BACKENDS)('augmentation ops against torchvision on %s', (backend) => {
  let baseline = 0;
  beforeAll(() => useBackend(backend));
  beforeEach(() => {
    baseline = tf.memory().numTensors;
  });
  afterEach(() => {
    expect(tf.memory().numTensors).toBe(baseline);
  });

  it.each(fixture.cases.map((c, i) => [`${c.op}(${JSON.stringify(c.args)}) #${i}`, c] as const))('%s', (_name, c) => {
    const got = tf.tidy(() => apply(c, tf.tensor4d(c.input.data, [1, ...c.input.shape])).dataSync());
    const [h, w, ch] = c.expected.shape;
    expect(got.length).toBe(h * w * ch);
    let worst = 0;
    for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i]! - c.expected.data[i]!));
    // float32 against float64: the largest error seen is about 1.3e-6.
    expect(worst).toBeLessThan(1e-5);
  });
});
