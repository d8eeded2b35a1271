/**
 * Invariant and spreading instance features: Ye, Zhang, Yuen, Chang, "Unsupervised Embedding
 * Learning via Invariant and Spreading Instance Feature", CVPR 2019. Follows `BatchCriterion`
 * (negM = 1) in mangye16/Unsupervised_Embedding_Learning (lib/BatchAverage.py): x = the 2N
 * L2-normalised views, P_ij = exp(x_i·x_j/t) / Σ_{k≠i} exp(x_i·x_k/t); the loss is
 *   −(1/2N) [ Σ_i log P_i,pos(i) + Σ_i Σ_{j∉{i,pos(i)}} log(1 − P_ij) ]
 * As the official code, the right-hand operands of the inner products (`.data` there) carry no
 * gradient. Paper default t = 0.1.
 */
import * as tf from '@tensorflow/tfjs-core';
import { checkViewPair, l2Normalize, stopGradient } from './tensorUtil';

/**
 * @param z1 embeddings of the first views, [N, D] (raw: normalised inside)
 * @param z2 embeddings of the second views, [N, D]; row i is the positive of z1's row i
 * @param temperature t > 0 (0.1)
 */
export function invaSpreadLoss(z1: tf.Tensor2D, z2: tf.Tensor2D, temperature: number): tf.Scalar {
  checkViewPair('invaSpreadLoss', z1, z2, temperature, 1);
  return tf.tidy(() => {
    const n = z1.shape[0];
    const x = tf.concat([l2Normalize(z1), l2Normalize(z2)], 0);
    const xs = stopGradient(x);
    const reordered = tf.concat([tf.slice(xs, [n, 0], [n, -1]), tf.slice(xs, [0, 0], [n, -1])], 0);
    const pos = tf.exp(tf.div(tf.sum(tf.mul(x, reordered), 1), temperature));
    const all = tf.mul(tf.exp(tf.div(tf.matMul(x, xs, false, true), temperature)), tf.sub(1, tf.eye(2 * n)));
    const div = tf.sum(all, 1);
    const pPos = tf.div(pos, div);
    // Σ_j log(1 − P_ij) over all j (the diagonal gives log 1 = 0), minus the positive's term.
    const lnPon = tf.sub(tf.sum(tf.log1p(tf.neg(tf.div(all, tf.expandDims(div, 1)))), 1), tf.log1p(tf.neg(pPos)));
    return tf.div(tf.neg(tf.add(tf.sum(tf.log(pPos)), tf.sum(lnPon))), 2 * n) as tf.Scalar;
  });
}
