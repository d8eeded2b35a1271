import type { Split } from '../../core/types';

/** mulberry32: a small, fast, seeded PRNG (uniform in [0, 1)). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher–Yates shuffle in place with the given PRNG. */
export function shuffle<T>(items: T[], rand: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

export const SPLIT_SEED = 0;
export const TEST_FRACTION = 0.2;

/**
 * Seeded stratified split: within each stratum (class; unlabelled items form one) the items
 * are shuffled with a PRNG seeded by `seed` and round(n × testFraction) go to test, the rest
 * to train. Deterministic for the same labels, order and seed. Returns one split per item.
 */
export function stratifiedSplit(labels: (number | null)[], testFraction = TEST_FRACTION, seed = SPLIT_SEED): Split[] {
  const out: Split[] = labels.map(() => 'train');
  const strata = new Map<number | null, number[]>();
  labels.forEach((l, i) => {
    const s = strata.get(l);
    if (s) s.push(i);
    else strata.set(l, [i]);
  });
  const rand = mulberry32(seed);
  const keys = [...strata.keys()].sort((a, b) => (a ?? -1) - (b ?? -1));
  for (const k of keys) {
    const idx = shuffle(strata.get(k)!, rand);
    const nTest = Math.round(idx.length * testFraction);
    for (let i = 0; i < nTest; i++) out[idx[i]!] = 'test';
  }
  return out;
}
