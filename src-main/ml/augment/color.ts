/**
 * Batched colour ops on NHWC float32 data in [0,1], one factor per image, with the semantics
 * of torchvision.transforms.functional (its tensor code path): every blend is
 * clamp(f·img + (1 − f)·other, 0, 1); hue goes through HSV. On 1-channel data saturation and
 * hue are no-ops and contrast blends with the image's own mean.
 * Callers run these inside tf.tidy.
 */
import * as tf from '@tensorflow/tfjs-core';

/** ITU-R 601-2 luma, torchvision's rgb_to_grayscale weights. */
export const LUMA = [0.2989, 0.587, 0.114] as const;

function perImage(values: number[]): tf.Tensor4D {
  return tf.tensor4d(values, [values.length, 1, 1, 1], 'float32');
}

function blend(x: tf.Tensor4D, other: tf.Tensor, f: tf.Tensor4D): tf.Tensor4D {
  return tf.clipByValue(tf.add(tf.mul(f, x), tf.mul(tf.sub(1, f), other)), 0, 1) as tf.Tensor4D;
}

/** B×H×W×3 → B×H×W×1 luma; a 1-channel batch is returned as is. */
export function rgbToGray(x: tf.Tensor4D): tf.Tensor4D {
  if (x.shape[3] === 1) return x;
  const [r, g, b] = tf.split(x, 3, 3) as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
  return tf.add(tf.add(tf.mul(r, LUMA[0]), tf.mul(g, LUMA[1])), tf.mul(b, LUMA[2]));
}

export function adjustBrightness(x: tf.Tensor4D, factors: number[]): tf.Tensor4D {
  return tf.clipByValue(tf.mul(x, perImage(factors)), 0, 1) as tf.Tensor4D;
}

export function adjustContrast(x: tf.Tensor4D, factors: number[]): tf.Tensor4D {
  const mean = tf.mean(rgbToGray(x), [1, 2, 3], true);
  return blend(x, mean, perImage(factors));
}

export function adjustSaturation(x: tf.Tensor4D, factors: number[]): tf.Tensor4D {
  if (x.shape[3] === 1) return x;
  return blend(x, rgbToGray(x), perImage(factors));
}

/** Selects, per pixel, candidates[i] where i ∈ 0..5 is a float tensor of sector indices. */
function pickSector(i: tf.Tensor, candidates: tf.Tensor[]): tf.Tensor {
  let out = candidates[5]!;
  for (let k = 4; k >= 0; k--) out = tf.where(tf.equal(i, k), candidates[k]!, out);
  return out;
}

/** torchvision's _rgb2hsv, per pixel; returns [h, s, v], each B×H×W×1, h in [0, 1). */
export function rgbToHsv(x: tf.Tensor4D): [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D] {
  const [r, g, b] = tf.split(x, 3, 3) as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
  const maxc = tf.max(x, 3, true) as tf.Tensor4D;
  const minc = tf.min(x, 3, true) as tf.Tensor4D;
  const eqc = tf.equal(maxc, minc);
  const cr = tf.sub(maxc, minc);
  const ones = tf.onesLike(maxc);
  const s = tf.div(cr, tf.where(eqc, ones, maxc)) as tf.Tensor4D;
  const crDivisor = tf.where(eqc, ones, cr);
  const rc = tf.div(tf.sub(maxc, r), crDivisor);
  const gc = tf.div(tf.sub(maxc, g), crDivisor);
  const bc = tf.div(tf.sub(maxc, b), crDivisor);
  // Exactly one of the three sectors holds (max is r; else max is g; else b).
  const isR = tf.equal(maxc, r);
  const isG = tf.logicalAnd(tf.equal(maxc, g), tf.logicalNot(isR));
  const h6 = tf.where(isR, tf.sub(bc, gc), tf.where(isG, tf.add(tf.sub(rc, bc), 2), tf.add(tf.sub(gc, rc), 4)));
  const h = tf.add(tf.div(h6, 6), 1);
  return [tf.sub(h, tf.floor(h)) as tf.Tensor4D, s, maxc];
}

/** torchvision's _hsv2rgb: h in [0,1), s and v in [0,1], each B×H×W×1 → B×H×W×3. */
export function hsvToRgb(h: tf.Tensor4D, s: tf.Tensor4D, v: tf.Tensor4D): tf.Tensor4D {
  const h6 = tf.mul(h, 6);
  const i0 = tf.floor(h6);
  const f = tf.sub(h6, i0);
  const p = tf.clipByValue(tf.mul(v, tf.sub(1, s)), 0, 1);
  const q = tf.clipByValue(tf.mul(v, tf.sub(1, tf.mul(s, f))), 0, 1);
  const t = tf.clipByValue(tf.mul(v, tf.sub(1, tf.mul(s, tf.sub(1, f)))), 0, 1);
  const i = tf.sub(i0, tf.mul(tf.floor(tf.div(i0, 6)), 6));
  const r = pickSector(i, [v, q, p, p, t, v]);
  const g = pickSector(i, [t, v, v, q, p, p]);
  const b = pickSector(i, [p, p, t, v, v, q]);
  return tf.concat([r, g, b], 3) as tf.Tensor4D;
}

/** torchvision's adjust_hue: h ← (h + shift) mod 1 in HSV. */
export function adjustHue(x: tf.Tensor4D, shifts: number[]): tf.Tensor4D {
  if (x.shape[3] === 1) return x;
  const [h, s, v] = rgbToHsv(x);
  const shifted = tf.add(h, perImage(shifts));
  return hsvToRgb(tf.sub(shifted, tf.floor(shifted)) as tf.Tensor4D, s, v);
}

/** The four jitter ops, indexed as JITTER_OPS. */
export const JITTER_FNS: ((x: tf.Tensor4D, factors: number[]) => tf.Tensor4D)[] = [
  adjustBrightness,
  adjustContrast,
  adjustSaturation,
  adjustHue,
];
