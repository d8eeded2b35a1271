/**
 * SimSiam's negative cosine similarity.
 *
 * Chen, He, "Exploring Simple Siamese Representation Learning", CVPR 2021. Follows
 * facebookresearch/simsiam (main_simsiam.py): `criterion = nn.CosineSimilarity(dim=1)` and
 * `loss = -(criterion(p1, z2).mean() + criterion(p2, z1).mean()) * 0.5`, where z is detached
 * (`z1.detach()` in simsiam/builder.py).
 *
 * One direction only, −mean cos(p, z): the symmetric loss is the average of both directions,
 * and the stop-gradient on z is the caller's (it is what prevents collapse; forgetting it is a
 * method bug, not a loss bug).
 */
import * as tf from '@tensorflow/tfjs-core';
import { checkMatrix, checkSameShape, l2Normalize } from './tensorUtil';

/**
 * @param p predictor outputs, [N, D] (raw: normalised inside)
 * @param z projections of the other view, [N, D]
 * @returns a scalar in [−1, 1], −mean over the batch of cos(p_i, z_i)
 */
export function simSiamLoss(p: tf.Tensor2D, z: tf.Tensor2D): tf.Scalar {
  checkMatrix('simSiamLoss', 'p', p);
  checkSameShape('simSiamLoss', 'p', p, 'z', z);
  return tf.tidy(() => tf.neg(tf.mean(tf.sum(tf.mul(l2Normalize(p), l2Normalize(z)), 1))) as tf.Scalar);
}
