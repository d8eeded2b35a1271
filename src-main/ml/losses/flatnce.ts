/**
 * FlatNCE: Chen, Zhang, Chen, Carin et al., "Simpler, Faster, Stronger: Breaking The log-K
 * Curse On Contrastive Learners With FlatNCE" (2021). Follows the official training step (a
 * SimCLR code base): with logits_ij = (s_ij − s_i⁺)/t over the 2N − 2 negatives of anchor i and
 * v_i = logsumexp_j logits_ij,
 *   loss = mean_i exp(v_i − sg(v_i)) − 1 + sg(InfoNCE)
 * whose value is the InfoNCE (NT-Xent) of the batch and whose gradient is that of mean_i v_i:
 * the positive no longer competes in the softmax, so the gradient does not vanish at small
 * batches. InfoNCE here is cross-entropy of [0, logits_i] against class 0 = softplus(v_i).
 */
import * as tf from '@tensorflow/tfjs-core';
import { viewPairs } from './pairs';
import { checkViewPair, stopGradient } from './tensorUtil';

const LARGE_NUM = 1e9;

/**
 * @param z1 projections of the first views, [N, D], N ≥ 2 (raw: normalised inside)
 * @param z2 projections of the second views, [N, D]
 * @param temperature t > 0
 */
export function flatNceLoss(z1: tf.Tensor2D, z2: tf.Tensor2D, temperature: number): tf.Scalar {
  checkViewPair('flatNceLoss', z1, z2, temperature);
  return tf.tidy(() => {
    const { sim, pos, negMask } = viewPairs(z1, z2);
    const logits = tf.div(tf.sub(sim, tf.expandDims(pos, 1)), temperature);
    // Non-negatives pushed to −1e9 drop out of the log-sum-exp.
    const v = tf.logSumExp(tf.sub(logits, tf.mul(tf.sub(1, negMask), LARGE_NUM)), 1);
    const flat = tf.sub(tf.mean(tf.exp(tf.sub(v, stopGradient(v)))), 1);
    const infoNce = tf.mean(tf.logSumExp(tf.stack([tf.zerosLike(v), v], 1), 1));
    return tf.add(flat, stopGradient(infoNce)) as tf.Scalar;
  });
}
