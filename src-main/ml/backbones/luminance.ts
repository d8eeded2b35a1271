/**
 * The luminance input of an L-only encoder (EvaluationSpec.input 'luminance': what
 * colorization and CMC's L view need). The encoder is given what every Pretext encoder is
 * given, images normalised per channel with the train split's mean and std, and sees one
 * channel:
 *
 *   Y = Σ_c w_c · (x_c · std_c + mean_c)        (the pixel values back in [0, 1])
 *   L = 2 · Y − 1                               (in [−1, 1])
 *
 * with w the Rec. ITU-R BT.601 luma weights (0.299, 0.587, 0.114) on RGB, and w = (1) on a
 * grayscale image. Chosen over CIE L* (Zhang et al. 2016's colorization, richzhang/colorization
 * util.py; CMC, HobbitLong/CMC dataset.py RGB2Lab) because it is linear in the input, so the
 * tfjs and ONNX exports are one 1×1 convolution with no sRGB gamma or cube root; the scaling to
 * [−1, 1] is CMC's for L* ((L − 50) / 50), applied to Y ∈ [0, 1]. A deliberate difference from
 * those papers: Y is luma of the gamma-encoded pixels, not CIE lightness.
 *
 * `luminance(x, stats)` is the op (the trainer converts the views with it); `Luminance` is the
 * same as a tf.layers layer with the stats in its config (registered for serialisation), and
 * `luminanceAffine` gives its 1×1 kernel and bias (the exports).
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { LayerArgs } from '@tensorflow/tfjs-layers/dist/engine/topology';

/** Rec. 601 luma weights of R, G, B. */
export const REC601: readonly [number, number, number] = [0.299, 0.587, 0.114];

export interface LuminanceStats {
  mean: readonly number[];
  std: readonly number[];
}

/**
 * L = Σ kernel_c · x_c + bias on the normalised input: kernel_c = 2 · w_c · std_c and
 * bias = 2 · Σ w_c · mean_c − 1. Throws unless the stats are of 1 or 3 channels.
 */
export function luminanceAffine(stats: LuminanceStats): { kernel: number[]; bias: number } {
  const c = stats.mean.length;
  if ((c !== 1 && c !== 3) || stats.std.length !== c) {
    throw new Error(`luminance: channel statistics of 1 or 3 channels expected, got mean of ${c} and std of ${stats.std.length}`);
  }
  const w = c === 3 ? REC601 : [1];
  return {
    kernel: w.map((wc, i) => 2 * wc * stats.std[i]!),
    bias: 2 * w.reduce((s, wc, i) => s + wc * stats.mean[i]!, 0) - 1,
  };
}

/** Normalised images [B, H, W, C] → their luminance [B, H, W, 1] in [−1, 1]. */
export function luminance(x: tf.Tensor, stats: LuminanceStats): tf.Tensor4D {
  const { kernel, bias } = luminanceAffine(stats);
  const c = x.shape[3];
  if (c !== kernel.length) throw new Error(`luminance: images of ${c} channels, statistics of ${kernel.length}`);
  return tf.tidy(() => tf.add(tf.sum(tf.mul(x, tf.tensor1d(kernel)), 3, true), bias) as tf.Tensor4D);
}

/** The statistics of a serialised Luminance layer's config; `what` names it in the error. */
export function luminanceStatsOf(config: Record<string, unknown>, what: string): LuminanceStats {
  const nums = (v: unknown): v is number[] => Array.isArray(v) && v.every((x) => typeof x === 'number');
  const { mean, std } = config;
  if (!nums(mean) || !nums(std)) throw new Error(`${what}: a luminance layer's config needs numeric mean and std arrays`);
  return { mean, std };
}

export interface LuminanceArgs extends LayerArgs {
  mean: number[];
  std: number[];
}

export class Luminance extends tfl.layers.Layer {
  static className = 'PretextLuminance';
  readonly mean: number[];
  readonly std: number[];

  constructor(args: LuminanceArgs) {
    super(args);
    this.mean = [...args.mean];
    this.std = [...args.std];
    luminanceAffine(this); // checks the stats
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
    return [...s.slice(0, 3), 1];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return luminance(Array.isArray(inputs) ? inputs[0]! : inputs, this);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), mean: this.mean, std: this.std };
  }
}

tf.serialization.registerClass(Luminance);
