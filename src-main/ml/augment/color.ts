/**
 * Batched colour ops on NHWC float32 data in [0,1], one factor per image, with the semantics
 * of torchvision.transforms.functional (its tensor code path): every blend is
 * clamp(f·img + (1 − f)·other, 0, 1); hue goes through HSV. On 1-channel data saturation and
 * hue are no-ops and contrast blends with the image's own mean.
 *
 * Speed notes (measured on the cpu and wasm backends): slicing or splitting the channel axis
 * is slow there, a matMul with a 3×k matrix is fast, so channels are read and mixed with
 * small matMuls (exact for the 0/1 selectors). Callers run these inside tf.tidy.
 */
import * as tf from '@tensorflow/tfjs-core';

/** ITU-R 601-2 luma, torchvision's rgb_to_grayscale weights. */
export const LUMA = [0.2989, 0.587, 0.114] as const;

/**
 * One value per image, shaped to broadcast against a tensor of `shape` (n first). The cpu
 * backend broadcasts slowly, so there the values are expanded to the full shape in JS.
 */
export function perImage(values: number[], shape: number[]): tf.Tensor {
  const n = values.length;
  if (tf.getBackend() !== 'cpu') return tf.tensor(values, [n, ...shape.slice(1).map(() => 1)], 'float32');
  const per = shape.slice(1).reduce((a, b) => a * b, 1);
  const full = new Float32Array(n * per);
  values.forEach((v, i) => full.fill(v, i * per, (i + 1) * per));
  return tf.tensor(full, shape, 'float32');
}

/** Per-image values already on the device (n×1×1×1), expanded like perImage on the cpu backend. */
function perImageTensor(t: tf.Tensor, shape: number[]): tf.Tensor {
  return tf.getBackend() === 'cpu' ? perImage(Array.from(t.dataSync()), shape) : t;
}

function flat(x: tf.Tensor4D): tf.Tensor2D {
  return tf.reshape(x, [-1, x.shape[3]]);
}

/** clamp(f·x + (1 − f)·other, 0, 1), torchvision's _blend. */
function blend(x: tf.Tensor4D, other: tf.Tensor, f: tf.Tensor): tf.Tensor4D {
  return tf.clipByValue(tf.add(tf.mul(f, x), tf.mul(tf.sub(1, f), other)), 0, 1) as tf.Tensor4D;
}

/** B×H×W×3 → B×H×W×1 luma; a 1-channel batch is returned as is. */
export function rgbToGray(x: tf.Tensor4D): tf.Tensor4D {
  if (x.shape[3] === 1) return x;
  const [n, h, w] = x.shape;
  return tf.reshape(tf.matMul(flat(x), tf.tensor2d([...LUMA], [3, 1])), [n, h, w, 1]);
}

/** Luma replicated into all three channels (B×H×W×3). */
function grayRgb(x: tf.Tensor4D): tf.Tensor4D {
  const m = LUMA.flatMap((l) => [l, l, l]);
  return tf.reshape(tf.matMul(flat(x), tf.tensor2d(m, [3, 3])), x.shape);
}

export function adjustBrightness(x: tf.Tensor4D, factors: number[]): tf.Tensor4D {
  return tf.clipByValue(tf.mul(x, perImage(factors, x.shape)), 0, 1) as tf.Tensor4D;
}

export function adjustContrast(x: tf.Tensor4D, factors: number[]): tf.Tensor4D {
  const mean = perImageTensor(tf.mean(rgbToGray(x), [1, 2, 3], true), x.shape);
  return blend(x, mean, perImage(factors, x.shape));
}

export function adjustSaturation(x: tf.Tensor4D, factors: number[]): tf.Tensor4D {
  if (x.shape[3] === 1) return x;
  return blend(x, grayRgb(x), perImage(factors, x.shape));
}

/** Replaces the chosen images by their luma in every channel (a saturation of 0, exactly). */
export function grayscale(x: tf.Tensor4D, chosen: boolean[]): tf.Tensor4D {
  if (x.shape[3] === 1 || !chosen.some(Boolean)) return x;
  return adjustSaturation(x, chosen.map((c) => (c ? 0 : 1)));
}

/** Selects, per pixel, candidates[i] where sector[i] marks i === k for k = 0..4 (else 5). */
function pickSector(sector: tf.Tensor[], candidates: tf.Tensor[]): tf.Tensor {
  let out = candidates[5]!;
  for (let k = 4; k >= 0; k--) out = tf.where(sector[k]!, candidates[k]!, out);
  return out;
}

