/**
 * Alignment and uniformity of embeddings on the hypersphere.
 *
 * Wang, Isola, "Understanding Contrastive Representation Learning through Alignment and
 * Uniformity on the Hypersphere", ICML 2020. Follows `align_loss` and `uniform_loss` in
 * SsnL/align_uniform (align_uniform/__init__.py), on L2-normalised inputs:
 *   alignment  = mean_i ‖x_i − y_i‖₂^α
 *   uniformity = log mean_{i<j} exp(−t ‖x_i − x_j‖₂²)        (torch.pdist pairs)
 * Both are used as diagnostics of a representation (lower is better) and as losses.
 */
import * as tf from '@tensorflow/tfjs-core';
import { checkMatrix, checkPositive, checkSameShape, l2Normalize } from './tensorUtil';

const LARGE_NUM = 1e9;

/**
 * @param z1 embeddings of the first views, [N, D] (raw: normalised inside)
 * @param z2 embeddings of the second views, [N, D]
 * @param alpha exponent α > 0 (2 in the paper)
 * @returns a scalar in [0, 2^α], the mean α-th power of the distance between positives
 */
export function alignment(z1: tf.Tensor2D, z2: tf.Tensor2D, alpha: number): tf.Scalar {
  checkMatrix('alignment', 'z1', z1);
  checkSameShape('alignment', 'z1', z1, 'z2', z2);
  checkPositive('alignment', 'alpha', alpha);
  return tf.tidy(() => {
    const sqDist = tf.sum(tf.squaredDifference(l2Normalize(z1), l2Normalize(z2)), 1);
    // ‖·‖^α = (‖·‖²)^(α/2); α = 2 skips pow so identical rows keep a finite gradient.
    const powered = alpha === 2 ? sqDist : tf.pow(sqDist, alpha / 2);
    return tf.mean(powered) as tf.Scalar;
  });
}

/**
 * @param z embeddings, [N, D], N ≥ 2 (raw: normalised inside)
 * @param t scale t > 0 of the Gaussian potential (2 in the paper)
 * @returns a scalar in [−4t, 0], the log of the mean Gaussian potential over distinct pairs
 */
export function uniformity(z: tf.Tensor2D, t: number): tf.Scalar {
  checkMatrix('uniformity', 'z', z, 2);
  checkPositive('uniformity', 't', t);
  return tf.tidy(() => {
    const n = z.shape[0];
    const x = l2Normalize(z);
    // ‖x_i − x_j‖² = 2 − 2 x_i·x_j on the unit sphere, clamped at 0 against rounding.
    const sqDist = tf.relu(tf.sub(2, tf.mul(2, tf.matMul(x, x, false, true))));
    // log-mean-exp over the N(N−1) ordered pairs i≠j (the same mean as over i<j), the
    // diagonal pushed to −1e9 so it drops out of the log-sum-exp.
    const logits = tf.sub(tf.mul(-t, sqDist), tf.mul(tf.eye(n), LARGE_NUM));
    // LSE over all entries as LSE over rows of per-row LSEs (exact; short wasm reductions).
    return tf.sub(tf.logSumExp(tf.logSumExp(logits, 1)), Math.log(n * (n - 1))) as tf.Scalar;
  });
}

/** The two terms of Wang & Isola's objective: alignment(z1, z2, α) and the mean of both views' uniformity(·, t). */
export function alignUniformTerms(z1: tf.Tensor2D, z2: tf.Tensor2D, alpha: number, t: number): { alignment: tf.Scalar; uniformity: tf.Scalar } {
  return tf.tidy(() => ({
    alignment: alignment(z1, z2, alpha),
    uniformity: tf.div(tf.add(uniformity(z1, t), uniformity(z2, t)), 2) as tf.Scalar,
  }));
}

/**
 * Wang & Isola's objective (SsnL/align_uniform, examples' training loss):
 *   alignWeight·alignment(z1, z2, α) + uniformWeight·(uniformity(z1, t) + uniformity(z2, t)) / 2
 * Paper defaults: weights 1 and 1, α = 2, t = 2.
 */
export function alignUniformLoss(z1: tf.Tensor2D, z2: tf.Tensor2D, alignWeight: number, uniformWeight: number, alpha: number, t: number): tf.Scalar {
  for (const [name, w] of [['alignWeight', alignWeight], ['uniformWeight', uniformWeight]] as const) {
    if (!Number.isFinite(w) || w < 0) throw new Error(`alignUniformLoss: ${name} must be a finite number ≥ 0, got ${w}`);
  }
  return tf.tidy(() => {
    const terms = alignUniformTerms(z1, z2, alpha, t);
    return tf.add(tf.mul(terms.alignment, alignWeight), tf.mul(terms.uniformity, uniformWeight)) as tf.Scalar;
  });
}
