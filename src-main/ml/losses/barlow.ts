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
 * (the official default λ is 0.0051, for D = 8192).
 */
import * as tf from '@tensorflow/tfjs-core';
import { checkMatrix, checkSameShape, sumAll } from './tensorUtil';

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
    const a = standardise(z1);
    const b = standardise(z2);
    const diag = tf.div(tf.sum(tf.mul(a, b), 0), n); // C_ii = Σ_n a_ni·b_ni / N
    const onDiag = tf.sum(tf.square(tf.sub(1, diag)));
    // Σ_{i≠j} C_ij² = ‖C‖²_F − Σ C_ii², and ‖aᵀb‖²_F = Σ (a aᵀ) ⊙ (b bᵀ): when D > N the N×N
    // Gram matrices replace the D×D C (D = 8192 in the paper: 256 MiB, and D/2N times the work).
    const frobenius = d <= n
      ? sumAll(tf.square(tf.div(tf.matMul(a, b, true, false), n)))
      : tf.div(sumAll(tf.mul(tf.matMul(a, a, false, true), tf.matMul(b, b, false, true))), n * n);
    const offDiag = tf.sub(frobenius, tf.sum(tf.square(diag)));
    return tf.add(onDiag, tf.mul(lambda, offDiag)) as tf.Scalar;
  });
}
