/** Small helpers for the loss tests: seeded data, scalar reads, leak checks. */
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';

/** Seeded standard-normal [rows, cols] float32 matrix. */
export function randn(rows: number, cols: number, seed: number): tf.Tensor2D {
  return tf.randomNormal([rows, cols], 0, 1, 'float32', seed);
}

/** Runs `f` (which builds and returns a scalar), reads it and disposes it. */
export function scalar(f: () => tf.Tensor): number {
  const t = f();
  const v = t.dataSync()[0];
  t.dispose();
  return v;
}

/** Asserts `f` leaves no tensor behind once its result (if any) is disposed. */
export function expectNoLeak(f: () => tf.Tensor | tf.Tensor[] | void): void {
  const before = tf.memory().numTensors;
  const out = f();
  if (out) tf.dispose(out);
  expect(tf.memory().numTensors).toBe(before);
}

/** |a − b| ≤ rel·|b| + abs. */
export function expectClose(a: number, b: number, rel = 1e-5, abs = 1e-6): void {
  expect(Math.abs(a - b), `${a} vs ${b}`).toBeLessThanOrEqual(rel * Math.abs(b) + abs);
}

/** Rows of `x` reordered by `perm` (a plain gather, as a new tensor). */
export function permuteRows(x: tf.Tensor2D, perm: number[]): tf.Tensor2D {
  return tf.tidy(() => tf.gather(x, tf.tensor1d(perm, 'int32')) as tf.Tensor2D);
}

/** A random permutation of 0..n−1 from a seeded LCG (deterministic across runs). */
export function permutation(n: number, seed: number): number[] {
  const p = Array.from({ length: n }, (_, i) => i);
  let s = seed >>> 0;
  for (let i = n - 1; i > 0; i--) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const j = s % (i + 1);
    [p[i], p[j]] = [p[j], p[i]];
  }
  return p;
}
