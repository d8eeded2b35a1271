/**
 * Collapse diagnostics of an encoder, on its backbone features (tasks/diagnostics.ts runs them
 * on a run's latest checkpoint, the test split or else the train split, and stores them):
 *
 * - alignment (Wang & Isola 2020, α = 2): mean ‖f(x₁) − f(x₂)‖² of L2-normalised features of
 *   two augmented views of the same image, the run's own views (its first two; a method with
 *   one view, such as the supervised baseline, gets two draws of it). The images (256 of the
 *   split, monitorSample's seeded sample) and the view draws are the ones the trainer's
 *   per-epoch monitor uses (epochMetrics: seed path {seed, epoch 1e6}), so the number lines up
 *   with the curve.
 * - uniformity (t = 2): log mean exp(−t‖zᵢ − zⱼ‖²) over distinct pairs; on a seeded subset of
 *   2048 rows when there are more (it is O(N²)).
 * - effective rank (Roy & Vetterli 2007): exp of the entropy of the singular values of the
 *   centred feature matrix normalised to sum 1 (σ from the eigenvalues of the smaller Gram
 *   matrix). 1 for a rank-one representation, D for an isotropic one; 0 for identical rows.
 * - per-dimension std of the L2-normalised features (SimSiam §4.1: collapse drives it to 0;
 *   a healthy encoder stays near 1/√D).
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { renderViews, type ChannelStats, type ViewSpec } from '../augment';
import { alignment, l2Normalize, uniformity } from '../losses';
import { trainingViews } from '../methods';
import type { RunConfig } from '../train/config';
import { symmetricEigenvalues } from '../maps/symEig';
import { gatherPixels, type PixelSource } from './embed';
import { monitorSample } from './monitor';

/** Images for alignment: the trainer's monitor uses the same number (epochMetrics). */
export const ALIGN_IMAGES = 256;
/** Rows for uniformity at most. */
export const UNIFORMITY_ROWS = 2048;

/** Exp of the entropy of the normalised singular values of the centred n × d matrix. */
export function effectiveRank(features: Float32Array, n: number, d: number): number {
  const gram = tf.tidy(() => {
    const x = tf.tensor2d(features, [n, d]);
    const xc = tf.sub(x, tf.mean(x, 0, true));
    // The smaller Gram matrix has the same non-zero eigenvalues σ².
    return n >= d ? tf.matMul(tf.transpose(xc), xc) : tf.matMul(xc, tf.transpose(xc));
  });
  const size = Math.min(n, d);
  const values = gram.dataSync() as Float32Array;
  gram.dispose();
  const lambda = symmetricEigenvalues(Float64Array.from(values), size);
  const sigma = Array.from(lambda, (l) => Math.sqrt(Math.max(0, l)));
  const total = sigma.reduce((s, v) => s + v, 0);
  if (!(total > 0)) return 0;
  let entropy = 0;
  for (const s of sigma) {
    const p = s / total;
    if (p > 0) entropy -= p * Math.log(p);
  }
  return Math.exp(entropy);
}

/** Std over rows of each dimension of the L2-normalised features (biased, as tf.moments). */
export function perDimensionStd(features: Float32Array, n: number, d: number): number[] {
  const std = tf.tidy(() => tf.sqrt(tf.moments(l2Normalize(tf.tensor2d(features, [n, d])), 0).variance));
  const out = Array.from(std.dataSync());
  std.dispose();
  return out;
}

/** Uniformity (t) of the rows, on a seeded subset of `maxRows` when there are more. */
export function uniformityOf(features: Float32Array, n: number, d: number, t = 2, maxRows = UNIFORMITY_ROWS): number {
  let rows = features;
  let m = n;
  if (n > maxRows) {
    const pick = monitorSample(n, maxRows);
    rows = new Float32Array(maxRows * d);
    pick.forEach((r, i) => rows.set(features.subarray(r * d, (r + 1) * d), i * d));
    m = maxRows;
  }
  const u = tf.tidy(() => uniformity(tf.tensor2d(rows, [m, d]), t));
  const v = u.dataSync()[0]!;
  u.dispose();
  return v;
}

/** The run's own views (its first two; a method with one view gets two draws of it). */
export function viewsOf(cfg: RunConfig, size: number): ViewSpec[] {
  return trainingViews(cfg.method, cfg.preset, size, cfg.params);
}

/** Alignment (α = 2) of two views of the images `idx`, drawn as the trainer's monitor draws them. */
export async function viewAlignment(
  backbone: tfl.LayersModel,
  data: PixelSource,
  idx: readonly number[],
  stats: ChannelStats,
  cfg: RunConfig,
): Promise<number> {
  if (idx.length < 2) return Number.NaN;
  const views = viewsOf(cfg, data.size);
  const pair = views.length >= 2 ? views.slice(0, 2) : [views[0]!, views[0]!];
  const pixels = gatherPixels(data, idx);
  const rendered = renderViews({ pixels, shape: [idx.length, data.size, data.size, data.channels] }, pair, { seed: cfg.seed, epoch: 1_000_000 }, { normalize: stats });
  try {
    const a = tf.tidy(() => {
      const [z1, z2] = rendered.map((v) => backbone.apply(v, { training: false }) as tf.Tensor2D);
      return alignment(z1!, z2!, 2);
    });
    const v = (await a.data())[0]!;
    a.dispose();
    return v;
  } finally {
    tf.dispose(rendered);
  }
}