/** torchvision's _rgb2hsv on N×3 pixels; returns [h, s, v], each N×1, h in [0, 1). */
export function rgbToHsv(x: tf.Tensor2D): [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D] {
  const pick = (k: number): tf.Tensor2D => tf.matMul(x, tf.tensor2d([0, 1, 2].map((j) => (j === k ? 1 : 0)), [3, 1]));
  const [r, g, b] = [pick(0), pick(1), pick(2)];
  const maxc = tf.max(x, 1, true) as tf.Tensor2D;
  const minc = tf.min(x, 1, true);
  const eqc = tf.equal(maxc, minc);
  const cr = tf.sub(maxc, minc);
  const ones = tf.onesLike(maxc);
  const s = tf.div(cr, tf.where(eqc, ones, maxc)) as tf.Tensor2D;
  const crDivisor = tf.where(eqc, ones, cr);
  const rc = tf.div(tf.sub(maxc, r), crDivisor);
  const gc = tf.div(tf.sub(maxc, g), crDivisor);
  const bc = tf.div(tf.sub(maxc, b), crDivisor);
  // Exactly one of the three sectors holds (max is r; else max is g; else b).
  const isR = tf.equal(maxc, r);
  const isG = tf.logicalAnd(tf.equal(maxc, g), tf.logicalNot(isR));
  const h6 = tf.where(isR, tf.sub(bc, gc), tf.where(isG, tf.add(tf.sub(rc, bc), 2), tf.add(tf.sub(gc, rc), 4)));
  const h = tf.add(tf.div(h6, 6), 1);
  return [tf.sub(h, tf.floor(h)) as tf.Tensor2D, s, maxc];
}

/** torchvision's _hsv2rgb: h in [0,1), s and v in [0,1], each N×1 → N×3. */
export function hsvToRgb(h: tf.Tensor2D, s: tf.Tensor2D, v: tf.Tensor2D): tf.Tensor2D {
  const h6 = tf.mul(h, 6);
  const i0 = tf.floor(h6);
  const f = tf.sub(h6, i0);
  const p = tf.clipByValue(tf.mul(v, tf.sub(1, s)), 0, 1);
  const q = tf.clipByValue(tf.mul(v, tf.sub(1, tf.mul(s, f))), 0, 1);
  const t = tf.clipByValue(tf.mul(v, tf.sub(1, tf.mul(s, tf.sub(1, f)))), 0, 1);
  const i = tf.sub(i0, tf.mul(tf.floor(tf.div(i0, 6)), 6));
  const sector = [0, 1, 2, 3, 4].map((k) => tf.equal(i, k));
  const r = pickSector(sector, [v, q, p, p, t, v]);
  const g = pickSector(sector, [t, v, v, q, p, p]);
  const b = pickSector(sector, [p, p, t, v, v, q]);
  return mergeChannels([r, g, b]);
}

/**
 * N×1 columns → N×k. The cpu backend concatenates columns fast; wasm does not (about 5× the
 * time of everything else in adjustHue), so there the columns are summed as outer products
 * with unit rows, which is exact (each output adds one column times 1 and zeros).
 */
function mergeChannels(cols: tf.Tensor[]): tf.Tensor2D {
  if (tf.getBackend() === 'cpu') return tf.concat(cols, 1) as tf.Tensor2D;
  const k = cols.length;
  const unit = (j: number): tf.Tensor2D => tf.tensor2d(cols.map((_, i) => (i === j ? 1 : 0)), [1, k]);
  const terms: tf.Tensor[] = cols.map((c, j) => tf.matMul(c as tf.Tensor2D, unit(j)));
  return terms.reduce((a, b) => tf.add(a, b)) as tf.Tensor2D;
}

/** torchvision's adjust_hue: h ← (h + shift) mod 1 in HSV. */
export function adjustHue(x: tf.Tensor4D, shifts: number[]): tf.Tensor4D {
  if (x.shape[3] === 1) return x;
  const [n, hh, ww] = x.shape;
  // Inner tidies keep only h, s, v between the halves (peak memory).
  const [h, s, v] = tf.tidy(() => rgbToHsv(flat(x)));
  const wrapped = tf.tidy(() => {
    const shifted = tf.add(tf.reshape(h, [n, hh * ww]), perImage(shifts, [n, hh * ww]));
    return tf.reshape(tf.sub(shifted, tf.floor(shifted)), [-1, 1]) as tf.Tensor2D;
  });
  return tf.reshape(tf.tidy(() => hsvToRgb(wrapped, s, v)), x.shape);
}

/** The four jitter ops, indexed as JITTER_OPS. */
export const JITTER_FNS: ((x: tf.Tensor4D, factors: number[]) => tf.Tensor4D)[] = [
  adjustBrightness,
  adjustContrast,
  adjustSaturation,
  adjustHue,
];
