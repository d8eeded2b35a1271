/**
 * MoCo v3's contrastive loss (Chen, Xie, He, "An Empirical Study of Training Self-Supervised
 * Vision Transformers", ICCV 2021). Follows `MoCo.contrastive_loss` in
 * facebookresearch/moco-v3 (moco/builder.py) on one process: q and k are L2-normalised,
 * logits = q·kᵀ / τ (N×N, the other images' keys are the negatives, no queue), cross-entropy
 * against the diagonal, averaged over the batch, and multiplied by 2τ as the official code does.
 * The keys come from the momentum encoder: stopping their gradient is the caller's.
 */
import * as tf from '@tensorflow/tfjs-core';
import { checkViewPair, l2Normalize } from './tensorUtil';

/**
 * @param q queries of the online branch (after the predictor), [N, D], raw
 * @param k keys of the other view from the momentum branch, [N, D], raw
 * @param temperature τ > 0
 */
export function mocoV3Loss(q: tf.Tensor2D, k: tf.Tensor2D, temperature: number): tf.Scalar {
  checkViewPair('mocoV3Loss', q, k, temperature, 1);
  return tf.tidy(() => {
    const logits = tf.div(tf.matMul(l2Normalize(q), l2Normalize(k), false, true), temperature);
    const n = q.shape[0];
    // Cross-entropy with label i on row i: logsumexp(row) − logits[i, i].
    const diag = tf.sum(tf.mul(logits, tf.eye(n)), 1);
    const ce = tf.mean(tf.sub(tf.logSumExp(logits, 1), diag));
    return tf.mul(ce, 2 * temperature) as tf.Scalar;
  });
}
