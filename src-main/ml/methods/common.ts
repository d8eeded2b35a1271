import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { run, trainableVariables } from '../heads/mlp';
import { copyWeights, emaUpdate } from '../train/ema';
import type { Params } from './types';

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
