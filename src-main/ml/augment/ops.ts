/**
 * Batched geometric and pixel ops of the view pipelines, each taking per-image parameters
 * drawn by params.ts. NHWC float32 in [0,1]; callers run these inside tf.tidy.
 */
import * as tf from '@tensorflow/tfjs-core';
import { adjustHue, JITTER_FNS, perImage } from './color';
import type { CropBox, JitterParams } from './params';

/**
 * Source coordinates of the `size` output samples of a crop [start, start + len) along one
 * axis: torch's interpolate (align_corners=False) on the cropped image, i.e. the sample k
 * reads start − 0.5 + (k + 0.5)·len/size, clamped to the crop (torchvision crops first).
 */
export function sampleCoords(start: number, len: number, size: number): number[] {
  return Array.from({ length: size }, (_, k) => start + Math.min(len - 1, Math.max(0, ((k + 0.5) * len) / size - 0.5)));
}

/**
 * Crops each image to its box, resizes it to size×size (bilinear, torchvision's tensor path
 * without antialiasing) and mirrors it when flip[i]. Output image i is cut from input image
 * rows[i] (default: i), so the op can also reorder the batch for free.
 *
 * Two separable cropAndResize passes whose boxes are one pixel wide, so every sample's source
 * coordinate is set exactly (clamped to the crop, mirrored for a flip): pass 1 resamples the
 * columns of every image into a (size × H) image, pass 2 its H axis into size rows. The other
 * axis of each pass samples every pixel at an integer position, an exact copy.
 *
 * No antialiasing: for bilinear upsampling this equals PIL's resampling (the pipeline uses
 * resample.ts for bicubic and for downsampled crops).
 */
export function cropResizeFlip(
  x: tf.Tensor4D,
  boxes: CropBox[],
  flips: boolean[],
  size: number,
  rows: number[] = boxes.map((_, i) => i),
): tf.Tensor4D {
  const [, h, w, c] = x.shape;
  const n = boxes.length;
  // A box [y1, x1, y2, x2] of crop width 1 samples x at 0.5·(x1 + x2)·(W − 1).
  const at = (coord: number, extent: number): number => (extent > 1 ? coord / (extent - 1) : 0);
  const colBoxes = new Float32Array(n * size * 4);
  const rowBoxes = new Float32Array(n * size * 4);
  boxes.forEach((b, i) => {
    const xs = sampleCoords(b.left, b.width, size);
    if (flips[i]) xs.reverse();
    const ys = sampleCoords(b.top, b.height, size);
    for (let k = 0; k < size; k++) {
      colBoxes.set([0, at(xs[k]!, w), 1, at(xs[k]!, w)], (i * size + k) * 4);
      rowBoxes.set([0, at(ys[k]!, h), 1, at(ys[k]!, h)], (i * size + k) * 4);
    }
  });
  const imageOf = (src: number[]): tf.Tensor1D => tf.tensor1d(src.flatMap((r) => Array<number>(size).fill(r)), 'int32');
  // Pass 1: (n·size) × H × 1 × C, the columns of each output image, each a copy of H rows.
  const cols = tf.image.cropAndResize(x, tf.tensor2d(colBoxes, [n * size, 4]), imageOf(rows), [h, 1], 'bilinear');
  // As n images of size × H: sample their H axis (now the width) at the row coordinates.
  const byCol = tf.reshape(cols, [n, size, h, c]) as tf.Tensor4D;
  const out = tf.image.cropAndResize(byCol, tf.tensor2d(rowBoxes, [n * size, 4]), imageOf(boxes.map((_, i) => i)), [size, 1], 'bilinear');
  // Bilinear weights are convex; the clip only removes float rounding past the ends.
  return tf.clipByValue(tf.reshape(out, [n, size, size, c]), 0, 1) as tf.Tensor4D;
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
  const keep = stepper(x);
  let y = x;
  const stages = hueStages(params);
  for (let stage = 0; stage < 4; stage++) {
    for (let op = 0; op < HUE; op++) {
      const chosen = params.map((p) => p !== null && p.order[stage] === op && p.factors[op] !== null);
      if (chosen.some(Boolean)) y = keep(y, (v) => JITTER_FNS[op]!(v, params.map((p, i) => (chosen[i] ? p!.factors[op]! : 1))));
    }
    y = keep(y, (v) => hueOnRuns(v, stages.map((s) => s === stage), params.map((p) => p?.factors[HUE] ?? 0)));
  }
  return y;
}

/**
 * y ← f(y) in its own tidy, disposing the previous y unless it is x (the caller's): keeps
 * peak memory to a few batches instead of every intermediate of the jitter.
 */
function stepper(x: tf.Tensor4D): (y: tf.Tensor4D, f: (v: tf.Tensor4D) => tf.Tensor4D) => tf.Tensor4D {
  return (y, f) => {
    const next = tf.tidy(() => f(y));
    if (next !== y && y !== x) y.dispose();
    return next;
  };
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
