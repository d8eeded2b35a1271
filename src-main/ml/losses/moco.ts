/**
 * MoCo's InfoNCE loss against a queue of negatives.
 *
 * He, Fan, Wu, Xie, Girshick, "Momentum Contrast for Unsupervised Visual Representation
 * Learning", CVPR 2020. Follows `MoCo.forward` in facebookresearch/moco (moco/builder.py):
 * q, k and the queued keys are L2-normalised, l_pos = q·k (N×1), l_neg = q·queueᵀ (N×K),
 * logits = [l_pos, l_neg] / τ with the positive first, cross-entropy against label 0,
 * averaged over the batch.
 *
 * Here the queue is [K, D] (one key per row); the official code stores its transpose. The keys
 * come from the momentum encoder, which has no gradient; this function does not stop the
 * gradient through `k` or `queue`: that is the caller's (as in the official code).
 */
import * as tf from '@tensorflow/tfjs-core';
import { checkMatrix, checkPositive, checkSameShape, l2Normalize } from './tensorUtil';

/**
 * @param q queries from the online encoder, [N, D] (raw: normalised inside)
 * @param k keys of the same images from the momentum encoder, [N, D]
 * @param queue negative keys, [K, D]
 * @param temperature τ > 0
 * @returns a scalar, the mean InfoNCE over the N queries
 */
export function infoNceLoss(q: tf.Tensor2D, k: tf.Tensor2D, queue: tf.Tensor2D, temperature: number): tf.Scalar {
  checkMatrix('infoNceLoss', 'q', q);
  checkSameShape('infoNceLoss', 'q', q, 'k', k);
  checkMatrix('infoNceLoss', 'queue', queue);
  if (queue.shape[1] !== q.shape[1]) {
    throw new Error(`infoNceLoss: queue rows must have ${q.shape[1]} features like q, got ${queue.shape[1]}`);
  }
  checkPositive('infoNceLoss', 'temperature', temperature);
  return tf.tidy(() => {
    const qn = l2Normalize(q);
    const kn = l2Normalize(k);
    const lPos = tf.sum(tf.mul(qn, kn), 1, true);
    const lNeg = tf.matMul(qn, l2Normalize(queue), false, true);
    const logits = tf.div(tf.concat([lPos, lNeg], 1), temperature);
    // Cross-entropy with label 0: logsumexp(logits) − logits[:, 0].
    return tf.mean(tf.sub(tf.logSumExp(logits, 1), tf.div(tf.squeeze(lPos, [1]), temperature))) as tf.Scalar;
  });
}
