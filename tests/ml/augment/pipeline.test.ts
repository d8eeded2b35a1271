import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  channelStats,
  localSize,
  multiCrop,
  PRESET_NAMES,
  presetForMethod,
  renderViews,
  resolvePreset,
  validateViewSpec,
  type ImageBatch,
  type SeedPath,
  type ViewSpec,
} from '../../../src-main/ml/augment/index';
import { hueStages } from '../../../src-main/ml/augment/ops';
import { applyView, sampleBatchParams, toUnitFloat } from '../../../src-main/ml/augment/pipeline';
import { Rng } from '../../../src-main/core/rng';
import { BACKENDS, useBackend } from './backends';

function pixels(n: number, size: number, c: number, seed = 1): ImageBatch {
  const rng = new Rng(seed);
  return { pixels: Uint8Array.from({ length: n * size * size * c }, () => rng.int(0, 255)), shape: [n, size, size, c] };
}

/** Renders and reads back the views, disposing the tensors. */
function render(images: ImageBatch, views: ViewSpec[], seed: number | SeedPath, stats?: Parameters<typeof renderViews>[3]): { shape: number[]; data: Float32Array }[] {
  const out = renderViews(images, views, seed, stats);
  const res = out.map((t) => ({ shape: t.shape, data: t.dataSync() as Float32Array }));
  tf.dispose(out);
  return res;
}

function maxDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe.each(BACKENDS)('view pipelines on %s', (backend) => {
  let baseline = 0;
  beforeAll(() => useBackend(backend));
  beforeEach(() => {
    baseline = tf.memory().numTensors;
  });
  afterEach(() => {
    expect(tf.memory().numTensors).toBe(baseline);
  });

  it('gives identical views for the same seed path and different ones otherwise', () => {
    const images = pixels(4, 16, 3);
    const views = resolvePreset('byol', 16);
    const a = render(images, views, { seed: 5, epoch: 1, step: 2 });
    const b = render(images, views, { seed: 5, epoch: 1, step: 2 });
    expect(a.map((v) => Array.from(v.data))).toEqual(b.map((v) => Array.from(v.data)));
    for (const other of [{ seed: 6, epoch: 1, step: 2 }, { seed: 5, epoch: 2, step: 2 }, { seed: 5, epoch: 1, step: 3 }]) {
      const c = render(images, views, other);
      expect(maxDiff(a[0]!.data, c[0]!.data)).toBeGreaterThan(0.05);
    }
    // The two views of one batch differ too.
    expect(maxDiff(a[0]!.data, a[1]!.data)).toBeGreaterThan(0.05);
  });

  it('renders an image’s view independently of the rest of the batch', () => {
    const all = pixels(4, 12, 3, 2) as { pixels: Uint8Array; shape: [number, number, number, number] };
    const firstTwo: ImageBatch = { pixels: all.pixels.subarray(0, 2 * 12 * 12 * 3), shape: [2, 12, 12, 3] };
    const views = resolvePreset('simclr-cifar', 12);
    const a = render(all, views, 9);
    const b = render(firstTwo, views, 9);
    expect(maxDiff(a[1]!.data.subarray(0, b[1]!.data.length), b[1]!.data)).toBeLessThan(1e-6);
  });

  it('renders each image of a batch as it would render alone (the batch is sorted and restored)', () => {
    const spec: ViewSpec = {
      name: 'all-steps',
      size: 9,
      crop: { scale: [0.2, 1], ratio: [3 / 4, 4 / 3] },
      flipProb: 0.5,
      colorJitter: { prob: 0.9, brightness: 0.5, contrast: 0.5, saturation: 0.5, hue: 0.2 },
      grayscaleProb: 0.3,
      blur: { prob: 0.5, sigma: [0.1, 2], kernel: 'full' },
      solarize: { prob: 0.5, threshold: 0.5 },
    };
    const n = 12;
    const images = pixels(n, 11, 3, 6) as { pixels: Uint8Array; shape: [number, number, number, number] };
    const x = toUnitFloat(images);
    const params = sampleBatchParams(spec, n, 11, 11, 4, 0);
    expect(new Set(hueStages(params.map((p) => p.jitter))).size).toBeGreaterThan(2);
    const whole = tf.tidy(() => applyView(x, spec, params).dataSync() as Float32Array);
    const per = 9 * 9 * 3;
    for (let i = 0; i < n; i++) {
      const alone = tf.tidy(() => applyView(tf.slice(x, [i, 0, 0, 0], [1, 11, 11, 3]), spec, [params[i]!]).dataSync() as Float32Array);
      // Alone, an image whose crop is not downsampled takes the cropAndResize path instead of
      // PIL's weights (the batch has downsampled crops): the same bilinear values, other rounding.
      expect(maxDiff(whole.subarray(i * per, (i + 1) * per), alone)).toBeLessThan(1e-5);
    }
    x.dispose();
  });

  it('keeps shapes and the [0, 1] range for 1- and 3-channel data under every preset', () => {
    for (const c of [1, 3]) {
      for (const name of PRESET_NAMES) {
        const views = resolvePreset(name, 16);
        const out = render(pixels(3, 16, c, c), views, 3);
        expect(out.length).toBe(views.length);
        out.forEach((v, i) => {
          expect(v.shape).toEqual([3, views[i]!.size, views[i]!.size, c]);
          expect(Math.min(...v.data)).toBeGreaterThanOrEqual(0);
          expect(Math.max(...v.data)).toBeLessThanOrEqual(1);
        });
      }
    }
  });

  it('produces 2 global + N local views of their own sizes (multi-crop)', () => {
    const dino = resolvePreset('dino', 28);
    expect(dino.map((v) => v.size)).toEqual([28, 28, ...Array(8).fill(12)]);
    const swav = resolvePreset('swav', 32);
    expect(swav.length).toBe(8);
    const [g] = swav;
    const custom = multiCrop(32, [
      { scale: [0.4, 1], jitter: [0.4, 0.4, 0.2, 0.1], blur: 1, kernel: 'full', solarize: 0 },
      { scale: [0.4, 1], jitter: [0.4, 0.4, 0.2, 0.1], blur: 0.1, kernel: 'full', solarize: 0.2 },
    ], { scale: [0.05, 0.4], jitter: [0.4, 0.4, 0.2, 0.1], blur: 0.5, kernel: 'full', solarize: 0 }, 3);
    const out = render(pixels(2, 32, 3), custom, 1);
    expect(out.map((v) => v.shape)).toEqual([
      [2, 32, 32, 3],
      [2, 32, 32, 3],
      [2, localSize(32), localSize(32), 3],
      [2, localSize(32), localSize(32), 3],
      [2, localSize(32), localSize(32), 3],
    ]);
    expect(g!.crop!.scale).toEqual([0.14, 1]);
  });

  it('accepts uint8 pixels, int32 and float32 tensors alike', () => {
    const p = pixels(2, 10, 3, 4) as { pixels: Uint8Array; shape: [number, number, number, number] };
    const views = resolvePreset('vicreg-cifar', 10);
    const fromBytes = render(p, views, 1);
    const int = tf.tensor4d(p.pixels, p.shape, 'int32');
    const flt = tf.tidy(() => tf.div(int, 255) as tf.Tensor4D);
    const fromInt = render(int, views, 1);
    const fromFloat = render(flt, views, 1);
    tf.dispose([int, flt]);
    expect(maxDiff(fromBytes[0]!.data, fromInt[0]!.data)).toBe(0);
    expect(maxDiff(fromBytes[1]!.data, fromFloat[1]!.data)).toBeLessThan(1e-6);
  });

  it('normalises last, with given or computed per-channel statistics', () => {
    const images = pixels(3, 8, 3, 5) as { pixels: Uint8Array; shape: [number, number, number, number] };
    const views = resolvePreset('byol-cifar', 8);
    const stats = channelStats(images.pixels, 3);
    const raw = render(images, views, 2);
    const norm = render(images, views, 2, { normalize: stats });
    const want = raw[1]!.data.map((v, i) => (v - stats.mean[i % 3]!) / stats.std[i % 3]!);
    expect(maxDiff(norm[1]!.data, want)).toBeLessThan(1e-5);
    expect(() => render(images, views, 2, { normalize: { mean: [0.5], std: [0.5] } })).toThrow(/1 means and 1 stds for 3-channel/);
  });

  it('rejects malformed batches and specs with the reason', () => {
    expect(() => renderViews({ pixels: new Uint8Array(10), shape: [1, 2, 2, 3] }, resolvePreset('simclr', 2), 1)).toThrow(/10 bytes do not match shape 1×2×2×3/);
    expect(() => renderViews({ pixels: new Uint8Array(16), shape: [1, 2, 2, 4] }, resolvePreset('simclr', 2), 1)).toThrow(/1 or 3 channels, got 4/);
    const bad = { ...resolvePreset('simclr', 8)[0]!, name: 'odd', colorJitter: { prob: 1, brightness: 0, contrast: 0, saturation: 0, hue: 0.7 } };
    expect(() => renderViews(pixels(1, 8, 3), [bad], 1)).toThrow(/view 'odd': colorJitter.hue must be in \[0, 0.5\], got 0.7/);
  });
});

