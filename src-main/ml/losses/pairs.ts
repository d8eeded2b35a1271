/**
 * The 2N-view similarity structure shared by the in-batch contrastive losses (NT-Xent's family:
 * DCL, HCL, FlatNCE): both views L2-normalised and stacked, anchor i's positive is the other
 * view of its image, its negatives the other 2N − 2 rows (self and positive excluded).
 * Meant to run inside a loss's tidy.
 */
import * as tf from '@tensorflow/tfjs-core';
import { l2Normalize } from './tensorUtil';

export interface ViewPairs {
  /** Cosine similarities of the 2N stacked views, [2N, 2N]. */
  sim: tf.Tensor2D;
  /** Cosine of each anchor with its positive, [2N]. */
  pos: tf.Tensor1D;
  /** 1 where column j is a negative of row i, else 0, [2N, 2N]. */
  negMask: tf.Tensor2D;
  /** Number of negatives per anchor, 2N − 2. */
  negatives: number;
}

export function viewPairs(z1: tf.Tensor2D, z2: tf.Tensor2D): ViewPairs {
  const n = z1.shape[0];
  const a = l2Normalize(z1);
  const b = l2Normalize(z2);
  const z = tf.concat([a, b], 0);
  const sim = tf.matMul(z, z, false, true);
  const p = tf.sum(tf.mul(a, b), 1);
  const eye = tf.eye(n);
  const zeros = tf.zeros([n, n]);
  const posMask = tf.concat([tf.concat([zeros, eye], 1), tf.concat([eye, zeros], 1)], 0);
  const negMask = tf.sub(tf.sub(1, tf.eye(2 * n)), posMask) as tf.Tensor2D;
  return { sim: sim as tf.Tensor2D, pos: tf.concat([p, p], 0) as tf.Tensor1D, negMask, negatives: 2 * n - 2 };
}
