/**
 * The counting loss (Noroozi, Pirsiavash & Favaro, Representation Learning by Learning to Count,
 * ICCV 2017, eq. 3–6; the authors' release is Caffe, this follows the paper's equations):
 *
 *   ℓ = ‖φ(D∘x) − t‖² + max(0, M − ‖φ(D∘y) − t‖²),   t = Σ_j φ(T_j∘x)
 *
 * the counts of the downsampled image equal the sum of the counts of its tiles, and the
 * counts of another image's downsampled version stay at least M (squared distance) away from
 * that sum, so φ = 0 is not a solution. Averaged over the batch (the paper sums; the mean keeps
 * the learning rate independent of the batch size).
 */
import * as tf from '@tensorflow/tfjs-core';

export interface CountingTerms {
  /** Mean of ‖φ(D∘x) − t‖² over the batch. */
  equal: tf.Scalar;
  /** Mean of max(0, M − ‖φ(D∘y) − t‖²) over the batch. */
  contrast: tf.Scalar;
}

function check(down: tf.Tensor, tileSum: tf.Tensor, other: tf.Tensor, margin: number): void {
  if (down.rank !== 2 || tileSum.rank !== 2 || other.rank !== 2) {
    throw new Error(`countingLoss: counts must be [batch, k] matrices, got ranks ${down.rank}, ${tileSum.rank}, ${other.rank}`);
  }
  const s = (t: tf.Tensor) => t.shape.join('×');
  if (s(down) !== s(tileSum) || s(down) !== s(other)) {
    throw new Error(`countingLoss: the shapes of φ(D∘x) ${s(down)}, Σφ(T∘x) ${s(tileSum)} and φ(D∘y) ${s(other)} differ`);
  }
  if (!Number.isFinite(margin) || margin <= 0) throw new Error(`countingLoss: margin must be a positive number, got ${margin}`);
}

/** The two terms of the counting loss, each a batch mean. */
export function countingTerms(down: tf.Tensor2D, tileSum: tf.Tensor2D, other: tf.Tensor2D, margin: number): CountingTerms {
  check(down, tileSum, other, margin);
  return tf.tidy(() => {
    const equal = tf.mean(tf.sum(tf.square(tf.sub(down, tileSum)), 1)) as tf.Scalar;
    const far = tf.sum(tf.square(tf.sub(other, tileSum)), 1);
    const contrast = tf.mean(tf.relu(tf.sub(tf.scalar(margin), far))) as tf.Scalar;
    return { equal, contrast };
  });
}

/** ℓ of eq. 6 of the paper, averaged over the batch. */
export function countingLoss(down: tf.Tensor2D, tileSum: tf.Tensor2D, other: tf.Tensor2D, margin: number): tf.Scalar {
  check(down, tileSum, other, margin);
  return tf.tidy(() => {
    const { equal, contrast } = countingTerms(down, tileSum, other, margin);
    return tf.add(equal, contrast) as tf.Scalar;
  });
}
