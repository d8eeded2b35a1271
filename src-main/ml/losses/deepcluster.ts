/**
 * DeepCluster v2's loss (Caron et al., "Unsupervised Learning of Visual Features by Contrasting
 * Cluster Assignments", NeurIPS 2020, facebookresearch/swav main_deepclusterv2.py; solo-learn
 * solo/losses/deepclusterv2.py `deepclusterv2_loss_func`): for one set of prototypes, the
 * prototype scores divided by τ are trained by cross-entropy towards each image's k-means
 * assignment; rows whose assignment is −1 (no assignment yet) are ignored, as
 * `F.cross_entropy(..., ignore_index=-1)`.
 *
 * Difference: with every row ignored PyTorch returns 0/0 = NaN (and a zero gradient); here the
 * value is 0 with the same zero gradient, so the trainer's finite-loss check holds.
 */
import * as tf from '@tensorflow/tfjs-core';
import { checkMatrix, checkPositive } from './tensorUtil';

/**
 * @param scores prototype scores z·cᵀ, [N, K]
 * @param assignments int32 [N], in [−1, K)
 * @param temperature τ > 0
 */
export function deepClusterLoss(scores: tf.Tensor2D, assignments: tf.Tensor1D, temperature: number): tf.Scalar {
  checkMatrix('deepClusterLoss', 'scores', scores);
  if (assignments.rank !== 1 || assignments.shape[0] !== scores.shape[0]) {
    throw new Error(`deepClusterLoss: assignments must be [${scores.shape[0]}], got [${assignments.shape.join(', ')}]`);
  }
  checkPositive('deepClusterLoss', 'temperature', temperature);
  return tf.tidy(() => {
    const logits = tf.div(scores, temperature);
    const labels = tf.cast(assignments, 'int32');
    const isValid = tf.greaterEqual(labels, tf.scalar(0, 'int32'));
    const valid = tf.cast(isValid, 'float32');
    const onehot = tf.oneHot(tf.where(isValid, labels, tf.zerosLike(labels)) as tf.Tensor1D, scores.shape[1]);
    const picked = tf.sum(tf.mul(logits, onehot), 1);
    const ce = tf.mul(tf.sub(tf.logSumExp(logits, 1), picked), valid);
    return tf.div(tf.sum(ce), tf.maximum(tf.sum(valid), 1)) as tf.Scalar;
  });
}