describe('view pipelines across backends', () => {
  it('give the same views for the same seed on cpu and wasm', async () => {
    const images = pixels(4, 16, 3, 8);
    const views = resolvePreset('byol', 16);
    const per: Float32Array[][] = [];
    for (const b of BACKENDS) {
      await useBackend(b);
      per.push(render(images, views, { seed: 3, epoch: 0, step: 7 }).map((v) => v.data));
    }
    for (let v = 0; v < views.length; v++) expect(maxDiff(per[0]![v]!, per[1]![v]!)).toBeLessThan(1e-4);
  });
});

describe('presets', () => {
  it('all resolve to valid views at CIFAR and ImageNet sizes', () => {
    for (const name of PRESET_NAMES) {
      for (const size of [32, 224]) {
        const views = resolvePreset(name, size);
        expect(views.length).toBeGreaterThanOrEqual(2);
        views.forEach(validateViewSpec);
        expect(views[0]!.size).toBe(size);
      }
    }
  });

  it('carry the papers’ settings', () => {
    const [b1, b2] = resolvePreset('byol', 224);
    expect([b1!.blur!.prob, b2!.blur!.prob, b1!.solarize, b2!.solarize!.prob]).toEqual([1, 0.1, null, 0.2]);
    expect(b1!.colorJitter).toEqual({ prob: 0.8, brightness: 0.4, contrast: 0.4, saturation: 0.2, hue: 0.1 });
    const [c1, c2] = resolvePreset('byol-cifar', 32);
    expect([c1!.blur, c2!.blur, c1!.solarize, c2!.solarize!.prob]).toEqual([null, null, null, 0.2]);
    const [s1] = resolvePreset('simclr-cifar', 32);
    expect(s1!.colorJitter).toEqual({ prob: 0.8, brightness: 0.8, contrast: 0.8, saturation: 0.8, hue: 0.2 });
    expect([s1!.crop!.scale, s1!.crop!.ratio, s1!.flipProb, s1!.grayscaleProb]).toEqual([[0.08, 1], [3 / 4, 4 / 3], 0.5, 0.2]);
    const [v1] = resolvePreset('vicreg-cifar', 32);
    expect([v1!.crop!.scale, v1!.blur, v1!.solarize!.prob]).toEqual([[0.2, 1], null, 0.1]);
  });

  it('pick a method’s CIFAR variant for small images', () => {
    expect(presetForMethod('byol', 32)).toBe('byol-cifar');
    expect(presetForMethod('byol', 96)).toBe('byol');
    expect(presetForMethod('dino', 32)).toBe('dino-cifar');
    expect(() => presetForMethod('nope', 32)).toThrow(/no augmentation preset for method 'nope'/);
    expect(() => resolvePreset('nope', 32)).toThrow(/unknown augmentation preset 'nope' \(known: simclr/);
  });

  it('computes per-channel statistics on the [0, 1] scale', () => {
    const s = channelStats(Uint8Array.from([0, 255, 255, 255, 0, 255]), 3);
    expect(s.mean).toEqual([0.5, 0.5, 1]);
    expect(s.std).toEqual([0.5, 0.5, 0]);
    expect(() => channelStats(new Uint8Array(4), 3)).toThrow(/not a whole number of 3-channel pixels/);
  });
});
