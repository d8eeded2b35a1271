/**
 * SwAV's Sinkhorn-Knopp codes and swapped-prediction loss.
 *
 * Caron et al., "Unsupervised Learning of Visual Features by Contrasting Cluster Assignments",
 * NeurIPS 2020. Follows `distributed_sinkhorn` and the loss loop of `train` in
 * facebookresearch/swav (main_swav.py), for one process and two crops:
 *   Q = exp(scores / ε)ᵀ (K×B); Q /= ΣQ; repeat: Q /= row sums, Q /= K; Q /= column sums, Q /= B;
 *   Q *= B; codes = Qᵀ (B×K, rows sum to 1);
 *   loss = ½ [ −mean Σ q1 · log_softmax(s2/τ) − mean Σ q2 · log_softmax(s1/τ) ].
 * Multi-crop with a queue (swavCodes, swappedPrediction): the codes of each global crop come
 * from Sinkhorn over the queue's scores and the batch's, and are predicted from every other
 * crop, as in main_swav.py's loop over crops_for_assign.
 * Codes are computed under torch.no_grad() there, off the gradient tape here (untaped: no
 * gradient, and none of the Sinkhorn intermediates is kept for the backward pass).
 * Subtracting the global max of the scores before exp() is exact (the total normalisation
 * cancels it) and keeps exp(·/ε) finite in float32; scores are prototype dot products of
 * L2-normalised vectors, in [−1, 1], so exp((s − max)/ε) ≥ exp(−2/ε) does not underflow at ε = 0.05.
 */
import * as tf from '@tensorflow/tfjs-core';
import { checkMatrix, checkPositive, checkSameShape, stopGradient, sumAll, untaped } from './tensorUtil';

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
  return untaped((s) => {
    const [b, k] = scores.shape;
    let q = tf.transpose(tf.exp(tf.div(tf.sub(s, tf.max(s)), epsilon))) as tf.Tensor2D; // K×B
    q = tf.div(q, sumAll(q));
    for (let it = 0; it < iterations; it++) {
      q = tf.div(q, tf.mul(tf.sum(q, 1, true), k)); // each prototype gets total weight 1/K
      q = tf.div(q, tf.mul(tf.sum(q, 0, true), b)); // each sample gets total weight 1/B
    }
    return tf.transpose(tf.mul(q, b)) as tf.Tensor2D;
  }, scores);
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
  return tf.tidy(() => swappedPrediction([sinkhorn(scores1, epsilon, iterations), sinkhorn(scores2, epsilon, iterations)], [scores1, scores2], temperature));
}

/**
 * The codes of one assigned crop with a queue (main_swav.py: `out = cat((queue @ Cᵀ, out))`,
 * then `distributed_sinkhorn(out)[-bs:]`): Sinkhorn over the queue's rows and the batch's,
 * the batch's rows kept. Without gradient.
 * @param scores the crop's prototype scores, [B, K]
 * @param queueScores prototype scores of the queued embeddings, [Q, K], or null (no queue)
 */
export function swavCodes(scores: tf.Tensor2D, queueScores: tf.Tensor2D | null, epsilon: number, iterations: number): tf.Tensor2D {
  if (!queueScores) return sinkhorn(scores, epsilon, iterations);
  checkMatrix('swavCodes', 'queueScores', queueScores);
  if (queueScores.shape[1] !== scores.shape[1]) {
    throw new Error(`swavCodes: queueScores has ${queueScores.shape[1]} prototypes, scores ${scores.shape[1]}`);
  }
  return untaped((s, qs) => {
    const q = sinkhorn(tf.concat([qs!, s!], 0) as tf.Tensor2D, epsilon, iterations);
    return tf.slice(q, [queueScores.shape[0], 0], scores.shape) as tf.Tensor2D;
  }, scores, queueScores);
}

/**
 * SwAV's swapped prediction over all crops (main_swav.py's loss loop): for each assigned crop i
 * (codes[i]), the mean over the other crops v of −mean_b Σ_k codes_i · log_softmax(s_v/τ),
 * averaged over the assigned crops. With two crops and two codes it is swavLoss.
 * @param codes codes of the assigned crops (the global ones, first in `scores`), each [B, K]
 * @param scores prototype scores of every crop, each [B, K]
 */
export function swappedPrediction(codes: tf.Tensor2D[], scores: tf.Tensor2D[], temperature: number): tf.Scalar {
  checkPositive('swappedPrediction', 'temperature', temperature);
  if (codes.length < 1 || scores.length < 2 || codes.length > scores.length) {
    throw new Error(`swappedPrediction: needs 1 ≤ codes (${codes.length}) ≤ crops (${scores.length}) and at least 2 crops`);
  }
  scores.forEach((s, v) => checkSameShape('swappedPrediction', `scores[${v}]`, s, 'codes[0]', codes[0]!));
  codes.forEach((c, i) => checkSameShape('swappedPrediction', `codes[${i}]`, c, 'scores[0]', scores[0]!));
  return tf.tidy(() => {
    const logP = scores.map((s) => tf.logSoftmax(tf.div(s, temperature)));
    const terms = codes.map((c, i) => {
      const q = stopGradient(c);
      const others = logP.filter((_, v) => v !== i).map((lp) => tf.neg(tf.mean(tf.sum(tf.mul(q, lp), 1))));
      return tf.div(tf.addN(others), others.length);
    });
    return tf.div(tf.addN(terms), terms.length) as tf.Scalar;
  });
}
