/**
 * Jigsaw permutation sets chosen by maximal Hamming distance (Noroozi & Favaro 2016, §3.2), as
 * the greedy algorithm of bbrattoli/JigsawPuzzlePytorch select_permutations.py (selection
 * 'max'): start from one permutation of the k! (in itertools.permutations' lexicographic
 * order), then repeatedly add the remaining permutation whose mean Hamming distance to the
 * chosen ones is largest (the first such in lexicographic order, as numpy's argmax).
 *
 * The official script draws the first permutation with np.random.randint; here it is drawn from
 * the run's seeded stream (Rng), so the set is fixed by (size, seed) and a run records those two.
 * build/scripts/jigsaw_permutations.py runs the official algorithm with a given first index; the
 * test checks both agree exactly.
 */
import { deriveSeed, Rng } from '../../core/rng';

/** All permutations of 0..k-1 in lexicographic order, k·k! entries (k ≤ 9: 3.3 MB). */
export function allPermutations(k: number): Uint8Array {
  if (!Number.isInteger(k) || k < 1 || k > 9) throw new Error(`permutations of ${k} items: k must be an integer in [1, 9]`);
  let count = 1;
  for (let i = 2; i <= k; i++) count *= i;
  const out = new Uint8Array(count * k);
  const p = Array.from({ length: k }, (_, i) => i);
  for (let r = 0; r < count; r++) {
    out.set(p, r * k);
    // Next permutation in lexicographic order.
    let i = k - 2;
    while (i >= 0 && p[i]! > p[i + 1]!) i--;
    if (i < 0) break;
    let j = k - 1;
    while (p[j]! < p[i]!) j--;
    [p[i], p[j]] = [p[j]!, p[i]!];
    for (let a = i + 1, b = k - 1; a < b; a++, b--) [p[a], p[b]] = [p[b]!, p[a]!];
  }
  return out;
}

/** The greedy maximal-mean-Hamming set of `size` permutations of k items, from permutation `first`. */
export function greedyPermutationSet(size: number, k: number, first: number): number[][] {
  const all = allPermutations(k);
  const n = all.length / k;
  if (!Number.isInteger(size) || size < 1 || size > n) throw new Error(`permutation set size must be an integer in [1, ${n}], got ${size}`);
  if (!Number.isInteger(first) || first < 0 || first >= n) throw new Error(`first permutation index must be in [0, ${n}), got ${first}`);
  // Summed Hamming distance of every permutation to the chosen ones; −1 marks a chosen one.
  const dist = new Int32Array(n);
  const chosen: number[] = [];
  let j = first;
  for (let c = 0; c < size; c++) {
    chosen.push(j);
    dist[j] = -1;
    const base = j * k;
    let best = -1;
    let bestD = -1;
    for (let r = 0; r < n; r++) {
      if (dist[r]! < 0) continue;
      const o = r * k;
      let d = 0;
      for (let t = 0; t < k; t++) if (all[o + t] !== all[base + t]) d++;
      const s = (dist[r] = dist[r]! + d);
      if (s > bestD) {
        bestD = s;
        best = r;
      }
    }
    j = best;
  }
  return chosen.map((r) => Array.from(all.subarray(r * k, (r + 1) * k)));
}

const cache = new Map<string, number[][]>();

/** The index of the first permutation for a seed: uniform over the k! permutations. */
export function firstPermutationIndex(seed: number, k: number): number {
  let n = 1;
  for (let i = 2; i <= k; i++) n *= i;
  return new Rng(deriveSeed(seed, 11)).int(0, n - 1);
}

/** The jigsaw permutation set of `size` permutations of k tiles for `seed` (cached). */
export function permutationSet(size: number, k: number, seed: number): number[][] {
  const key = `${size}/${k}/${seed}`;
  let set = cache.get(key);
  if (!set) {
    set = greedyPermutationSet(size, k, firstPermutationIndex(seed, k));
    cache.set(key, set);
  }
  return set;
}

/** Hamming distance between two permutations. */
export function hamming(a: readonly number[], b: readonly number[]): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) d++;
  return d;
}
