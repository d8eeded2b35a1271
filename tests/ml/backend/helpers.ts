/** Shared helpers for backend tests: seeded data, running one function on a named backend. */
import * as tf from '@tensorflow/tfjs-core';
import { useBackend, type BackendName } from '../../../src-main/ml/backend';

/** Deterministic values in [-1, 1) (mulberry32). */
export function seeded(n: number, seed: number): Float32Array {
  let a = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  }
  return out;
}

/** max |a − b| / max |b|: the error relative to the reference's scale. */
export function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return scale === 0 ? diff : diff / scale;
}

/** Runs `fn` on `backend` and returns its outputs as plain arrays (tensors freed). */
export async function runOn(backend: BackendName, fn: () => tf.Tensor[]): Promise<Float32Array[]> {
  await useBackend(backend);
  const outs = tf.tidy(fn);
  const data = await Promise.all(outs.map((t) => t.data() as Promise<Float32Array>));
  tf.dispose(outs);
  return data.map((d) => Float32Array.from(d));
}
