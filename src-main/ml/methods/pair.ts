/**
 * The shape most contrastive methods share: one backbone and one projector applied to the two
 * views, and a loss of the two projections (SimCLR's family: DCL, HCL, FlatNCE, Wang & Isola,
 * Ye et al., SimCLR v2). A method of that shape is its head, its loss and its defaults.
 */
import type { HeadBlock } from '../heads/mlp';
import { mlpHead } from '../heads/mlp';
import { forward } from './common';
import { defineModel } from './model';
import type { BackboneFactory, LossOutput, SslModel } from './types';
import type * as tf from '@tensorflow/tfjs-core';

export function projectedPair(
  name: string,
  makeBackbone: BackboneFactory,
  featureDim: number,
  head: HeadBlock[],
  loss: (z1: tf.Tensor2D, z2: tf.Tensor2D) => LossOutput,
): SslModel {
  const backbone = makeBackbone();
  const projector = mlpHead(`${name}-projector`, featureDim, head);
  return defineModel(
    { backbone, heads: { projector } },
    { loss: ({ views }) => loss(forward(views[0]!, backbone, projector), forward(views[1]!, backbone, projector)) },
  );
}

/** A single linear layer to `out` (the instance-discrimination papers' embedding heads). */
export const linearHead = (out: number): HeadBlock[] => [{ out, batchNorm: false, relu: false, bias: true }];

/** Throws unless params[key] is a number > 0 (temperatures). */
export function checkTemperature(value: number, key = 'temperature'): void {
  if (!(value > 0)) throw new Error(`option ${key} must be > 0`);
}
