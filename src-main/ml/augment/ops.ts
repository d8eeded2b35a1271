/**
 * Batched geometric and pixel ops of the view pipelines, each taking per-image parameters
 * drawn by params.ts. NHWC float32 in [0,1]; callers run these inside tf.tidy.
 */
import * as tf from '@tensorflow/tfjs-core';
import { JITTER_FNS, rgbToGray } from './color';
import type { CropBox, JitterParams } from './params';

/** A subset of the batch (row indices) and what to do to it. */
export interface Group {
  rows: number[];
  fn: (x: tf.Tensor4D) => tf.Tensor4D;
}

/**
 * Applies each group's fn to its rows (groups are disjoint); other rows pass through
 * unchanged. Rows are gathered per group, processed, concatenated and put back in order
 * with one gather, so each row is processed once.
 */
export function applyToGroups(x: tf.Tensor4D, groups: Group[]): tf.Tensor4D {
  const live = groups.filter((g) => g.rows.length > 0);
  if (live.length === 0) return x;
  const n = x.shape[0];
  const taken = new Uint8Array(n);
  for (const g of live) for (const r of g.rows) taken[r] = 1;
  const rest: number[] = [];
  for (let r = 0; r < n; r++) if (!taken[r]) rest.push(r);
  const order = [...live.flatMap((g) => g.rows), ...rest];
  const parts = live.map((g) => g.fn(tf.gather(x, tf.tensor1d(g.rows, 'int32'))));
  if (rest.length > 0) parts.push(tf.gather(x, tf.tensor1d(rest, 'int32')));
  const inverse = new Int32Array(n);
  order.forEach((row, pos) => (inverse[row] = pos));
  return tf.gather(tf.concat(parts, 0), tf.tensor1d(inverse, 'int32'));
}

/**
 * Crops each image to its box, resizes it to size×size (bilinear, half-pixel centres and edge
 * clamping as torch's interpolate with align_corners=False; no antialiasing) and mirrors it
 * when flip[i], in one cropAndResize: the image is edge-padded by one pixel so samples that
 * fall outside it clamp, and a flipped crop is a box with x1 > x2.
 */
export function cropResizeFlip(x: tf.Tensor4D, boxes: CropBox[], flips: boolean[], size: number): tf.Tensor4D {
  const [n, h, w] = x.shape;
  const padded = tf.mirrorPad(x, [[0, 0], [1, 1], [1, 1], [0, 0]], 'symmetric');
  const coords = new Float32Array(n * 4);
  boxes.forEach((b, i) => {
    // Output pixel k samples source row top − 0.5 + (k + 0.5)·height/size; +1 for the padding.
    const sy = b.height / size;
    const sx = b.width / size;
    const y1 = (b.top + 0.5 + 0.5 * sy) / (h + 1);
    const y2 = (b.top + b.height + 0.5 - 0.5 * sy) / (h + 1);
    const xa = (b.left + 0.5 + 0.5 * sx) / (w + 1);
    const xb = (b.left + b.width + 0.5 - 0.5 * sx) / (w + 1);
    coords.set(flips[i] ? [y1, xb, y2, xa] : [y1, xa, y2, xb], i * 4);
  });
  const boxInd = tf.range(0, n, 1, 'int32') as tf.Tensor1D;
  const out = tf.image.cropAndResize(padded, tf.tensor2d(coords, [n, 4]), boxInd, [size, size], 'bilinear');
  // Bilinear weights are convex; the clip only removes float rounding past the ends.
  return tf.clipByValue(out, 0, 1);
}

/**
 * Colour jitter with a per-image random order: four stages; at stage k each jittered image
 * gets the op order[k] with its own factor. Images whose op is off pass through.
 */
export function colorJitter(x: tf.Tensor4D, params: (JitterParams | null)[]): tf.Tensor4D {
  let out = x;
  for (let stage = 0; stage < 4; stage++) {
    const groups: Group[] = JITTER_FNS.map((fn, op) => {
      const rows: number[] = [];
      const factors: number[] = [];
      params.forEach((p, row) => {
        const f = p && p.order[stage] === op ? p.factors[op] : null;
        if (f !== null && f !== undefined) {
          rows.push(row);
          factors.push(f);
        }
      });
      return { rows, fn: (sub: tf.Tensor4D) => fn(sub, factors) };
    });
    out = applyToGroups(out, groups);
  }
  return out;
}

/** Replaces the chosen images by their luma (replicated to every channel). */
export function grayscale(x: tf.Tensor4D, chosen: boolean[]): tf.Tensor4D {
  const c = x.shape[3];
  if (c === 1 || !chosen.some(Boolean)) return x;
  const gray = tf.tile(rgbToGray(x), [1, 1, 1, c]);
  return tf.where(tf.tensor4d(chosen, [chosen.length, 1, 1, 1], 'bool'), gray, x);
}

/** torchvision's _get_gaussian_kernel1d: exp(−x²/2σ²) on −r..r, normalised to sum 1. */
export function gaussianKernel1d(size: number, sigma: number): number[] {
  const r = (size - 1) / 2;
  const pdf = Array.from({ length: size }, (_, k) => Math.exp(-0.5 * ((k - r) / sigma) ** 2));
  const sum = pdf.reduce((a, b) => a + b, 0);
  return pdf.map((v) => v / sum);
}

/**
 * Gaussian blur of every image with its own sigma (kernel `size`, odd), reflected borders.
 * The batch is folded into channels (1×H×W×(B·C)) so one depthwise conv per axis applies
 * each image's kernel to its own channels.
 */
export function gaussianBlur(x: tf.Tensor4D, sigmas: number[], size: number): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  if (size <= 1) return x;
  const r = (size - 1) / 2;
  const ch = n * c;
  const weights = new Float32Array(size * ch);
  sigmas.forEach((sigma, i) => {
    const k = gaussianKernel1d(size, sigma);
    for (let t = 0; t < size; t++) for (let j = 0; j < c; j++) weights[t * ch + i * c + j] = k[t]!;
  });
  const folded = tf.reshape(tf.transpose(x, [1, 2, 0, 3]), [1, h, w, ch]) as tf.Tensor4D;
  const padded = tf.mirrorPad(folded, [[0, 0], [r, r], [r, r], [0, 0]], 'reflect');
  const alongX = tf.depthwiseConv2d(padded, tf.tensor4d(weights, [1, size, ch, 1]), 1, 'valid');
  const alongY = tf.depthwiseConv2d(alongX, tf.tensor4d(weights, [size, 1, ch, 1]), 1, 'valid');
  return tf.transpose(tf.reshape(alongY, [h, w, n, c]), [2, 0, 1, 3]);
}

/** Inverts pixels ≥ threshold in the chosen images (torchvision's solarize). */
export function solarize(x: tf.Tensor4D, chosen: boolean[], threshold: number): tf.Tensor4D {
  if (!chosen.some(Boolean)) return x;
  const mask = tf.logicalAnd(tf.greaterEqual(x, threshold), tf.tensor4d(chosen, [chosen.length, 1, 1, 1], 'bool'));
  return tf.where(mask, tf.sub(1, x), x) as tf.Tensor4D;
}
