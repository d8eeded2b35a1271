/**
 * Barlow Twins' redundancy-reduction loss.
 *
 * Zbontar, Jing, Misra, LeCun, Deny, "Barlow Twins: Self-Supervised Learning via Redundancy
 * Reduction", ICML 2021. Follows `BarlowTwins.forward` in facebookresearch/barlowtwins
 * (main.py): each branch goes through `nn.BatchNorm1d(D, affine=False)` in training mode,
 * i.e. every dimension is standardised over the batch with the biased variance and eps 1e-5;
 * the cross-correlation is C = z̃1ᵀ z̃2 / N and
 *
 *   loss = Σ_i (1 − C_ii)² + λ Σ_{i≠j} C_ij²
 *
 * (the paper's λ = 5e-3 for D = 8192).
 */
import * as tf from '@tensorflow/tfjs-core';
import { checkMatrix, checkSameShape, offDiagonalMask } from './tensorUtil';

const BN_EPS = 1e-5;

/** Batch-norm without affine parameters: (x − mean) / sqrt(biased var + 1e-5), per column. */
function standardise(x: tf.Tensor2D): tf.Tensor2D {
  const { mean, variance } = tf.moments(x, 0, true);
  return tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, BN_EPS))) as tf.Tensor2D;
}

/**
 * @param z1 projections of the first views, [N, D], N ≥ 2 (raw: standardised inside)
 * @param z2 projections of the second views, [N, D]
 * @param lambda weight λ ≥ 0 of the off-diagonal (redundancy) term
 * @returns a scalar, the on-diagonal invariance term plus λ times the redundancy term
 */
export function barlowTwinsLoss(z1: tf.Tensor2D, z2: tf.Tensor2D, lambda: number): tf.Scalar {
  checkMatrix('barlowTwinsLoss', 'z1', z1, 2);
  checkSameShape('barlowTwinsLoss', 'z1', z1, 'z2', z2);
  if (!Number.isFinite(lambda) || lambda < 0) {
    throw new Error(`barlowTwinsLoss: lambda must be a finite number ≥ 0, got ${lambda}`);
  }
  return tf.tidy(() => {
    const [n, d] = z1.shape;
    const c = tf.div(tf.matMul(standardise(z1), standardise(z2), true, false), n);
    const eye = tf.eye(d);
    const diag = tf.sum(tf.mul(c, eye), 1);
    const onDiag = tf.sum(tf.square(tf.sub(1, diag)));
    const offDiag = tf.sum(tf.square(tf.mul(c, offDiagonalMask(d))));
    return tf.add(onDiag, tf.mul(lambda, offDiag)) as tf.Scalar;
  });
}
