/**
 * Crop-and-resize with PIL's resampling weights (Pillow's Resample.c
 * precompute_coeffs, which torch's antialiased interpolate also follows): the filter's
 * support widens by the scale factor when downsampling (antialiasing), and the taps that fall
 * outside the crop are dropped and the rest renormalised. This is what torchvision's
 * RandomResizedCrop does to a PIL image (crop, then resize), bilinear or bicubic.
 */
import * as tf from '@tensorflow/tfjs-core';
import { perImage } from './color';
import type { CropBox } from './params';

export type Interpolation = 'bilinear' | 'bicubic';

const FILTERS: Record<Interpolation, { support: number; f: (x: number) => number }> = {
  bilinear: {
    support: 1,
    f: (x) => {
      const a = Math.abs(x);
      return a < 1 ? 1 - a : 0;
    },
  },
  // Keys' cubic with a = −0.5, as PIL.
  bicubic: {
    support: 2,
    f: (x) => {
      const a = -0.5;
      const t = Math.abs(x);
      if (t < 1) return ((a + 2) * t - (a + 3)) * t * t + 1;
      if (t < 2) return (((t - 5) * t + 8) * t - 4) * a;
      return 0;
    },
  },
};

/**
 * PIL's weights for resizing `len` input samples to `size`: for each output sample, the first
 * input index and the normalised weights of the consecutive inputs from there.
 */
export function pilWeights(len: number, size: number, interpolation: Interpolation): { first: number; weights: number[] }[] {
  const { support: base, f } = FILTERS[interpolation];
  const scale = len / size;
  const filterScale = Math.max(1, scale);
  const support = base * filterScale;
  return Array.from({ length: size }, (_, k) => {
    const center = (k + 0.5) * scale;
    // C's (int) cast truncates toward zero.
    const first = Math.max(0, Math.trunc(center - support + 0.5));
    const last = Math.min(len, Math.trunc(center + support + 0.5));
    const weights: number[] = [];
    for (let x = first; x < last; x++) weights.push(f((x - center + 0.5) / filterScale));
    const sum = weights.reduce((a, b) => a + b, 0);
    return { first, weights: sum !== 0 ? weights.map((w) => w / sum) : weights };
  });
}

interface Span {
  start: number;
  len: number;
  flip: boolean;
}

/**
 * One separable pass: resamples the width axis of img (N × H × W × C) for every span (a crop
 * [start, start + len) of the width, from image boxInd[i]) to `size` samples with PIL's
 * weights. Returns (spans·size) × H × 1 × C: output sample k of span i is a column of H
 * pixels. Tap t of every sample is an exact copy (cropAndResize 'nearest' at an integer
 * position), scaled by its weight and summed: the work grows with the taps, not with W.
 */
function resamplePass(img: tf.Tensor4D, spans: Span[], size: number, boxInd: number[], interpolation: Interpolation): tf.Tensor4D {
  const [, h, w] = img.shape;
  const rows = spans.length * size;
  const perSpan = spans.map((s) => {
    const weights = pilWeights(s.len, size, interpolation);
    return s.flip ? weights.reverse() : weights;
  });
  const taps = Math.max(...perSpan.flatMap((ws) => ws.map((q) => q.weights.length)));
  const ind = tf.tensor1d(boxInd.flatMap((r) => Array<number>(size).fill(r)), 'int32');
  let sum: tf.Tensor | null = null;
  for (let t = 0; t < taps; t++) {
    const boxes = new Float32Array(rows * 4);
    const weights = new Array<number>(rows);
    spans.forEach((s, i) => {
      perSpan[i]!.forEach(({ first, weights: ws }, k) => {
        // A crop of width 1 samples x at 0.5·(x1 + x2)·(W − 1); taps past the last one weigh 0.
        const x = Math.min(s.start + first + t, s.start + s.len - 1);
        const at = w > 1 ? x / (w - 1) : 0;
        boxes.set([0, at, 1, at], (i * size + k) * 4);
        weights[i * size + k] = ws[t] ?? 0;
      });
    });
    const prev: tf.Tensor | null = sum;
    // A tidy per tap keeps one running sum alive, not every tap's samples (peak memory).
    sum = tf.tidy(() => {
      const sampled = tf.image.cropAndResize(img, tf.tensor2d(boxes, [rows, 4]), ind, [h, 1], 'nearest');
      const term = tf.mul(sampled, perImage(weights, sampled.shape));
      return prev ? tf.add(prev, term) : term;
    });
    prev?.dispose();
  }
  return sum as tf.Tensor4D;
}

/**
 * Crops image rows[i] of x to boxes[i], resizes it to size×size with PIL's weights and
 * mirrors it when flips[i]; clamps to [0, 1] as PIL's 8-bit output does (bicubic overshoots).
 * Pass 1 resamples the columns of every crop into a (size × H) image, pass 2 its H axis.
 */
export function cropResizeWeighted(
  x: tf.Tensor4D,
  boxes: CropBox[],
  flips: boolean[],
  size: number,
  rows: number[],
  interpolation: Interpolation,
): tf.Tensor4D {
  const [, h, , c] = x.shape;
  const n = boxes.length;
  const cols = resamplePass(x, boxes.map((b, i) => ({ start: b.left, len: b.width, flip: flips[i]! })), size, rows, interpolation);
  const byCol = tf.reshape(cols, [n, size, h, c]) as tf.Tensor4D;
  const spansY = boxes.map((b) => ({ start: b.top, len: b.height, flip: false }));
  const out = resamplePass(byCol, spansY, size, boxes.map((_, i) => i), interpolation);
  return tf.clipByValue(tf.reshape(out, [n, size, size, c]), 0, 1) as tf.Tensor4D;
}
