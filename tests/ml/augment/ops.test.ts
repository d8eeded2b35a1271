import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { adjustBrightness, adjustContrast, adjustHue, adjustSaturation, grayscale, JITTER_FNS, rgbToGray } from '../../../src-main/ml/augment/color';
import { colorJitter, cropResizeFlip, gaussianBlur, gaussianKernel1d, permuteRows, solarize } from '../../../src-main/ml/augment/ops';
import type { JitterParams } from '../../../src-main/ml/augment/params';
import { cropResizeWeighted, pilWeights } from '../../../src-main/ml/augment/resample';
import { Rng } from '../../../src-main/core/rng';
import { BACKENDS, useBackend } from './backends';
import { img, refBlur, refContrast, refCropResize, refGray, refHue, refSaturation, type Img } from './reference';

function randomImg(rng: Rng, h: number, w: number, c: number): Img {
  return img(h, w, c, () => rng.next());
}

function batch(imgs: Img[]): tf.Tensor4D {
  const { h, w, c } = imgs[0]!;
  const data = new Float32Array(imgs.length * h * w * c);
  imgs.forEach((im, i) => data.set(im.data, i * h * w * c));
  return tf.tensor4d(data, [imgs.length, h, w, c]);
}

/** Runs fn in a tidy and returns its values. */
function values(fn: () => tf.Tensor): Float32Array {
  return tf.tidy(() => fn().dataSync() as Float32Array);
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
  expect(worst).toBeLessThanOrEqual(tol);
}

function concat(imgs: Img[]): Float64Array {
  const out = new Float64Array(imgs.reduce((n, im) => n + im.data.length, 0));
  let o = 0;
  for (const im of imgs) {
    out.set(im.data, o);
    o += im.data.length;
  }
  return out;
}

