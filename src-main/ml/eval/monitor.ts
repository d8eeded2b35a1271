/**
 * What the trainer records after each epoch to tell a learning run from a collapsed one:
 * kNN top-1 on the test split (cosine, k 200, T 0.1, weighted vote — the standard SSL monitor
 * of Wu et al. 2018 as used by solo-learn), the mean per-dimension standard deviation of the
 * L2-normalised features (SimSiam §4: collapse drives it to 0, a healthy encoder stays near
 * 1/√D), and Wang & Isola's uniformity of the test features. Uniformity and alignment are
 * O(N²) or need views rendered, so they use a seeded random sample of the split's rows
 * (monitorSample), the same for every run and epoch, not its first rows: a split ordered by
 * class would otherwise measure a few classes.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../../core/rng';
import { knnPredict, l2Normalize, uniformity } from '../losses';

/** Seed of the monitor's samples: fixed, so every run of a comparison is measured on the same rows. */
export const MONITOR_SEED = 0;

/**
 * `count` row positions of 0..n−1 drawn without replacement by a seeded permutation, in
 * ascending order (all n when n ≤ count).
 */
export function monitorSample(n: number, count: number, seed = MONITOR_SEED): number[] {
  if (n <= count) return Array.from({ length: n }, (_, i) => i);
  return new Rng(seed).permutation(n).slice(0, count).sort((a, b) => a - b);
}

/** The items at monitorSample's positions (alignment's images of a split). */
export function sampleOf<T>(items: readonly T[], count: number): T[] {
  return monitorSample(items.length, count).map((i) => items[i]!);
}

export interface KnnOptions {
  k: number;
  temperature: number;
  /** Test rows per kNN batch (bounds the test × train similarity matrix). */
  batch?: number;
}

/** kNN top-1 accuracy (0..1) of test features against labelled train features. */
export async function knnAccuracy(
  train: tf.Tensor2D,
  trainLabels: Int32Array,
  test: tf.Tensor2D,
  testLabels: Int32Array,
  numClasses: number,
  o: KnnOptions,
): Promise<number> {
  const k = Math.min(o.k, train.shape[0]);
  const batch = o.batch ?? 512;
  const labels = tf.tensor1d(trainLabels, 'int32');
  let correct = 0;
  try {
    for (let start = 0; start < test.shape[0]; start += batch) {
      const rows = Math.min(batch, test.shape[0] - start);
      const pred = tf.tidy(() => knnPredict(train, labels, tf.slice(test, [start, 0], [rows, -1]), numClasses, k, o.temperature));
      const p = (await pred.data()) as Int32Array;
      pred.dispose();
      for (let i = 0; i < rows; i++) if (p[i] === testLabels[start + i]) correct++;
    }
  } finally {
    labels.dispose();
  }
  return correct / test.shape[0];
}

/** Mean over dimensions of the std over rows of the L2-normalised features. */
export async function featureStd(features: tf.Tensor2D): Promise<number> {
  const s = tf.tidy(() => tf.mean(tf.sqrt(tf.moments(l2Normalize(features), 0).variance)));
  const v = (await s.data())[0]!;
  s.dispose();
  return v;
}

/** Uniformity log E exp(−t‖zi − zj‖²) on a seeded sample of at most `maxRows` rows (it is O(N²)). */
export async function featureUniformity(features: tf.Tensor2D, t = 2, maxRows = 1024): Promise<number> {
  const n = features.shape[0];
  const u = tf.tidy(() => {
    const rows = n <= maxRows ? features : tf.gather(features, tf.tensor1d(monitorSample(n, maxRows), 'int32'));
    return uniformity(rows, t);
  });
  const v = (await u.data())[0]!;
  u.dispose();
  return v;
}
