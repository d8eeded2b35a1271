/**
 * Seeded randomness for the augmentation pipelines.
 *
 * Every random parameter of a view (crop box, flip, jitter factors and order, blur sigma, ...)
 * is drawn on the JS side, in float64, from an sfc32 generator. Tensor ops only consume the
 * drawn parameters, so the same seed gives the same parameters on every backend (the pixels
 * then agree up to that backend's float32 rounding).
 *
 * Seed derivation: each image of each view has its own stream,
 *
 *   streamSeed = deriveSeed(seed, epoch, step, viewIndex, imageIndex)
 *
 * where `imageIndex` is the image's position in the batch. So a view of image i does not
 * depend on the batch's other images, and (seed, epoch, step, view, image) fixes it.
 */

const TWO_POW_32 = 4294967296;

/** murmur3's 32-bit finaliser: a bijective avalanche mix of a uint32. */
export function mix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Hashes a path of non-negative integers (each below 2^53) to a uint32 seed. Order matters:
 * deriveSeed(1, 2) ≠ deriveSeed(2, 1).
 */
export function deriveSeed(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const p of parts) {
    if (!Number.isSafeInteger(p) || p < 0) throw new Error(`seed parts must be non-negative integers, got ${p}`);
    const lo = p % TWO_POW_32;
    const hi = Math.floor(p / TWO_POW_32);
    h = mix32((h ^ lo) >>> 0);
    h = mix32((h + hi + 0x6a09e667) >>> 0);
  }
  return h;
}

/** sfc32 (Chris Doty-Humphrey's small fast counting generator), 128-bit state. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    this.a = 0x9e3779b9;
    this.b = 0x243f6a88;
    this.c = 0xb7e15162;
    this.d = seed >>> 0;
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1), 32 bits of resolution. */
  next(): number {
    return this.nextUint32() / TWO_POW_32;
  }

  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Uniform integer in [lo, hi], both ends included. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  /** True with probability p (p ≤ 0: never, p ≥ 1: always). */
  bernoulli(p: number): boolean {
    return this.next() < p;
  }

  /** A uniformly random permutation of 0..n-1 (Fisher–Yates). */
  permutation(n: number): number[] {
    const out = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(0, i);
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  }
}
