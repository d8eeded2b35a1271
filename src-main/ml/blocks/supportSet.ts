/**
 * NNCLR's support set (Dwibedi et al. 2021; solo-learn methods/nnclr.py): a queue of past
 * projections, L2-normalised; each embedding's positive is its nearest neighbour (largest
 * cosine) in the set.
 */
import * as tf from '@tensorflow/tfjs-core';
import { l2Normalize } from '../losses';
import { Queue } from './queue';

export class SupportSet extends Queue {
  /** The nearest row of the set to each row of z [B, D], by cosine: [B, D], without gradient. */
  nearest(z: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      // The indices are read back and rebuilt: inside a gradient tape a gather whose indices
      // derive from z would ask for their (undefined) gradient.
      const found = tf.argMax(tf.matMul(l2Normalize(z), this.rows, false, true), 1);
      const idx = tf.tensor1d(found.dataSync() as Int32Array, 'int32');
      return tf.gather(this.rows, idx) as tf.Tensor2D;
    });
  }

  /** Enqueues the L2-normalised rows of z. */
  add(z: tf.Tensor2D): void {
    tf.tidy(() => this.push(l2Normalize(z)));
  }
}
