/**
 * VICReg's variance-invariance-covariance loss.
 *
 * Bardes, Ponce, LeCun, "VICReg: Variance-Invariance-Covariance Regularization for
 * Self-Supervised Learning", ICLR 2022. Follows `VICReg.forward` in facebookresearch/vicreg
 * (main_vicreg.py):
 *   repr = mse(x, y)
 *   std  = sqrt(var(x, unbiased) + 1e-4);  std_loss = mean(relu(1 − std_x))/2 + mean(relu(1 − std_y))/2
 *   cov  = x̄ᵀx̄ / (N − 1);                  cov_loss = Σ_{i≠j} cov_x² / D + Σ_{i≠j} cov_y² / D
 *   loss = simWeight·repr + varWeight·std_loss + covWeight·cov_loss
 * (the paper's weights are 25, 25, 1).
 */
import * as tf from '@tensorflow/tfjs-core';
import { checkMatrix, checkSameShape, meanAll, sumAll } from './tensorUtil';

const VAR_EPS = 1e-4;

/** Hinge on the per-dimension std and the off-diagonal covariance term of one branch. */
function branchTerms(x: tf.Tensor2D): { std: tf.Scalar; cov: tf.Scalar } {
  const [n, d] = x.shape;
  const centred = tf.sub(x, tf.mean(x, 0, true)) as tf.Tensor2D;
  const unbiasedVar = tf.div(tf.sum(tf.square(centred), 0), n - 1); // the covariance's diagonal
  const std = tf.mean(tf.relu(tf.sub(1, tf.sqrt(tf.add(unbiasedVar, VAR_EPS))))) as tf.Scalar;
  // Σ_{i≠j} cov² = ‖cov‖²_F − Σ var², and ‖x̄ᵀx̄‖_F = ‖x̄x̄ᵀ‖_F: when D > N the N×N Gram matrix
  // replaces the D×D covariance (D = 8192 in the paper: 256 MiB and D/N times the work).
  const gram = d <= n ? tf.matMul(centred, centred, true, false) : tf.matMul(centred, centred, false, true);
  const frobenius = tf.div(sumAll(tf.square(gram)), (n - 1) * (n - 1));
  const offDiagSq = tf.sub(frobenius, tf.sum(tf.square(unbiasedVar)));
  return { std, cov: tf.div(offDiagSq, d) as tf.Scalar };
}

/** VICReg's three unweighted terms: invariance (MSE), variance (std hinge, both branches averaged), covariance. */
export interface VicregTerms {
  invariance: tf.Scalar;
  variance: tf.Scalar;
  covariance: tf.Scalar;
}

/**
 * @param z1 expander outputs of the first views, [N, D], N ≥ 2 (raw)
 * @param z2 expander outputs of the second views, [N, D]
 * @returns the three unweighted terms (the caller disposes them)
 */
export function vicregTerms(z1: tf.Tensor2D, z2: tf.Tensor2D): VicregTerms {
  checkMatrix('vicregLoss', 'z1', z1, 2);
  checkSameShape('vicregLoss', 'z1', z1, 'z2', z2);
  return tf.tidy(() => {
    const invariance = meanAll(tf.squaredDifference(z1, z2));
    const a = branchTerms(z1);
    const b = branchTerms(z2);
    return { invariance, variance: tf.div(tf.add(a.std, b.std), 2) as tf.Scalar, covariance: tf.add(a.cov, b.cov) as tf.Scalar };
  });
}

/** The weighted sum of VICReg's terms (what vicregLoss returns); the terms stay the caller's. */
export function weightVicregTerms(t: VicregTerms, simWeight: number, varWeight: number, covWeight: number): tf.Scalar {
  for (const [name, w] of [['simWeight', simWeight], ['varWeight', varWeight], ['covWeight', covWeight]] as const) {
    if (!Number.isFinite(w) || w < 0) throw new Error(`vicregLoss: ${name} must be a finite number ≥ 0, got ${w}`);
  }
  return tf.tidy(() => tf.addN([tf.mul(simWeight, t.invariance), tf.mul(varWeight, t.variance), tf.mul(covWeight, t.covariance)]) as tf.Scalar);
}

/**
 * @param z1 expander outputs of the first views, [N, D], N ≥ 2 (raw)
 * @param z2 expander outputs of the second views, [N, D]
 * @param simWeight weight of the invariance (MSE) term
 * @param varWeight weight of the variance (std hinge) term
 * @param covWeight weight of the covariance term
 * @returns a scalar, the weighted sum of the three terms
 */
export function vicregLoss(
  z1: tf.Tensor2D,
  z2: tf.Tensor2D,
  simWeight: number,
  varWeight: number,
  covWeight: number,
): tf.Scalar {
  return tf.tidy(() => weightVicregTerms(vicregTerms(z1, z2), simWeight, varWeight, covWeight));
}
