/**
 * Prototype layers, as trained head networks (defineModel's `heads`: optimised, checkpointed
 * and EMA-copied like any head):
 * - prototypesHead + normalizePrototypes: SwAV's prototypes (facebookresearch/swav
 *   src/resnet50.py `prototypes = nn.Linear(output_dim, nmb_prototypes, bias=False)`), whose
 *   K columns main_swav.py L2-normalises before every step (`w = F.normalize(w, dim=1, p=2)`
 *   on the [K, D] weight; our kernel is its transpose, [D, K], normalised over axis 0).
 * - WeightNormDense: DINO's last layer (facebookresearch/dino vision_transformer.py DINOHead:
 *   `x = F.normalize(x)` then `weight_norm(nn.Linear(bottleneck, out_dim, bias=False))`,
 *   weight_g filled with 1 and frozen when norm_last_layer): y = normalize(x) · (v/‖v‖) · g, the
 *   norm of each output's weight column; g is a trained [K] gain unless `normalized`.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { LayerArgs } from '@tensorflow/tfjs-layers/dist/engine/topology';
import type { LayerVariable } from '@tensorflow/tfjs-layers/dist/variables';
import { mlpHead, trainableVariables } from '../heads/mlp';
import { l2Normalize } from '../losses';

/** K prototypes of dimension `dim`: a bias-free linear layer, scores = z · C ([B, K]). */
export function prototypesHead(name: string, dim: number, k: number): tfl.LayersModel {
  return mlpHead(name, dim, [{ out: k, batchNorm: false, relu: false, bias: false }]);
}

/** L2-normalises every prototype (kernel column) in place; outside any gradient tape. */
export function normalizePrototypes(head: tfl.LayersModel): void {
  const [kernel] = trainableVariables(head);
  if (!kernel || kernel.rank !== 2) throw new Error(`normalizePrototypes: ${head.name} has no [D, K] kernel`);
  tf.tidy(() => kernel.assign(tf.div(kernel, tf.maximum(tf.norm(kernel, 'euclidean', 0, true), 1e-12))));
}

export interface WeightNormDenseArgs extends LayerArgs {
  units: number;
  /** DINO's norm_last_layer: the gain stays 1 (no g variable). */
  normalized: boolean;
}

export class WeightNormDense extends tfl.layers.Layer {
  static className = 'PretextWeightNormDense';
  private readonly units: number;
  private readonly normalized: boolean;
  private v!: LayerVariable;
  private g: LayerVariable | null = null;

  constructor(args: WeightNormDenseArgs) {
    super(args);
    if (!Number.isInteger(args.units) || args.units < 1) throw new Error(`WeightNormDense: units must be a positive integer, got ${args.units}`);
    this.units = args.units;
    this.normalized = args.normalized;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
    return [...s.slice(0, -1), this.units];
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
    const d = s[s.length - 1];
    if (typeof d !== 'number') throw new Error(`${this.name}: the input dimension must be known`);
    // nn.Linear's default init, U(±1/√d) (kaiming_uniform with a = √5); only its direction matters.
    const bound = 1 / Math.sqrt(d);
    this.v = this.addWeight('kernel', [d, this.units], 'float32', tfl.initializers.randomUniform({ minval: -bound, maxval: bound }));
    if (!this.normalized) this.g = this.addWeight('gain', [this.units], 'float32', tfl.initializers.ones());
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    return tf.tidy(() => {
      const v = this.v.read();
      const w = tf.div(v, tf.norm(v, 'euclidean', 0, true));
      const y = tf.matMul(l2Normalize(x as tf.Tensor2D), w);
      return this.g ? tf.mul(y, this.g.read()) : y;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), units: this.units, normalized: this.normalized };
  }
}

tf.serialization.registerClass(WeightNormDense);
