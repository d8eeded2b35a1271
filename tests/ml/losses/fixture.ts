/**
 * Loaders for /work/shared/fixtures/ssl-reference.json ({generator, cases: [{fn, args,
 * expected}]}) and for numpy-reference.json (gradients and extra cases, made by
 * numpy_reference.py). args is an object whose keys are in positional order; numbers stay
 * numbers, nested arrays become float32 tensors, except knnPredict's trainLabels (int32).
 */
import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import * as losses from '../../../src-main/ml/losses';

export type Json = number | Json[];
export interface ReferenceCase {
  fn: string;
  args: Record<string, Json>;
  expected: Json;
}

export const FIXTURE_PATH = fileURLToPath(new URL('../../../../shared/fixtures/ssl-reference.json', import.meta.url));

export function loadReference(): { generator: string; cases: ReferenceCase[] } {
  return JSON.parse(readFileSync(FIXTURE_PATH, 'utf8')) as { generator: string; cases: ReferenceCase[] };
}

/** Float64 gradients of one case (by index into ssl-reference.json, or an extra case). */
export interface GradientCase {
  fn: string;
  caseIndex?: number;
  grads: Record<string, Json>;
}
export type ExtraCase = ReferenceCase & GradientCase;

export function loadNumpyReference(): { cases: GradientCase[]; extraCases: ExtraCase[] } {
  return JSON.parse(readFileSync(new URL('./numpy-reference.json', import.meta.url), 'utf8')) as {
    cases: GradientCase[];
    extraCases: ExtraCase[];
  };
}

/** The case's arguments in positional order, arrays as tensors (the caller disposes them). */
export function toArgs(c: ReferenceCase): (number | tf.Tensor)[] {
  return Object.entries(c.args).map(([name, v]) => {
    if (typeof v === 'number') return v;
    const dtype = name === 'trainLabels' ? 'int32' : 'float32';
    return tf.tensor(v as number[] | number[][], undefined, dtype);
  });
}

/** Flattens a nested numeric array. */
export function flatten(v: Json): number[] {
  return Array.isArray(v) ? v.flatMap(flatten) : [v];
}

/** Shape of a nested numeric array ([] for a number). */
export function shapeOf(v: Json): number[] {
  return Array.isArray(v) ? [v.length, ...(v.length ? shapeOf(v[0]) : [])] : [];
}

/**
 * Runs a case's loss (looked up by name in src-main/ml/losses) on its arguments, checking that
 * it is exported and leaves only its result; the caller disposes `out` and the tensor `args`.
 */
export function callCase(c: ReferenceCase): { args: (number | tf.Tensor)[]; out: tf.Tensor; before: number } {
  const fn = (losses as unknown as Record<string, (...a: (number | tf.Tensor)[]) => tf.Tensor>)[c.fn];
  expect(fn, `${c.fn} is exported from src-main/ml/losses`).toBeTypeOf('function');
  const args = toArgs(c);
  const before = tf.memory().numTensors;
  const out = fn!(...args);
  expect(tf.memory().numTensors, 'only the result is left').toBe(before + 1);
  return { args, out, before };
}

/**
 * The largest |actual − expected| as a fraction of its tolerance rel·|expected| + abs (rel·max|expected|
 * + abs with scaleByMax, for gradients): ≤ 1 passes.
 */
export function worstFraction(actual: ArrayLike<number>, expected: number[], rel: number, abs: number, scaleByMax: boolean): number {
  const scale = expected.reduce((m, e) => Math.max(m, Math.abs(e)), 0);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const tol = rel * (scaleByMax ? scale : Math.abs(expected[i]!)) + abs;
    worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!) / tol);
  }
  return worst;
}
