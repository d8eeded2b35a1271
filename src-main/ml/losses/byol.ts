/**
 * BYOL's regression loss.
 *
 * Grill et al., "Bootstrap Your Own Latent: A New Approach to Self-Supervised Learning",
 * NeurIPS 2020. Follows `regression_loss` in google-deepmind/deepmind-research
 * (byol/byol_experiment.py): the online prediction p and the target projection z are
 * L2-normalised and the loss is ‖p̂ − ẑ‖² = 2 − 2·cos(p, z), here averaged over the batch.
 *
 * One direction only: the symmetric BYOL loss is byolLoss(p1, z2) + byolLoss(p2, z1). The
 * official code wraps the target in stop_gradient at the call site; so must the caller (the
 * target network's outputs normally carry no gradient anyway).
 */
import * as tf from '@tensorflow/tfjs-core';
import { checkMatrix, checkSameShape, l2Normalize } from './tensorUtil';

/**
 * @param p online predictions, [N, D] (raw: normalised inside)
 * @param z target projections, [N, D]
 * @returns a scalar in [0, 4], mean over the batch of 2 − 2·cos(p_i, z_i)
 */
export function byolLoss(p: tf.Tensor2D, z: tf.Tensor2D): tf.Scalar {
  checkMatrix('byolLoss', 'p', p);
  checkSameShape('byolLoss', 'p', p, 'z', z);
  return tf.tidy(() => {
    const cos = tf.sum(tf.mul(l2Normalize(p), l2Normalize(z)), 1);
    return tf.mean(tf.sub(2, tf.mul(2, cos))) as tf.Scalar;
  });
}
