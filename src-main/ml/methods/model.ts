/**
 * defineModel: a method declares its networks, stateful blocks and parameter groups once;
 * what trains, what a checkpoint holds, the optimiser's groups and what is disposed follow.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { StatefulBlock } from '../blocks';
import { disposeModels, variablesOf } from './common';
import type { ParamGroup, ParamGroupOptions, SslModel } from './types';

export interface ModelSpec {
  backbone: tfl.LayersModel;
  /** Networks the optimiser trains with the backbone, by stable (checkpoint) name, in a fixed order. */
  heads?: Record<string, tfl.LayersModel>;
  /** Networks that never get gradients (momentum copies), by stable name. */
  copies?: Record<string, tfl.LayersModel>;
  /** Non-network state, by stable (checkpoint) name. */
  buffers?: Record<string, tf.Variable>;
  /** Queues, memory banks, support sets (ml/blocks): checkpointed as buffers under their name. */
  blocks?: Record<string, StatefulBlock>;
  /** Optimiser settings of a trained network ('backbone' or a head's name) that differ from the run's. */
  groups?: Record<string, ParamGroupOptions>;
  /** False for the random-init baseline: nothing trains (default true). */
  trains?: boolean;
}

export type ModelBehaviour = Pick<SslModel, 'loss' | 'targets' | 'beforeApply' | 'afterStep' | 'onEpochStart'>;

/** An SslModel from its declared parts and its step behaviour (loss, targets, hooks). */
export function defineModel(spec: ModelSpec, behaviour: ModelBehaviour): SslModel {
  const trains = spec.trains ?? true;
  const trained: Record<string, tfl.LayersModel> = { backbone: spec.backbone, ...(spec.heads ?? {}) };
  const networks = { ...trained, ...(spec.copies ?? {}) };
  const buffers: Record<string, tf.Variable> = { ...(spec.buffers ?? {}) };
  for (const [name, block] of Object.entries(spec.blocks ?? {})) {
    if (name in buffers) throw new Error(`defineModel: buffer and block both named ${name}`);
    buffers[name] = block.state;
  }
  for (const name of Object.keys(spec.groups ?? {})) {
    if (!(name in trained)) throw new Error(`defineModel: parameter group ${name} names no trained network (${Object.keys(trained).join(', ')})`);
  }
  return {
    ...behaviour,
    backbone: spec.backbone,
    trains,
    trainable: () => (trains ? variablesOf(...Object.values(trained)) : []),
    paramGroups: (): ParamGroup[] =>
      trains ? Object.entries(spec.groups ?? {}).map(([name, o]) => ({ name, ...o, variables: variablesOf(trained[name]!) })) : [],
    networks: () => networks,
    buffers: () => buffers,
    dispose: () => {
      disposeModels(...Object.values(networks));
      tf.dispose(Object.values(buffers));
    },
  };
}
