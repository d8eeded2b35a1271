import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { run, trainableVariables } from '../heads/mlp';
import { copyWeights, emaUpdate } from '../train/ema';
import { deriveSeed } from '../../core/rng';
import type { Params, StepInput, TrainDefaults } from './types';

export function num(params: Params, key: string): number {
  const v = params[key];
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`option ${key} must be a number, got ${String(v)}`);
  return v;
}

export function positiveInt(params: Params, key: string): number {
  const v = num(params, key);
  if (!Number.isInteger(v) || v <= 0) throw new Error(`option ${key} must be a positive integer, got ${v}`);
  return v;
}

/** Backbone followed by heads, applied in training mode. */
export function forward(x: tf.Tensor, ...models: tfl.LayersModel[]): tf.Tensor2D {
  let h: tf.Tensor = x;
  for (const m of models) h = run(m, h, true);
  return h as tf.Tensor2D;
}

export function variablesOf(...models: tfl.LayersModel[]): tf.Variable[] {
  return models.flatMap(trainableVariables);
}

/**
 * An online network and its momentum copy (BYOL, MoCo): the copy starts equal and follows by
 * EMA of the trainable parameters; it runs in training mode (batch statistics), as in
 * solo-learn, but never gets gradients.
 */
export class MomentumPair {
  constructor(
    readonly online: tfl.LayersModel[],
    readonly target: tfl.LayersModel[],
  ) {
    copyWeights(variablesOf(...online), variablesOf(...target));
  }

  targetForward(x: tf.Tensor): tf.Tensor2D {
    return forward(x, ...this.target);
  }

  update(tau: number): void {
    emaUpdate(variablesOf(...this.online), variablesOf(...this.target), tau);
  }
}

export function disposeModels(...models: tfl.LayersModel[]): void {
  for (const m of models) m.dispose();
}

/** solo-learn's LARS settings (momentum 0.9, η 0.02, bias and norm excluded, 10 warm-up epochs, batch 256). */
export function larsDefaults(lr: number, weightDecay: number): TrainDefaults {
  return { optimizer: 'lars', lr, weightDecay, momentum: 0.9, batch: 256, warmupEpochs: 10, eta: 0.02, excludeBiasAndNorm: true };
}

/**
 * AdamW (batch 256, no warm-up), for methods whose official code uses torch.optim.Adam: Adam's
 * weight decay is an L2 term in the gradient, AdamW's is decoupled; at the 1e-6 of those
 * papers the two differ by far less than a step.
 */
export function adamDefaults(lr: number, weightDecay: number): TrainDefaults {
  return { optimizer: 'adamw', lr, weightDecay, momentum: 0.9, batch: 256, warmupEpochs: 0, eta: 0.02, excludeBiasAndNorm: false };
}

/** Plain SGD with momentum 0.9 (batch 256); LARS's η is unused. */
export function sgdDefaults(lr: number, weightDecay: number, warmupEpochs = 10): TrainDefaults {
  return { optimizer: 'sgd', lr, weightDecay, momentum: 0.9, batch: 256, warmupEpochs, eta: 0.02, excludeBiasAndNorm: false };
}

/**
 * A seed for something a method draws in a step (a permutation, a sample of negatives): fixed
 * by the run's seed, the step and `parts`, so a resumed run draws the same. Stream 7 keeps it
 * apart from the loop's data order (stream 1) and the views' seeds.
 */
export function stepSeed(input: Pick<StepInput, 'seedPath'>, ...parts: number[]): number {
  const { seed, epoch, step } = input.seedPath;
  return deriveSeed(seed, 7, epoch, step, ...parts);
}
