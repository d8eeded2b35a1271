/**
 * SimCLR's NT-Xent (normalised temperature-scaled cross-entropy) loss.
 *
 * Chen, Kornblith, Norouzi, Hinton, "A Simple Framework for Contrastive Learning of Visual
 * Representations", ICML 2020. Follows `add_contrastive_loss` in google-research/simclr
 * (tf2/objective.py): both views are L2-normalised, every one of the 2N embeddings is an anchor
 * whose positive is the other view of the same image and whose negatives are the other 2N − 2
 * embeddings; the self-similarity is removed by subtracting LARGE_NUM = 1e9 from the diagonal.
 *
 * loss = mean over the 2N anchors i of  −log( exp(s(i, pos(i))/τ) / Σ_{j≠i} exp(s(i, j)/τ) )
 *
 * (The official code sums the two per-view means; this is their average, the convention of
 * solo-learn and lightly, and what the reference fixture holds.)
 */
import * as tf from '@tensorflow/tfjs-core';
import { checkViewPair, l2Normalize } from './tensorUtil';

const LARGE_NUM = 1e9;

/**
 * @param z1 projections of the first views, [N, D] (raw: normalised inside)
 * @param z2 projections of the second views, [N, D]; row i is the positive of z1's row i
 * @param temperature τ > 0
 * @returns a scalar, the mean NT-Xent over the 2N anchors
 */
export function ntXentLoss(z1: tf.Tensor2D, z2: tf.Tensor2D, temperature: number): tf.Scalar {
  checkViewPair('ntXentLoss', z1, z2, temperature);
  return tf.tidy(() => {
    const n = z1.shape[0];
    const a = l2Normalize(z1);
    const b = l2Normalize(z2);
    const z = tf.concat([a, b], 0);
    // [2N, 2N] cosine similarities over τ, the diagonal pushed to −1e9 so exp() makes it 0.
    const logits = tf.sub(tf.div(tf.matMul(z, z, false, true), temperature), tf.mul(tf.eye(2 * n), LARGE_NUM));
    // The positive logit of anchor i (either view) is cos(a_i, b_i)/τ.
    const pos = tf.div(tf.sum(tf.mul(a, b), 1), temperature);
    const positives = tf.concat([pos, pos], 0);
    return tf.mean(tf.sub(tf.logSumExp(logits, 1), positives)) as tf.Scalar;
  });
}
