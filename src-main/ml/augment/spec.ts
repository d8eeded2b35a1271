/**
 * Declarative view pipelines. A method's augmentation is a list of ViewSpec, one per view, as
 * in lightly's multi-view transforms: SimCLR is two equal entries, BYOL two asymmetric ones,
 * multi-crop (SwAV, DINO) 2 global + N local entries with their own size and scale range.
 *
 * The steps run in solo-learn's order (solo/data/pretrain_dataloader.py): random resized crop,
 * colour jitter, grayscale, gaussian blur, solarization, horizontal flip, then normalisation.
 * The flip is folded into the crop (it commutes with every later step).
 */

/** torchvision.transforms.RandomResizedCrop's scale and ratio ranges and interpolation. */
export interface CropSpec {
  scale: [number, number];
  ratio: [number, number];
  /** Resampling as PIL does it (antialiased when downsampling); default 'bilinear'. */
  interpolation?: 'bilinear' | 'bicubic';
}

/** torchvision.transforms.ColorJitter's strengths, applied with probability `prob`. */
export interface ColorJitterSpec {
  prob: number;
  brightness: number;
  contrast: number;
  saturation: number;
  /** At most 0.5. */
  hue: number;
}

/**
 * Gaussian blur with sigma uniform in `sigma`, applied with probability `prob`.
 * kernel 'tenth': SimCLR's and BYOL's official code, an odd kernel of about 10% of the view's
 * side (size // 10, rounded down to odd: 23 at 224 px, 3 at 32 px, 1 = no blur below 20 px).
 * kernel 'full': radius ceil(3·σmax), for the code that blurs with PIL's GaussianBlur(radius=σ)
 * (solo-learn, MoCo v2, SimSiam, Barlow Twins, VICReg, SwAV, DINO): PIL approximates a Gaussian
 * of std σ over its whole extent with repeated box blurs; this is the Gaussian itself, cut at 3σ.
 * Borders are reflected, as torchvision's gaussian_blur does.
 */
export interface BlurSpec {
  prob: number;
  sigma: [number, number];
  kernel: 'tenth' | 'full';
}

/** Pixels ≥ threshold (on [0,1] data) are inverted, with probability `prob`. */
export interface SolarizeSpec {
  prob: number;
  threshold: number;
}

import { validateTask, type TaskSpec } from './tasks';

export interface ViewSpec {
  /** For display: 'view-1', 'global-2', 'local-3'. */
  name: string;
  /** Side of the square output view, in pixels. */
  size: number;
  /** null: the whole image, resized to `size`. */
  crop: CropSpec | null;
  flipProb: number;
  colorJitter: ColorJitterSpec | null;
  grayscaleProb: number;
  blur: BlurSpec | null;
  solarize: SolarizeSpec | null;
  /**
   * A pretext task run last on the view (tasks.ts): each image becomes several rows (rotations,
   * tiles, a patch pair) and the sampled parameters are the targets. Absent: one row per image.
   */
  task?: TaskSpec;
}

/** Per-channel normalisation, the last step: (x − mean) / std. */
export interface ChannelStats {
  mean: number[];
  std: number[];
}

function checkProb(view: string, what: string, p: number): void {
  if (!(p >= 0 && p <= 1)) throw new Error(`view '${view}': ${what} must be a probability in [0, 1], got ${p}`);
}

function checkRange(view: string, what: string, r: [number, number], lo: number, hi: number): void {
  if (!(r[0] >= lo && r[0] <= r[1] && r[1] <= hi)) {
    throw new Error(`view '${view}': ${what} must satisfy ${lo} ≤ min ≤ max ≤ ${hi}, got [${r[0]}, ${r[1]}]`);
  }
}

/** Throws an error naming the view and the field when a spec cannot be applied. */
export function validateViewSpec(v: ViewSpec): void {
  const n = v.name;
  if (!Number.isInteger(v.size) || v.size < 1) throw new Error(`view '${n}': size must be a positive integer, got ${v.size}`);
  if (v.crop) {
    checkRange(n, 'crop scale', v.crop.scale, Number.MIN_VALUE, 1);
    checkRange(n, 'crop ratio', v.crop.ratio, Number.MIN_VALUE, Infinity);
    const interp = v.crop.interpolation;
    if (interp !== undefined && interp !== 'bilinear' && interp !== 'bicubic') {
      throw new Error(`view '${n}': crop interpolation must be 'bilinear' or 'bicubic', got '${String(interp)}'`);
    }
  }
  checkProb(n, 'flipProb', v.flipProb);
  checkProb(n, 'grayscaleProb', v.grayscaleProb);
  if (v.colorJitter) {
    const j = v.colorJitter;
    checkProb(n, 'colorJitter.prob', j.prob);
    for (const k of ['brightness', 'contrast', 'saturation'] as const) {
      if (!(j[k] >= 0 && Number.isFinite(j[k]))) throw new Error(`view '${n}': colorJitter.${k} must be ≥ 0, got ${j[k]}`);
    }
    if (!(j.hue >= 0 && j.hue <= 0.5)) throw new Error(`view '${n}': colorJitter.hue must be in [0, 0.5], got ${j.hue}`);
  }
  if (v.blur) {
    checkProb(n, 'blur.prob', v.blur.prob);
    checkRange(n, 'blur sigma', v.blur.sigma, Number.MIN_VALUE, Infinity);
  }
  if (v.solarize) {
    checkProb(n, 'solarize.prob', v.solarize.prob);
    if (!(v.solarize.threshold >= 0 && v.solarize.threshold <= 1)) {
      throw new Error(`view '${n}': solarize.threshold must be in [0, 1], got ${v.solarize.threshold}`);
    }
  }
  if (v.task) validateTask(n, v.task, v.size);
}

/** Odd blur kernel size for a view of side `size` (see BlurSpec). */
export function blurKernelSize(blur: BlurSpec, size: number): number {
  const radius = blur.kernel === 'tenth' ? Math.floor(Math.floor(size / 10) / 2) : Math.ceil(3 * blur.sigma[1]);
  // Reflect padding needs radius < size.
  return 2 * Math.min(radius, size - 1) + 1;
}
