/**
 * Seeded weight initialisation. tf.layers initialisers without an explicit seed draw their
 * seed from Math.random (tfjs-core rand_util), so a model built inside `withSeed` gets the
 * same initial weights for the same seed, on every backend. Construction is synchronous, so
 * Math.random is restored before any other code runs.
 */
import { Rng } from '../augment';

export function withSeed<T>(seed: number, build: () => T): T {
  const original = Math.random;
  const rng = new Rng(seed);
  Math.random = () => rng.next();
  try {
    const out = build();
    if (out instanceof Promise) throw new Error('withSeed: the build function must be synchronous');
    return out;
  } finally {
    Math.random = original;
  }
}

/** A seeded permutation of `items`. */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  return new Rng(seed).permutation(items.length).map((i) => items[i]!);
}
