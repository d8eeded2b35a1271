/**
 * Projection and prediction heads declared as block lists (lightly's style): each block is a
 * linear layer, optional batch norm and optional ReLU. Batch norm uses PyTorch's defaults
 * (momentum 0.1 ⇔ tf.layers momentum 0.9, eps 1e-5) so the papers' heads behave as in their code.
 * Linear layers start as PyTorch's nn.Linear does (torch/nn/modules/linear.py reset_parameters:
 * kaiming_uniform_ with a = √5, i.e. weights U(±1/√fan_in), and a bias U(±1/√fan_in)), which
 * solo-learn's heads (and the official SimCLR/MoCo/BYOL/SimSiam/Barlow/VICReg PyTorch code)
 * keep: varianceScaling(1/3, fanIn, uniform) has the same bound.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

export interface HeadBlock {
  out: number;
  batchNorm: boolean;
  relu: boolean;
  /** Learnable γ/β of the batch norm (SimSiam's last projector BN has none). */
  affine?: boolean;
  /** Learnable β (default true): SimCLR v2's last projection BN scales but does not shift. */
  center?: boolean;
  /** Linear bias; off when a batch norm follows (it would be cancelled). */
  bias?: boolean;
}

/** Variables of heads that exist in the graph but are never optimised. */
const frozen = new WeakSet<tf.Variable>();

export function mlpHead(name: string, inDim: number, blocks: HeadBlock[]): tfl.Sequential {
  const model = tfl.sequential({ name });
  blocks.forEach((b, i) => {
    const bound = 1 / Math.sqrt(i === 0 ? inDim : blocks[i - 1]!.out);
    model.add(
      tfl.layers.dense({
        units: b.out,
        useBias: b.bias ?? !b.batchNorm,
        kernelInitializer: tfl.initializers.varianceScaling({ scale: 1 / 3, mode: 'fanIn', distribution: 'uniform' }),
        biasInitializer: tfl.initializers.randomUniform({ minval: -bound, maxval: bound }),
        ...(i === 0 ? { inputShape: [inDim] } : {}),
      }),
    );
    if (b.batchNorm) {
      const bn = tfl.layers.batchNormalization({ momentum: 0.9, epsilon: 1e-5 });
      model.add(bn);
      // No affine parameters: γ = 1 and β = 0, never optimised. (tf.layers' own center/scale =
      // false reads the missing γ in training mode and throws; its per-weight trainable flag
      // is reset by the layers engine, so the frozen set is kept here.)
      if (b.affine === false) for (const w of bn.trainableWeights) frozen.add(w.read() as tf.Variable);
      else if (b.center === false) for (const w of bn.trainableWeights.filter((x) => x.name.endsWith('beta'))) frozen.add(w.read() as tf.Variable);
    }
    if (b.relu) model.add(tfl.layers.reLU());
  });
  return model;
}

/** Linear → ReLU → Linear (SimCLR; MoCo v2). With `bn`, a batch norm after the hidden layer. */
export const twoLayer = (hidden: number, out: number, bn = false): HeadBlock[] => [
  { out: hidden, batchNorm: bn, relu: true },
  { out, batchNorm: false, relu: false, bias: true },
];

/** Linear → BN → ReLU → Linear (BYOL projector and predictor; SimSiam predictor). */
export const bnTwoLayer = (hidden: number, out: number): HeadBlock[] => twoLayer(hidden, out, true);

/** Three linear layers with BN and ReLU between (Barlow Twins, VICReg). */
export const threeLayer = (hidden: number, out: number): HeadBlock[] => [
  { out: hidden, batchNorm: true, relu: true },
  { out: hidden, batchNorm: true, relu: true },
  { out, batchNorm: false, relu: false, bias: true },
];

/** SimSiam's projector: three layers, each with BN; the last BN has no affine parameters. */
export const simSiamProjector = (hidden: number, out: number): HeadBlock[] => [
  { out: hidden, batchNorm: true, relu: true },
  { out: hidden, batchNorm: true, relu: true },
  { out, batchNorm: true, relu: false, affine: false },
];

/**
 * SimCLR v2's projection head (google-research/simclr tf2/model.py, num_proj_layers 3): three
 * linear layers, each with BN and no bias; ReLU after the first two; the last BN without β.
 */
export const simclrV2Projector = (hidden: number, out: number): HeadBlock[] => [
  { out: hidden, batchNorm: true, relu: true },
  { out: hidden, batchNorm: true, relu: true },
  { out, batchNorm: true, relu: false, center: false },
];

/** Applies a head (or backbone) in training or inference mode. */
export function run(model: tfl.LayersModel, x: tf.Tensor, training: boolean): tf.Tensor2D {
  return model.apply(x, { training }) as tf.Tensor2D;
}

/**
 * Leaves `variables` out of trainableVariables for good (no gradient, no optimiser update, no
 * EMA): a layer's weight order, and so checkpoints and exports, stay as they were.
 */
export function freezeVariables(variables: readonly tf.Variable[]): void {
  for (const v of variables) frozen.add(v);
}

/** The tf.Variables a model's optimiser updates. */
export function trainableVariables(model: tfl.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable).filter((v) => !frozen.has(v));
}
