/**
 * Batch normalisation, optionally followed by a residual add and a ReLU, as one differentiable op
 * that keeps only its input and output for the backward pass. Called on [x, shortcut] it computes
 * relu(bn(x) + shortcut): the end of a ResNet BasicBlock.
 *
 * tf.layers.batchNormalization in training computes moments with recorded ops, so the tape holds
 * x − mean and its square as well (plus the normalised tensor for the following ReLU): five
 * activation-sized tensors per conv-BN-ReLU instead of two. ResNet-18 at 256 views of 32×32 then
 * needs more than the wasm backend's 4 GiB heap (the tape also keeps one gradient per recorded
 * tensor until backward ends, so every tensor not recorded saves twice). Same mathematics,
 * PyTorch semantics:
 * normalise with the biased batch variance, eps 1e-5; running statistics with momentum 0.1 and
 * the unbiased variance; the exact gradient through the batch statistics:
 *   dx = γ·rstd · (g − mean(g) − x̂·mean(g·x̂)),  dγ = Σ g·x̂,  dβ = Σ g   (g = dy·[out > 0] with ReLU)
 * Weights are named like tf.layers' (gamma, beta, moving_mean, moving_variance).
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { LayerArgs } from '@tensorflow/tfjs-layers/dist/engine/topology';
import type { LayerVariable } from '@tensorflow/tfjs-layers/dist/variables';

export interface BatchNormArgs extends LayerArgs {
  /** PyTorch momentum: running = (1 − m)·running + m·batch (default 0.1). */
  momentum?: number;
  epsilon?: number;
  /** Apply ReLU after the affine transform (fused, one saved tensor less). */
  relu?: boolean;
}

type Stats = { mean: tf.Tensor; variance: tf.Tensor };

/**
 * Training-mode op: y = act(γ·(x − μ)·rstd + β [+ residual]). `onStats` receives the batch mean
 * and biased variance (kept tensors). Saves x and y only.
 */
function bnTrain(
  x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, residual: tf.Tensor | null, eps: number, relu: boolean, onStats: (s: Stats) => void,
): tf.Tensor {
  const axes = [...Array(x.rank - 1).keys()];
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xi, g, b] = args as [tf.Tensor, tf.Tensor, tf.Tensor];
    const res = residual ? (args[3] as tf.Tensor) : null;
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const mean = tf.mean(xi, axes);
    const xc = tf.sub(xi, mean);
    const variance = tf.mean(tf.square(xc), axes);
    const rstd = tf.rsqrt(tf.add(variance, tf.scalar(eps)));
    let affine = tf.add(tf.mul(xc, tf.mul(rstd, g)), b);
    if (res) affine = tf.add(affine, res);
    const value = relu ? tf.relu(affine) : affine;
    onStats({ mean: tf.keep(tf.clone(mean)), variance: tf.keep(tf.clone(variance)) });
    save([xi, mean, rstd, g, value]);
    return {
      value,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) =>
        // Intermediates freed here: the tape would otherwise keep them to the end of backward.
        tf.tidy(() => {
          const [sx, smean, srstd, sgamma, sout] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
          const grad = relu ? tf.mul(dy as tf.Tensor, tf.step(sout)) : (dy as tf.Tensor);
          const n = sx.size / sx.shape[sx.rank - 1]!;
          const xhat = tf.mul(tf.sub(sx, smean), srstd);
          const dBeta = tf.sum(grad, axes);
          const dGamma = tf.sum(tf.mul(grad, xhat), axes);
          const centred = tf.sub(tf.sub(grad, tf.div(dBeta, n)), tf.mul(xhat, tf.div(dGamma, n)));
          const dx = tf.mul(centred, tf.mul(sgamma, srstd));
          return res ? [dx, dGamma, dBeta, relu ? grad : tf.clone(grad)] : [dx, dGamma, dBeta];
        }),
    };
  });
  return (residual ? op(x, gamma, beta, residual) : op(x, gamma, beta)) as tf.Tensor;
}

export class BatchNorm extends tfl.layers.Layer {
  static className = 'PretextBatchNorm';
  private readonly momentum: number;
  private readonly epsilon: number;
  private readonly relu: boolean;
  private gamma!: LayerVariable;
  private beta!: LayerVariable;
  private movingMean!: LayerVariable;
  private movingVariance!: LayerVariable;

  constructor(args: BatchNormArgs = {}) {
    super(args);
    this.momentum = args.momentum ?? 0.1;
    this.epsilon = args.epsilon ?? 1e-5;
    this.relu = args.relu ?? false;
    this.supportsMasking = true;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    return (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
    const c = shape[shape.length - 1];
    if (typeof c !== 'number') throw new Error(`${this.name}: the channel dimension must be known`);
    this.gamma = this.addWeight('gamma', [c], 'float32', tfl.initializers.ones());
    this.beta = this.addWeight('beta', [c], 'float32', tfl.initializers.zeros());
    this.movingMean = this.addWeight('moving_mean', [c], 'float32', tfl.initializers.zeros(), undefined, false);
    this.movingVariance = this.addWeight('moving_variance', [c], 'float32', tfl.initializers.ones(), undefined, false);
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    const residual = Array.isArray(inputs) && inputs.length > 1 ? inputs[1]! : null;
    if (!kwargs['training']) {
      return tf.tidy(() => {
        let y = tf.batchNorm(x, this.movingMean.read(), this.movingVariance.read(), this.beta.read(), this.gamma.read(), this.epsilon);
        if (residual) y = tf.add(y, residual);
        return this.relu ? tf.relu(y) : y;
      });
    }
    let stats: Stats | undefined;
    const y = bnTrain(x, this.gamma.read(), this.beta.read(), residual, this.epsilon, this.relu, (s) => (stats = s));
    if (stats) {
      const s = stats;
      const n = x.size / x.shape[x.rank - 1]!;
      tf.tidy(() => {
        const m = this.momentum;
        const unbiased = tf.mul(s.variance, n / Math.max(1, n - 1));
        this.movingMean.write(tf.add(tf.mul(this.movingMean.read(), 1 - m), tf.mul(s.mean, m)));
        this.movingVariance.write(tf.add(tf.mul(this.movingVariance.read(), 1 - m), tf.mul(unbiased, m)));
      });
      tf.dispose([s.mean, s.variance]);
    }
    return y;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), momentum: this.momentum, epsilon: this.epsilon, relu: this.relu };
  }
}

tf.serialization.registerClass(BatchNorm);
