/**
 * Exponential moving average of weights: target ← τ·target + (1 − τ)·online, for the momentum
 * encoders of BYOL and MoCo (and DINO's teacher). Like solo-learn's MomentumUpdater it averages
 * the trainable parameters only; each network keeps its own batch-norm running statistics.
 */
import * as tf from '@tensorflow/tfjs-core';

export function emaUpdate(online: tf.Variable[], target: tf.Variable[], tau: number): void {
  if (online.length !== target.length) {
    throw new Error(`ema: online has ${online.length} variables, target ${target.length}`);
  }
  tf.tidy(() => {
    online.forEach((o, i) => {
      const t = target[i]!;
      if (!tf.util.arraysEqual(o.shape, t.shape)) {
        throw new Error(`ema: shape mismatch for ${o.name} [${o.shape}] vs ${t.name} [${t.shape}]`);
      }
      t.assign(tf.add(tf.mul(t, tau), tf.mul(o, 1 - tau)));
    });
  });
}

/** Copies online into target (the target's initialisation). */
export function copyWeights(online: tf.Variable[], target: tf.Variable[]): void {
  emaUpdate(online, target, 0);
}
