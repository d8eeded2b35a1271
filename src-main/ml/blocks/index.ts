/**
 * Reusable stateful blocks (lightly's MemoryBankModule, solo-learn's queues): each keeps its
 * state in one tf.Variable that a method hands to defineModel's `blocks`, so checkpoints save
 * and restore it under the block's name exactly like any buffer. Updates happen after the
 * optimiser's step (a method's afterStep), never inside the gradient tape.
 */
import type * as tf from '@tensorflow/tfjs-core';

export interface StatefulBlock {
  /** The whole state: what a checkpoint holds. */
  readonly state: tf.Variable;
}

export { Queue } from './queue';
export { MemoryBank } from './memoryBank';
export { SupportSet } from './supportSet';
export { ClusterMemory, seededDraw, sphericalKMeans } from './kmeans';
export { normalizePrototypes, prototypesHead, WeightNormDense } from './prototypes';
