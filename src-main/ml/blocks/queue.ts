/**
 * A queue of the last K embeddings (MoCo's queue of keys, He et al. 2020,
 * facebookresearch/moco): [K, D], newest rows first. As the official code it starts as K
 * random unit vectors (a seeded normal draw, L2-normalised).
 */
import * as tf from '@tensorflow/tfjs-core';
import { l2Normalize } from '../losses';
import type { StatefulBlock } from './index';

export class Queue implements StatefulBlock {
  readonly state: tf.Variable;

  constructor(
    readonly size: number,
    readonly dim: number,
    seed: number,
  ) {
    this.state = tf.tidy(() => tf.variable(l2Normalize(tf.randomNormal([size, dim], 0, 1, 'float32', seed)), false));
  }

  /** The queue's rows, [K, D] (the variable itself: do not dispose). */
  get rows(): tf.Tensor2D {
    return this.state as tf.Tensor as tf.Tensor2D;
  }

  /** Enqueues a batch [B, D] (B ≤ K) in front and drops the B oldest rows. */
  push(rows: tf.Tensor2D): void {
    const b = rows.shape[0];
    if (b > this.size) throw new Error(`queue: a batch of ${b} does not fit a queue of ${this.size}`);
    tf.tidy(() => {
      this.state.assign(tf.concat([rows, tf.slice(this.state, [0, 0], [this.size - b, this.dim])], 0));
    });
  }
}
