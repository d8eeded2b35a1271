// The parameters a pipeline reports (renderViews' onParams, which the Augment view shows next to
// each view) are the ones its pixels were drawn with: re-applied by hand they give the same
// pixels, and asking for them changes no pixel.
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LUMA } from '../../../src-main/ml/augment/color';
import { renderViews, resolvePreset, type ImageBatch, type ViewParams, type ViewSpec } from '../../../src-main/ml/augment/index';
import { opsOf } from '../../../src-main/api/augmentApi';
import { Rng } from '../../../src-main/core/rng';
import { useBackend } from './backends';

const N = 8;
const SIZE = 16;

function batch(seed = 3): { pixels: Uint8Array; shape: [number, number, number, number] } {
  const rng = new Rng(seed);
  return { pixels: Uint8Array.from({ length: N * SIZE * SIZE * 3 }, () => rng.int(0, 255)), shape: [N, SIZE, SIZE, 3] };
}

/** A view that does nothing but what `over` turns on (no crop: the whole image at its own size). */
function view(over: Partial<ViewSpec>): ViewSpec {
  return { name: 'v', size: SIZE, crop: null, flipProb: 0, colorJitter: null, grayscaleProb: 0, blur: null, solarize: null, ...over };
}

/** Renders one view of a batch, returning its pixels and the parameters it reported. */
function render(images: ImageBatch, spec: ViewSpec, seed = 11): { data: Float32Array; params: ViewParams[] } {
  let params: ViewParams[] = [];
  const [out] = renderViews(images, [spec], seed, { onParams: (_, p) => (params = [...p]) });
  const data = out!.dataSync() as Float32Array;
  out!.dispose();
  return { data, params };
}

/** Pixel (y, x, c) of image i of an NHWC array of side `side`. */
const at = (a: ArrayLike<number>, i: number, y: number, x: number, c: number, side = SIZE) => a[((i * side + y) * side + x) * 3 + c]!;

describe('recorded augmentation parameters', () => {
  let baseline = 0;
  beforeAll(() => useBackend('cpu'));
  beforeEach(() => (baseline = tf.memory().numTensors));
  afterEach(() => expect(tf.memory().numTensors).toBe(baseline));

  it('asking for the parameters changes no pixel of any view', () => {
    const images = batch();
    const views = resolvePreset('byol', SIZE);
    const plain = renderViews(images, views, 7);
    const seen: number[] = [];
    const recorded = renderViews(images, views, 7, { onParams: (v, p) => seen.push(v, p.length) });
    plain.forEach((t, v) => expect(Array.from(recorded[v]!.dataSync())).toEqual(Array.from(t.dataSync())));
    tf.dispose([...plain, ...recorded]);
    expect(seen).toEqual([0, N, 1, N]);
  });

  it('a crop box and flip re-applied by hand give the same pixels', () => {
    const images = batch();
    const out = 4;
    // Boxes of 7 to 12 px per side, each downsampled to 4 px, flipped half the time.
    const spec = view({ size: out, crop: { scale: [0.3, 0.6], ratio: [0.75, 1.33], interpolation: 'bilinear' }, flipProb: 0.5 });
    const { data, params } = render(images, spec);
    expect(new Set(params.map((p) => p.flip))).toEqual(new Set([true, false]));
    params.forEach((p, i) => {
      const { top, left, height: h, width: w } = p.crop;
      expect(top + h).toBeLessThanOrEqual(SIZE);
      expect(left + w).toBeLessThanOrEqual(SIZE);
      // Cut the box out of the original by hand (mirrored when the flip fired) ...
      const cut = new Uint8Array(h * w * 3);
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          const sx = p.flip ? left + w - 1 - x : left + x;
          for (let c = 0; c < 3; c++) cut[(y * w + x) * 3 + c] = images.pixels[((i * SIZE + top + y) * SIZE + sx) * 3 + c]!;
        }
      }
      // ... and resize it as a view without crop or flip: the same pixels as the recorded view.
      const [t] = renderViews({ pixels: cut, shape: [1, h, w, 3] }, [view({ size: out })], 0);
      const mine = t!.dataSync();
      t!.dispose();
      for (let k = 0; k < mine.length; k++) expect(mine[k]).toBeCloseTo(data[i * out * out * 3 + k]!, 5);
    });
  });

  it('brightness factors, grayscale and solarize that fired are the ones in the pixels', () => {
    const images = batch(5);
    const x = Float32Array.from(images.pixels, (v) => v / 255);
    const spec = view({ colorJitter: { prob: 0.6, brightness: 0.5, contrast: 0, saturation: 0, hue: 0 }, grayscaleProb: 0.5, solarize: { prob: 0.5, threshold: 0.5 } });
    const { data, params } = render(images, spec, 4);
    for (const k of ['jitter', 'grayscale', 'solarize'] as const) expect(new Set(params.map((p) => Boolean(p[k])))).toEqual(new Set([true, false]));
    params.forEach((p, i) => {
      const b = p.jitter?.factors[0] ?? 1;
      if (p.jitter) expect(p.jitter.factors.slice(1)).toEqual([null, null, null]);
      for (let y = 0; y < SIZE; y++) {
        for (let xx = 0; xx < SIZE; xx++) {
          const rgb = [0, 1, 2].map((c) => Math.min(1, at(x, i, y, xx, c) * b));
          const gray = LUMA[0] * rgb[0]! + LUMA[1] * rgb[1]! + LUMA[2] * rgb[2]!;
          for (let c = 0; c < 3; c++) {
            let v = p.grayscale ? gray : rgb[c]!;
            if (p.solarize && v >= 0.5) v = 1 - v;
            expect(at(data, i, y, xx, c)).toBeCloseTo(v, 4);
          }
        }
      }
    });
  });

  it('blurs exactly the images whose sigma is recorded', () => {
    const images = batch(8);
    const { data, params } = render(images, view({ blur: { prob: 0.5, sigma: [0.5, 2], kernel: 'full' } }), 2);
    expect(new Set(params.map((p) => p.blurSigma === null))).toEqual(new Set([true, false]));
    const per = SIZE * SIZE * 3;
    params.forEach((p, i) => {
      let diff = 0;
      for (let k = 0; k < per; k++) diff = Math.max(diff, Math.abs(data[i * per + k]! - images.pixels[i * per + k]! / 255));
      if (p.blurSigma === null) expect(diff).toBeLessThan(1e-6);
      else {
        expect(p.blurSigma).toBeGreaterThanOrEqual(0.5);
        expect(diff).toBeGreaterThan(0.05);
      }
    });
  });

  it('the preview reports what fired in the API shape: the crop only when the view crops', () => {
    const p: ViewParams = { crop: { top: 1, left: 2, height: 3, width: 4 }, flip: true, jitter: { order: [3, 0, 2, 1], factors: [1.2, null, 0.9, -0.05] }, grayscale: false, blurSigma: 1.5, solarize: true };
    expect(opsOf(view({ crop: { scale: [0.2, 1], ratio: [0.75, 1.33] }, blur: { prob: 0.5, sigma: [0.1, 2], kernel: 'full' } }), p)).toEqual({
      crop: { top: 1, left: 2, height: 3, width: 4 },
      flip: true,
      jitter: { order: ['hue', 'brightness', 'saturation', 'contrast'], brightness: 1.2, contrast: null, saturation: 0.9, hue: -0.05 },
      grayscale: false,
      blurSigma: 1.5,
      solarize: true,
    });
    expect(opsOf(view({}), p).crop).toBeNull();
  });
});
