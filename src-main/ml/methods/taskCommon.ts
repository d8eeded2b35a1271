/**
 * What the pretext-task methods (rotation, jigsaw, context) share: the task targets of their
 * one view, a classifier head, and the cross-entropy with accuracy as a metric.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { mlpHead, type HeadBlock } from '../heads/mlp';
import type { StepInput } from './types';
import type { ViewSpec } from '../augment';

/** The int32 targets of view `v`'s task; throws when the step carries none. */
export function targetsOf(input: StepInput, method: string, v = 0): tf.Tensor1D {
  const t = input.taskTargets?.[v];
  if (!t) throw new Error(`${method}: view ${v} has no task targets (its views must have a task; preset 'method')`);
  return t;
}

/** The task view `v` of the step's specs, checked to be of `kind`. */
export function taskSpecOf(specs: readonly ViewSpec[], method: string, kind: string, v = 0): NonNullable<ViewSpec['task']> {
  const t = specs[v]?.task;
  if (!t || t.kind !== kind) throw new Error(`${method}: view ${v} must have a ${kind} task, got ${t ? t.kind : 'none'}`);
  return t;
}

/** A classifier head: optional hidden Linear → ReLU, then Linear to `classes` logits. */
export function classifierHead(name: string, inDim: number, hidden: number, classes: number): tfl.Sequential {
  const blocks: HeadBlock[] = hidden > 0 ? [{ out: hidden, batchNorm: false, relu: true }] : [];
  blocks.push({ out: classes, batchNorm: false, relu: false });
  return mlpHead(name, inDim, blocks);
}

/** Softmax cross-entropy of logits against int32 targets, with the batch accuracy as `acc`. */
export function classification(logits: tf.Tensor2D, targets: tf.Tensor1D): { loss: tf.Scalar; metrics: Record<string, tf.Scalar> } {
  const classes = logits.shape[1];
  const loss = tf.losses.softmaxCrossEntropy(tf.oneHot(targets, classes), logits) as tf.Scalar;
  const acc = tf.mean(tf.cast(tf.equal(tf.argMax(logits, 1), targets), 'float32')) as tf.Scalar;
  return { loss, metrics: { acc } };
}

/** Per-row, per-channel standardisation of pieces (bbrattoli's per-tile normalisation). */
export function standardizePieces(x: tf.Tensor4D): tf.Tensor4D {
  const { mean, variance } = tf.moments(x, [1, 2], true);
  return tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5)));
}
