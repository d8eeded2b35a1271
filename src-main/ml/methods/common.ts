import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { run, trainableVariables } from '../heads/mlp';
import { copyWeights, emaUpdate } from '../train/ema';
import type { Params, SslModel, TrainDefaults } from './types';

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

/** Plain SGD with momentum 0.9 (batch 256); LARS's η is unused. */
export function sgdDefaults(lr: number, weightDecay: number, warmupEpochs = 10): TrainDefaults {
  return { optimizer: 'sgd', lr, weightDecay, momentum: 0.9, batch: 256, warmupEpochs, eta: 0.02, excludeBiasAndNorm: false };
}

/** A method's networks, each declared once: what trains, what a checkpoint holds and what is disposed follow from it. */
export interface ModelParts {
  backbone: tfl.LayersModel;
  /** Networks the optimiser trains with the backbone, by stable (checkpoint) name, in a fixed order. */
  heads?: Record<string, tfl.LayersModel>;
  /** Networks that never get gradients (momentum copies), by stable name. */
  copies?: Record<string, tfl.LayersModel>;
  /** Non-network state (MoCo's queues), by stable name. */
  buffers?: Record<string, tf.Variable>;
  /** False for the random-init baseline: nothing trains (default true). */
  trains?: boolean;
}

/** An SslModel from its parts and its step behaviour (loss, targets, afterStep). */
export function sslModel(parts: ModelParts, behaviour: Pick<SslModel, 'loss' | 'targets' | 'afterStep'>): SslModel {
  const trains = parts.trains ?? true;
  const heads = parts.heads ?? {};
  const networks = { backbone: parts.backbone, ...heads, ...(parts.copies ?? {}) };
  const buffers = parts.buffers ?? {};
  return {
    ...behaviour,
    backbone: parts.backbone,
    trains,
    trainable: () => (trains ? variablesOf(parts.backbone, ...Object.values(heads)) : []),
    networks: () => networks,
    buffers: () => buffers,
    dispose: () => {
      disposeModels(...Object.values(networks));
      tf.dispose(Object.values(buffers));
    },
  };
}
