/**
 * NNCLR's loss: InfoNCE with each image's nearest neighbour in the support set as the anchor.
 *
 * Dwibedi, Aytar, Tompson, Sermanet, Zisserman, "With a Little Help from My Friends: Nearest-
 * Neighbor Contrastive Learning of Visual Representations", ICCV 2021. Follows
 * `nnclr_loss_func` in solo-learn (solo/losses/nnclr.py), for one process:
 *   logits = normalize(nn) · normalize(p)ᵀ / τ,  loss = cross-entropy(logits, arange(N))
 * The neighbours come from the support set and carry no gradient in training (the caller's).
 */
import * as tf from '@tensorflow/tfjs-core';
import { checkMatrix, checkPositive, checkSameShape, l2Normalize } from './tensorUtil';

/**
 * @param nn nearest neighbours of one view's projections, [N, D] (raw: normalised inside)
 * @param p predictions of the other view, [N, D]
 * @param temperature τ > 0 (0.2 in solo-learn's CIFAR config)
 */
export function nnclrLoss(nn: tf.Tensor2D, p: tf.Tensor2D, temperature: number): tf.Scalar {
  checkMatrix('nnclrLoss', 'nn', nn);
  checkSameShape('nnclrLoss', 'nn', nn, 'p', p);
  checkPositive('nnclrLoss', 'temperature', temperature);
  return tf.tidy(() => {
    const a = l2Normalize(nn);
    const b = l2Normalize(p);
    const logits = tf.div(tf.matMul(a, b, false, true), temperature);
    const diag = tf.div(tf.sum(tf.mul(a, b), 1), temperature);
    return tf.mean(tf.sub(tf.logSumExp(logits, 1), diag)) as tf.Scalar;
  });
}
