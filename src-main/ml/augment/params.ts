/**
 * Per-image random parameters of one view, drawn in JS from the image's own stream (rng.ts).
 * Pure functions: no tensors here.
 */
import type { Rng } from '../../core/rng';
import type { CropSpec, ViewSpec } from './spec';
import { sampleTaskParams, type TaskParams } from './tasks';

/** A crop in pixels, torchvision's (i, j, h, w): top row, left column, height, width. */
export interface CropBox {
  top: number;
  left: number;
  height: number;
  width: number;
}

/** The colour-jitter ops, in the index order of torchvision's ColorJitter.forward. */
export const JITTER_OPS = ['brightness', 'contrast', 'saturation', 'hue'] as const;

export interface JitterParams {
  /** A permutation of 0..3 (indices into JITTER_OPS): the order the ops run in. */
  order: number[];
  /** Per op: the factor (hue: the shift), or null when the op is off (strength 0). */
  factors: [number | null, number | null, number | null, number | null];
}

export interface ViewParams {
  crop: CropBox;
  flip: boolean;
  /** null: jitter not applied to this image. */
  jitter: JitterParams | null;
  grayscale: boolean;
  /** null: not blurred. */
  blurSigma: number | null;
  solarize: boolean;
  /** The task's parameters (its targets), when the view has a task; drawn after the others. */
  task?: TaskParams;
}

/** Python 3's round(): halves go to the even neighbour. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * torchvision's RandomResizedCrop.get_params: up to 10 tries of an area fraction uniform in
 * `scale` and an aspect ratio log-uniform in `ratio`; a try fits when 0 < w ≤ width and
 * 0 < h ≤ height, and its position is uniform. Otherwise a centre crop whose aspect ratio is
 * the image's, clamped to `ratio`.
 */
export function sampleCropBox(rng: Rng, height: number, width: number, spec: CropSpec): CropBox {
  const area = height * width;
  const logLo = Math.log(spec.ratio[0]);
  const logHi = Math.log(spec.ratio[1]);
  for (let attempt = 0; attempt < 10; attempt++) {
    const targetArea = area * rng.uniform(spec.scale[0], spec.scale[1]);
    const aspect = Math.exp(rng.uniform(logLo, logHi));
    const w = roundHalfEven(Math.sqrt(targetArea * aspect));
    const h = roundHalfEven(Math.sqrt(targetArea / aspect));
    if (w > 0 && w <= width && h > 0 && h <= height) {
      const top = rng.int(0, height - h);
      const left = rng.int(0, width - w);
      return { top, left, height: h, width: w };
    }
  }
  const inRatio = width / height;
  let w = width;
  let h = height;
  if (inRatio < spec.ratio[0]) {
    h = roundHalfEven(w / spec.ratio[0]);
  } else if (inRatio > spec.ratio[1]) {
    w = roundHalfEven(h * spec.ratio[1]);
  }
  return { top: Math.floor((height - h) / 2), left: Math.floor((width - w) / 2), height: h, width: w };
}

/**
 * torchvision's ColorJitter.get_params: a random order, brightness/contrast/saturation factors
 * uniform in [max(0, 1 − x), 1 + x], a hue shift uniform in [−h, h]; a strength of 0 is off.
 */
export function sampleJitter(rng: Rng, s: NonNullable<ViewSpec['colorJitter']>): JitterParams {
  const order = rng.permutation(4);
  const factor = (x: number): number | null => (x > 0 ? rng.uniform(Math.max(0, 1 - x), 1 + x) : null);
  const b = factor(s.brightness);
  const c = factor(s.contrast);
  const sat = factor(s.saturation);
  const hue = s.hue > 0 ? rng.uniform(-s.hue, s.hue) : null;
  return { order, factors: [b, c, sat, hue] };
}

/** Draws all of one image's parameters for `spec`, in a fixed order. */
export function sampleViewParams(rng: Rng, spec: ViewSpec, height: number, width: number): ViewParams {
  const crop = spec.crop ? sampleCropBox(rng, height, width, spec.crop) : { top: 0, left: 0, height, width };
  const flip = rng.bernoulli(spec.flipProb);
  const jitter = spec.colorJitter && rng.bernoulli(spec.colorJitter.prob) ? sampleJitter(rng, spec.colorJitter) : null;
  const grayscale = rng.bernoulli(spec.grayscaleProb);
  const blurSigma = spec.blur && rng.bernoulli(spec.blur.prob) ? rng.uniform(spec.blur.sigma[0], spec.blur.sigma[1]) : null;
  const solarize = spec.solarize !== null && rng.bernoulli(spec.solarize.prob);
  if (!spec.task) return { crop, flip, jitter, grayscale, blurSigma, solarize };
  return { crop, flip, jitter, grayscale, blurSigma, solarize, task: sampleTaskParams(rng, spec.task) };
}
