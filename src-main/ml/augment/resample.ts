/**
 * Crop-and-resize as two matMuls with PIL's resampling weights (Pillow's Resample.c
 * precompute_coeffs, which torch's antialiased interpolate also follows): the filter's
 * support widens by the scale factor when downsampling (antialiasing), and the taps that fall
 * outside the crop are dropped and the rest renormalised. This is what torchvision's
 * RandomResizedCrop does to a PIL image (crop, then resize), bilinear or bicubic.
 */
import * as tf from '@tensorflow/tfjs-core';
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

/** n × size × extent matrices: row k of image i holds the weights of output sample k. */
function matrices(spans: { start: number; len: number; flip: boolean }[], size: number, extent: number, interpolation: Interpolation): tf.Tensor3D {
  const m = new Float32Array(spans.length * size * extent);
  spans.forEach((s, i) => {
    pilWeights(s.len, size, interpolation).forEach(({ first, weights }, k) => {
      const row = (i * size + (s.flip ? size - 1 - k : k)) * extent + s.start + first;
      weights.forEach((w, t) => (m[row + t] = w));
    });
  });
  return tf.tensor3d(m, [spans.length, size, extent]);
}

/**
 * Crops image rows[i] of x to boxes[i], resizes it to size×size with PIL's weights and
 * mirrors it when flips[i]; clamps to [0, 1] as PIL's 8-bit output does (bicubic overshoots).
 */
export function cropResizeWeighted(
  x: tf.Tensor4D,
  boxes: CropBox[],
  flips: boolean[],
  size: number,
  rows: number[],
  interpolation: Interpolation,
): tf.Tensor4D {
  const [, h, w, c] = x.shape;
  const n = boxes.length;
  const src = rows.every((r, i) => r === i) && n === x.shape[0] ? x : tf.gather(x, tf.tensor1d(rows, 'int32'));
  const ry = matrices(boxes.map((b) => ({ start: b.top, len: b.height, flip: false })), size, h, interpolation);
  const rx = matrices(boxes.map((b, i) => ({ start: b.left, len: b.width, flip: flips[i]! })), size, w, interpolation);
  // Rows: n × size × (W·C).
  const byRow = tf.matMul(ry, tf.reshape(src, [n, h, w * c]));
  // Columns: bring W last, contract it with rx, put C back last.
  const wLast = tf.reshape(tf.transpose(tf.reshape(byRow, [n, size, w, c]), [0, 1, 3, 2]), [n, size * c, w]);
  const out = tf.matMul(wLast, rx, false, true);
  return tf.clipByValue(tf.transpose(tf.reshape(out, [n, size, c, size]), [0, 1, 3, 2]), 0, 1) as tf.Tensor4D;
}
