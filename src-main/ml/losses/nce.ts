/**
 * Noise-contrastive estimation for non-parametric instance discrimination.
 *
 * Wu, Xiong, Yu, Lin, "Unsupervised Feature Learning via Non-Parametric Instance
 * Discrimination", CVPR 2018. Follows `NCECriterion` in zhirongw/lemniscate.pytorch
 * (lib/NCECriterion.py): row i of `out` holds P(i | v) for its own memory entry (column 0) and
 * K noise entries, the noise distribution uniform, P_n = 1/n:
 *   loss = −(1/B) Σ_i [ log(P_i0 / (P_i0 + K·P_n + ε)) + Σ_{j≥1} log(K·P_n / (P_ij + K·P_n + ε)) ]
 * with ε = 1e-7 as there.
 */
import * as tf from '@tensorflow/tfjs-core';
import { checkMatrix } from './tensorUtil';

const EPS = 1e-7;

/**
 * @param out non-parametric softmax probabilities exp(v·w/τ)/Z, [B, K + 1], the positive first
 * @param numData n, the number of memory entries (the noise distribution's support)
 */
export function nceLoss(out: tf.Tensor2D, numData: number): tf.Scalar {
  checkMatrix('nceLoss', 'out', out);
  if (out.shape[1] < 2) throw new Error(`nceLoss: out needs a positive and at least one noise column, got ${out.shape[1]}`);
  if (!Number.isInteger(numData) || numData < 1) throw new Error(`nceLoss: numData must be a positive integer, got ${numData}`);
  return tf.tidy(() => {
    const [b, cols] = out.shape;
    const kPn = (cols - 1) / numData;
    const pos = tf.slice(out, [0, 0], [b, 1]);
    const noise = tf.slice(out, [0, 1], [b, cols - 1]);
    const lnPmt = tf.log(tf.div(pos, tf.add(pos, kPn + EPS)));
    const lnPon = tf.log(tf.div(kPn, tf.add(noise, kPn + EPS)));
    return tf.div(tf.neg(tf.add(tf.sum(lnPmt), tf.sum(lnPon))), b) as tf.Scalar;
  });
}