describe.each(BACKENDS)('augmentation ops on %s', (backend) => {
  let baseline = 0;
  beforeAll(() => useBackend(backend));
  beforeEach(() => {
    baseline = tf.memory().numTensors;
  });
  afterEach(() => {
    expect(tf.memory().numTensors).toBe(baseline);
  });

  it('crops, resizes and flips each image with its own box (bilinear, half-pixel centres)', () => {
    const rng = new Rng(1);
    const imgs = [0, 1, 2, 3].map(() => randomImg(rng, 9, 11, 3));
    const boxes = [
      { top: 0, left: 1, height: 8, width: 10 }, // downsampled
      { top: 3, left: 5, height: 3, width: 4 }, // upsampled
      { top: 0, left: 0, height: 9, width: 11 }, // whole image
      { top: 6, left: 0, height: 3, width: 11 }, // touching the borders
    ];
    const flips = [false, true, true, false];
    const got = values(() => cropResizeFlip(batch(imgs), boxes, flips, 7));
    expectClose(got, concat(imgs.map((im, i) => refCropResize(im, boxes[i]!, 7, flips[i]!))), 1e-5);
  });

  it('agrees with PIL’s bilinear weights wherever crops are upsampled (the cheap path is exact)', () => {
    const rng = new Rng(12);
    const imgs = [0, 1, 2, 3, 4, 5].map(() => randomImg(rng, 10, 10, 3));
    const boxes = imgs.map(() => {
      const height = rng.int(1, 10);
      const width = rng.int(1, 10);
      return { top: rng.int(0, 10 - height), left: rng.int(0, 10 - width), height, width };
    });
    const flips = imgs.map((_, i) => i % 2 === 1);
    const rows = [5, 4, 3, 2, 1, 0];
    const a = values(() => cropResizeFlip(batch(imgs), boxes, flips, 10, rows));
    const b = values(() => cropResizeWeighted(batch(imgs), boxes, flips, 10, rows, 'bilinear'));
    expectClose(a, b, 1e-6);
  });

  it('builds PIL weights that sum to 1 and widen when downsampling', () => {
    for (const mode of ['bilinear', 'bicubic'] as const) {
      for (const [len, size] of [[3, 8], [8, 8], [20, 7]] as const) {
        for (const { weights } of pilWeights(len, size, mode)) expect(weights.reduce((x, y) => x + y, 0)).toBeCloseTo(1, 12);
      }
    }
    // 20 → 5 is a ×4 downscale: a bilinear tap spans ±4 inputs instead of ±1.
    expect(pilWeights(20, 5, 'bilinear')[2]!.weights.length).toBe(8);
    expect(pilWeights(4, 8, 'bilinear')[3]!.weights.length).toBe(2);
  });

  it('returns the image itself for a whole-image crop at its own size, and its mirror when flipped', () => {
    const im = randomImg(new Rng(2), 6, 6, 1);
    const box = { top: 0, left: 0, height: 6, width: 6 };
    const got = values(() => cropResizeFlip(batch([im, im]), [box, box], [false, true], 6));
    expectClose(got.subarray(0, 36), im.data, 1e-6);
    const mirrored = img(6, 6, 1, (y, x) => im.data[y * 6 + (5 - x)]!);
    expectClose(got.subarray(36), mirrored.data, 1e-6);
  });

  it('scales brightness exactly, per image, and clamps to [0, 1]', () => {
    const im = randomImg(new Rng(3), 4, 4, 3);
    const x = batch([im, im]);
    const got = values(() => adjustBrightness(x, [0.5, 1.7]));
    const f32 = Float32Array.from(im.data);
    const want = [...Array.from(f32, (v) => Math.fround(v * Math.fround(0.5))), ...Array.from(f32, (v) => Math.min(1, Math.fround(v * Math.fround(1.7))))];
    expect(Array.from(got)).toEqual(want);
    x.dispose();
  });

  it('computes luma with the ITU-R 601-2 weights and leaves 1-channel data alone', () => {
    const im = randomImg(new Rng(4), 5, 3, 3);
    expectClose(values(() => rgbToGray(batch([im]))), refGray(im).data, 1e-6);
    const chosen = values(() => grayscale(batch([im, im]), [true, false]));
    const g = refGray(im).data;
    expectClose(chosen.subarray(0, 45), Float64Array.from({ length: 45 }, (_, i) => g[Math.floor(i / 3)]!), 1e-6);
    expectClose(chosen.subarray(45), im.data, 0);
    const mono = randomImg(new Rng(5), 4, 4, 1);
    expectClose(values(() => grayscale(batch([mono]), [true])), mono.data, 0);
  });

  it('blends contrast with the grayscale mean and saturation with the grayscale image', () => {
    const rng = new Rng(6);
    const a = randomImg(rng, 6, 5, 3);
    const b = randomImg(rng, 6, 5, 3);
    expectClose(values(() => adjustContrast(batch([a, b]), [0.3, 1.8])), concat([refContrast(a, 0.3), refContrast(b, 1.8)]), 1e-5);
    expectClose(values(() => adjustSaturation(batch([a, b]), [0, 1.6])), concat([refSaturation(a, 0), refSaturation(b, 1.6)]), 1e-5);
    const mono = randomImg(rng, 4, 4, 1);
    expectClose(values(() => adjustContrast(batch([mono]), [0.5])), refContrast(mono, 0.5).data, 1e-5);
    expectClose(values(() => adjustSaturation(batch([mono]), [0.5])), mono.data, 0);
  });

  it('shifts hue in HSV: 0 is the identity, pure red + 1/3 is pure green, matches colorsys', () => {
    const rng = new Rng(7);
    const im = randomImg(rng, 5, 6, 3);
    expectClose(values(() => adjustHue(batch([im]), [0])), im.data, 2e-6);
    const red = img(2, 2, 3, (_y, _x, ch) => (ch === 0 ? 1 : 0));
    const green = img(2, 2, 3, (_y, _x, ch) => (ch === 1 ? 1 : 0));
    expectClose(values(() => adjustHue(batch([red]), [1 / 3])), green.data, 1e-6);
    // Greys (no hue) and every sector, with per-image shifts of both signs.
    const grey = img(5, 6, 3, (y, x) => (y * 6 + x) / 30);
    const shifts = [-0.5, -0.13, 0.27, 0.5];
    const imgs = [im, randomImg(rng, 5, 6, 3), grey, randomImg(rng, 5, 6, 3)];
    expectClose(values(() => adjustHue(batch(imgs), shifts)), concat(imgs.map((m, i) => refHue(m, shifts[i]!))), 1e-5);
    const mono = randomImg(rng, 3, 3, 1);
    expectClose(values(() => adjustHue(batch([mono]), [0.3])), mono.data, 0);
  });

  it('runs colour jitter in each image’s own order, equal to applying the ops one by one', () => {
    const rng = new Rng(8);
    const imgs = [0, 1, 2, 3, 4].map(() => randomImg(rng, 4, 5, 3));
    const params: (JitterParams | null)[] = [
      { order: [0, 1, 2, 3], factors: [1.3, 0.6, 1.5, 0.1] },
      { order: [3, 2, 1, 0], factors: [0.7, 1.4, 0.2, -0.2] },
      null,
      { order: [2, 0, 3, 1], factors: [null, 1.2, 0.5, null] },
      { order: [1, 3, 0, 2], factors: [0.9, 0.8, 1.1, 0.05] },
    ];
    const got = values(() => colorJitter(batch(imgs), params));
    const want = tf.tidy(() =>
      tf.concat(
        imgs.map((im, i) => {
          let y = batch([im]);
          const p = params[i];
          if (p) for (const op of p.order) if (p.factors[op] !== null) y = JITTER_FNS[op]!(y, [p.factors[op]!]);
          return y;
        }),
      ).dataSync(),
    );
    expectClose(got, want, 1e-6);
    // The order matters: brightness then contrast differs from contrast then brightness.
    const bc = values(() => colorJitter(batch([imgs[0]!]), [{ order: [0, 1, 2, 3], factors: [1.6, 0.4, null, null] }]));
    const cb = values(() => colorJitter(batch([imgs[0]!]), [{ order: [1, 0, 2, 3], factors: [1.6, 0.4, null, null] }]));
    expect(Math.max(...bc.map((v, i) => Math.abs(v - cb[i]!)))).toBeGreaterThan(1e-3);
  });

  it('builds normalised gaussian kernels', () => {
    for (const [size, sigma] of [[3, 0.1], [3, 2], [13, 0.7], [23, 2]] as const) {
      const k = gaussianKernel1d(size, sigma);
      expect(k.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
      expect(k[0]).toBeCloseTo(k[size - 1]!, 12);
      expect(Math.max(...k)).toBe(k[(size - 1) / 2]);
    }
  });

  it('blurs each image with its own sigma, reflecting borders, and keeps constant images constant', () => {
    const rng = new Rng(9);
    const imgs = [randomImg(rng, 7, 6, 3), randomImg(rng, 7, 6, 3), img(7, 6, 3, () => 0.37)];
    const sigmas = [0.3, 1.9, 1.2];
    const got = values(() => gaussianBlur(batch(imgs), sigmas, 5));
    expectClose(got, concat(imgs.map((im, i) => refBlur(im, sigmas[i]!, 5))), 1e-5);
    expectClose(got.subarray(2 * 7 * 6 * 3), imgs[2]!.data, 1e-6);
    const mono = randomImg(rng, 6, 6, 1);
    expectClose(values(() => gaussianBlur(batch([mono]), [1], 3)), refBlur(mono, 1, 3).data, 1e-5);
    expectClose(values(() => gaussianBlur(batch([mono]), [1], 1)), mono.data, 0);
  });

  it('solarizes exactly: pixels ≥ threshold are inverted in the chosen images only', () => {
    const im = img(4, 4, 3, (y, x, c) => ((y * 4 + x) * 3 + c) / 47);
    const got = values(() => solarize(batch([im, im]), [true, false], 0.5));
    const f32 = Float32Array.from(im.data);
    expect(Array.from(got.subarray(0, 48))).toEqual(Array.from(f32, (v) => (v >= 0.5 ? Math.fround(1 - v) : v)));
    expect(Array.from(got.subarray(48))).toEqual(Array.from(f32));
  });

  it('reorders rows, and crops rows in any order', () => {
    const x = tf.tensor4d([0, 0.25, 0.5, 0.75, 1], [5, 1, 1, 1]);
    expect(Array.from(values(() => permuteRows(x, [3, 0, 4, 1, 2])))).toEqual([0.75, 0, 1, 0.25, 0.5]);
    const whole = { top: 0, left: 0, height: 1, width: 1 };
    expect(Array.from(values(() => cropResizeFlip(x, [whole, whole], [false, true], 1, [4, 2])))).toEqual([1, 0.5]);
    x.dispose();
  });
});
