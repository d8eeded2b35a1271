/**
 * A memory bank of one embedding per dataset image (Wu et al. 2018, "Unsupervised Feature
 * Learning via Non-Parametric Instance Discrimination", zhirongw/lemniscate.pytorch,
 * lib/NCEAverage.py): [N, D], initialised uniform in ±1/√(D/3) as there, and updated by index
 * with momentum m: v_i ← normalize(m·v_i + (1 − m)·f_i).
 */
import * as tf from '@tensorflow/tfjs-core';
import { l2Normalize } from '../losses';
import type { StatefulBlock } from './index';

export class MemoryBank implements StatefulBlock {
  readonly state: tf.Variable;

  constructor(
    readonly size: number,
    readonly dim: number,
    seed: number,
  ) {
    const stdv = 1 / Math.sqrt(dim / 3);
    this.state = tf.tidy(() => tf.variable(tf.randomUniform([size, dim], -stdv, stdv, 'float32', seed), false));
  }

  /** The bank's rows, [N, D] (the variable itself: do not dispose). */
  get rows(): tf.Tensor2D {
    return this.state as tf.Tensor as tf.Tensor2D;
  }

  /** The rows of `indices` (int32 [B]), [B, D]. */
  gather(indices: tf.Tensor1D): tf.Tensor2D {
    return tf.gather(this.state, indices) as tf.Tensor2D;
  }

  /**
   * Moves the rows of `indices` (int32 [B], distinct) towards `values` [B, D] with momentum m
   * and renormalises them; the other rows keep their exact values.
   */
  update(indices: tf.Tensor1D, values: tf.Tensor2D, momentum: number): void {
    if (!(momentum >= 0 && momentum <= 1)) throw new Error(`memory bank: momentum must be in [0, 1], got ${momentum}`);
    tf.tidy(() => {
      const old = tf.gather(this.state, indices) as tf.Tensor2D;
      const updated = l2Normalize(tf.add(tf.mul(old, momentum), tf.mul(values, 1 - momentum)));
      const at = tf.expandDims(indices, 1);
      // A 0/1 row mask keeps untouched rows bit for bit (bank·1 + 0) and replaces the others.
      const mask = tf.scatterND(at, tf.ones([indices.shape[0], 1]), [this.size, 1]);
      const placed = tf.scatterND(at, updated, [this.size, this.dim]);
      this.state.assign(tf.add(tf.mul(this.state, tf.sub(1, mask)), placed));
    });
  }
}
