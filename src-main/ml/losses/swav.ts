/**
 * SwAV's Sinkhorn-Knopp codes and swapped-prediction loss.
 *
 * Caron et al., "Unsupervised Learning of Visual Features by Contrasting Cluster Assignments",
 * NeurIPS 2020. Follows `distributed_sinkhorn` and the loss loop of `train` in
 * facebookresearch/swav (main_swav.py), for one process and two crops:
 *   Q = exp(scores / ε)ᵀ (K×B); Q /= ΣQ; repeat: Q /= row sums, Q /= K; Q /= column sums, Q /= B;
 *   Q *= B; codes = Qᵀ (B×K, rows sum to 1);
 *   loss = ½ [ −mean Σ q1 · log_softmax(s2/τ) − mean Σ q2 · log_softmax(s1/τ) ].
 * Codes are computed under torch.no_grad() there, behind a stop-gradient here.
 * Subtracting the global max of the scores before exp() is exact (the total normalisation
 * cancels it) and keeps exp(·/ε) finite in float32; scores are prototype dot products of
 * L2-normalised vectors, in [−1, 1], so exp((s − max)/ε) ≥ exp(−2/ε) does not underflow at ε = 0.05.
 */
import * as tf from '@tensorflow/tfjs-core';
import { checkMatrix, checkPositive, checkSameShape, stopGradient, sumAll } from './tensorUtil';

/**
 * @param scores prototype scores, [B, K]
 * @param epsilon entropic regularisation ε > 0 (0.05 in the paper)
 * @param iterations Sinkhorn iterations, an integer ≥ 1 (3 in the paper)
 * @returns codes [B, K], rows summing to 1, prototypes used about equally; no gradient
 */
export function sinkhorn(scores: tf.Tensor2D, epsilon: number, iterations: number): tf.Tensor2D {
  checkMatrix('sinkhorn', 'scores', scores);
  checkPositive('sinkhorn', 'epsilon', epsilon);
  if (!Number.isInteger(iterations) || iterations < 1) {
    throw new Error(`sinkhorn: iterations must be an integer ≥ 1, got ${iterations}`);
  }
  return tf.tidy(() => {
    const [b, k] = scores.shape;
    const s = stopGradient(scores);
    let q = tf.transpose(tf.exp(tf.div(tf.sub(s, tf.max(s)), epsilon))) as tf.Tensor2D; // K×B
    q = tf.div(q, sumAll(q));
    for (let it = 0; it < iterations; it++) {
      q = tf.div(q, tf.mul(tf.sum(q, 1, true), k)); // each prototype gets total weight 1/K
      q = tf.div(q, tf.mul(tf.sum(q, 0, true), b)); // each sample gets total weight 1/B
    }
    return tf.transpose(tf.mul(q, b)) as tf.Tensor2D;
  });
}

/**
 * @param scores1 prototype scores of the first views, [B, K]
 * @param scores2 prototype scores of the second views, [B, K]
 * @param temperature τ > 0 of the predictions (0.1 in the paper)
 * @param epsilon Sinkhorn ε
 * @param iterations Sinkhorn iterations
 * @returns a scalar, the swapped-prediction loss averaged over both directions
 */
export function swavLoss(
  scores1: tf.Tensor2D,
  scores2: tf.Tensor2D,
  temperature: number,
  epsilon: number,
  iterations: number,
): tf.Scalar {
  checkSameShape('swavLoss', 'scores1', scores1, 'scores2', scores2);
  checkPositive('swavLoss', 'temperature', temperature);
  return tf.tidy(() => {
    const q1 = sinkhorn(scores1, epsilon, iterations);
    const q2 = sinkhorn(scores2, epsilon, iterations);
    const crossEntropy = (q: tf.Tensor2D, s: tf.Tensor2D): tf.Tensor =>
      tf.neg(tf.mean(tf.sum(tf.mul(q, tf.logSoftmax(tf.div(s, temperature))), 1)));
    return tf.div(tf.add(crossEntropy(q1, scores2), crossEntropy(q2, scores1)), 2) as tf.Scalar;
  });
}
