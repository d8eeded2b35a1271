/**
 * Gradient of FusedBatchNorm (used by tf.layers.batchNormalization in training) with per-channel
 * broadcasting instead of tfjs-core's tiling of the inverse std to the full activation size.
 * Same formulas as tfjs-core (d/dx, d/dmean, d/dvariance, d/dscale, d/doffset), fewer full-size
 * temporaries: one (x − mean)·dy product and two per-channel sums shared by all outputs.
 * Backend-agnostic (plain ops), so cpu and wasm compute the same thing.
 */
import * as tf from '@tensorflow/tfjs-core';
import { backend_util, type GradConfig, type NamedAttrMap, type Tensor } from '@tensorflow/tfjs-core';

export const fusedBatchNormGradConfig: GradConfig = {
  kernelName: tf.FusedBatchNorm,
  inputsToSave: ['x', 'mean', 'variance', 'scale'],
  gradFunc: (dy: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap) => {
    const g = dy as Tensor;
    const eps = attrs['varianceEpsilon'] as number;
    const [x, mean, variance, scale] = saved as [Tensor, Tensor, Tensor, Tensor | undefined];
    const axes = backend_util.getReductionAxes(mean.shape, x.shape);
    const reduce = (t: Tensor) => (axes.length > 0 ? tf.sum(t, axes) : t);
    const rstd = tf.rsqrt(tf.add(variance, tf.scalar(eps)));
    const gain = scale ? tf.mul(rstd, scale) : rstd;
    // Shared by several outputs. Computed here, not lazily: the tape runs each closure below in
    // its own tidy, so a tensor memoised inside one would be gone for the next.
    const sumDy = reduce(g);
    const sumDyXc = reduce(tf.mul(g, tf.sub(x, mean)));
    const dySum = () => sumDy;
    const dyXcSum = () => sumDyXc;
    return {
      x: () => tf.reshape(tf.mul(g, gain), x.shape),
      mean: () => tf.reshape(tf.neg(tf.mul(dySum(), gain)), mean.shape),
      variance: () => {
        const r3 = tf.mul(tf.mul(tf.mul(rstd, rstd), rstd), tf.scalar(-0.5));
        const s = scale ? tf.mul(r3, scale) : r3;
        return tf.reshape(tf.mul(dyXcSum(), s), mean.shape);
      },
      scale: () => tf.reshape(tf.mul(dyXcSum(), rstd), mean.shape),
      offset: () => tf.reshape(dySum(), mean.shape),
    };
  },
};

let registered = false;

/** Installs the gradient above in place of tfjs-core's (global: affects every backend). */
export function registerBatchNormGradient(): void {
  if (registered) return;
  tf.registerGradient(fusedBatchNormGradConfig);
  registered = true;
}
