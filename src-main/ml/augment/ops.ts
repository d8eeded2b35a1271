/**
 * Batched geometric and pixel ops of the view pipelines, each taking per-image parameters
 * drawn by params.ts. NHWC float32 in [0,1]; callers run these inside tf.tidy.
 */
import * as tf from '@tensorflow/tfjs-core';
import { adjustHue, JITTER_FNS, perImage } from './color';
import type { CropBox, JitterParams } from './params';

/**
 * Crops each image to its box, resizes it to size×size (bilinear, half-pixel centres and edge
 * clamping as torch's interpolate with align_corners=False; no antialiasing) and mirrors it
 * when flip[i], in one cropAndResize: the image is edge-padded by one pixel so samples that
 * fall outside it clamp, and a flipped crop is a box with x1 > x2. Output row i is cut from
 * input image rows[i] (default: i), so the op can also reorder the batch for free.
 *
 * Unlike torchvision, which crops first, a sample that falls up to half a source pixel outside
 * an upsampled crop blends in the neighbouring pixel outside the crop instead of clamping to
 * the crop's edge; and torchvision resizes PIL images with antialiasing (bilinear by default,
 * bicubic in solo-learn).
 */
export function cropResizeFlip(
  x: tf.Tensor4D,
  boxes: CropBox[],
  flips: boolean[],
  size: number,
  rows: number[] = boxes.map((_, i) => i),
): tf.Tensor4D {
  const [, h, w] = x.shape;
  const n = boxes.length;
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
  const boxInd = tf.tensor1d(rows, 'int32');
  const out = tf.image.cropAndResize(padded, tf.tensor2d(coords, [n, 4]), boxInd, [size, size], 'bilinear');
  // Bilinear weights are convex; the clip only removes float rounding past the ends.
  return tf.clipByValue(out, 0, 1);
}

const HUE = 3;

/** The stage (0..3) at which each image gets its hue shift; 4 when it gets none. */
export function hueStages(params: (JitterParams | null)[]): number[] {
  return params.map((p) => (p && p.factors[HUE] !== null ? p.order.indexOf(HUE) : 4));
}

/**
 * Colour jitter with a per-image random order: four stages; at stage k each jittered image
 * gets the op order[k] with its own factor. Brightness, contrast and saturation run on the
 * whole batch with a factor of exactly 1 (an exact identity) for the other images; hue (the
 * costly one) runs only on the rows whose hue stage is k, a slice per run of consecutive rows:
 * sort the batch by hueStages for one run per stage.
 *
 * (Cutting the batch into runs for every op does less arithmetic, and is 2× faster on the cpu
 * backend, but 2× slower on wasm, where each small op and matMul has a fixed cost.)
 */
export function colorJitter(x: tf.Tensor4D, params: (JitterParams | null)[]): tf.Tensor4D {
  let y = x;
  const stages = hueStages(params);
  for (let stage = 0; stage < 4; stage++) {
    for (let op = 0; op < HUE; op++) {
      const chosen = params.map((p) => p !== null && p.order[stage] === op && p.factors[op] !== null);
      if (chosen.some(Boolean)) y = JITTER_FNS[op]!(y, params.map((p, i) => (chosen[i] ? p!.factors[op]! : 1)));
    }
    y = hueOnRuns(y, stages.map((s) => s === stage), params.map((p) => p?.factors[HUE] ?? 0));
  }
  return y;
}

/** Shifts the hue of the chosen rows, slicing out each run of consecutive chosen rows. */
function hueOnRuns(x: tf.Tensor4D, chosen: boolean[], shifts: number[]): tf.Tensor4D {
  if (x.shape[3] === 1 || !chosen.some(Boolean)) return x;
  const [n, h, w, c] = x.shape;
  const pieces: tf.Tensor4D[] = [];
  for (let start = 0, end = 0; start < n; start = end) {
    while (end < n && chosen[end] === chosen[start]) end++;
    const piece = start === 0 && end === n ? x : tf.slice(x, [start, 0, 0, 0], [end - start, h, w, c]);
    pieces.push(chosen[start] ? adjustHue(piece, shifts.slice(start, end)) : piece);
  }
  return pieces.length === 1 ? pieces[0]! : tf.concat(pieces, 0);
}

/** Reorders the batch: output row i is x[rows[i]]. */
export function permuteRows(x: tf.Tensor4D, rows: number[]): tf.Tensor4D {
  return tf.gather(x, tf.tensor1d(rows, 'int32'));
}

/** torchvision's _get_gaussian_kernel1d: exp(−x²/2σ²) on −r..r, normalised to sum 1. */
export function gaussianKernel1d(size: number, sigma: number): number[] {
  const r = (size - 1) / 2;
  const pdf = Array.from({ length: size }, (_, k) => Math.exp(-0.5 * ((k - r) / sigma) ** 2));
  const sum = pdf.reduce((a, b) => a + b, 0);
  return pdf.map((v) => v / sum);
}

/**
 * Gaussian blur of every image with its own sigma (kernel `size`, odd), reflected borders;
 * a null sigma leaves the image as is (a unit impulse kernel: exact). The batch is folded
 * into channels (1×H×W×(B·C)) so one depthwise conv per axis applies each image's kernel to
 * its own channels.
 */
export function gaussianBlur(x: tf.Tensor4D, sigmas: (number | null)[], size: number): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  if (size <= 1 || sigmas.every((s) => s === null)) return x;
  const r = (size - 1) / 2;
  const ch = n * c;
  const weights = new Float32Array(size * ch);
  sigmas.forEach((sigma, i) => {
    const k = sigma === null ? Array.from({ length: size }, (_, t) => (t === r ? 1 : 0)) : gaussianKernel1d(size, sigma);
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
  const solarized = tf.where(tf.greaterEqual(x, threshold), tf.sub(1, x), x);
  if (chosen.every(Boolean)) return solarized as tf.Tensor4D;
  // An exact per-image select (m·a + (1 − m)·b with m ∈ {0, 1}); a comparison that broadcasts
  // a per-image threshold is slow on wasm.
  const m = perImage(chosen.map(Number), x.shape);
  return tf.add(tf.mul(m, solarized), tf.mul(tf.sub(1, m), x)) as tf.Tensor4D;
}
