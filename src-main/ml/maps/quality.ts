/**
 * How faithful a 2-D map is to the embedding space.
 *
 * Trustworthiness (Venna & Kaski 2001; as sklearn.manifold.trustworthiness, Euclidean):
 *   T(k) = 1 − 2 / (n k (2n − 3k − 1)) · Σ_i Σ_{j ∈ U_i(k)} (r(i, j) − k)
 * where U_i(k) are the k nearest neighbours of i in the map that are not among its k nearest
 * in the input space, and r(i, j) is j's rank among i's input-space neighbours (1 = nearest).
 * 1 means no point gets false neighbours in the map. It is computed on a seeded subsample
 * (the subsample treated as the data set), so it costs O(m²·d) whatever n is.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../../core/rng';

/** Squared Euclidean distances between all rows of an m×d matrix (m×m, float64). */
export function pairwiseSq(x: Float32Array, m: number, d: number): Float64Array {
  const norms = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += x[i * d + j]! ** 2;
    norms[i] = s;
  }
  const out = new Float64Array(m * m);
  if (d <= 8) {
    for (let i = 0; i < m; i++) {
      for (let j = i + 1; j < m; j++) {
        let s = 0;
        for (let q = 0; q < d; q++) s += (x[i * d + q]! - x[j * d + q]!) ** 2;
        out[i * m + j] = s;
        out[j * m + i] = s;
      }
    }
    return out;
  }
  const dots = tf.tidy(() => {
    const t = tf.tensor2d(x, [m, d]);
    return tf.matMul(t, t, false, true);
  });
  const g = dots.dataSync() as Float32Array;
  dots.dispose();
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) out[i * m + j] = i === j ? 0 : Math.max(0, norms[i]! + norms[j]! - 2 * g[i * m + j]!);
  }
  return out;
}

/** Indices of the k smallest entries of row i (self excluded), nearest first, ties by index. */
function nearest(dist: Float64Array, m: number, i: number, k: number): Int32Array {
  const idx = new Int32Array(k);
  const val = new Float64Array(k).fill(Infinity);
  let size = 0;
  for (let j = 0; j < m; j++) {
    if (j === i) continue;
    const v = dist[i * m + j]!;
    if (size === k && v >= val[k - 1]!) continue;
    let p = size < k ? size++ : k - 1;
    while (p > 0 && val[p - 1]! > v) {
      val[p] = val[p - 1]!;
      idx[p] = idx[p - 1]!;
      p--;
    }
    val[p] = v;
    idx[p] = j;
  }
  return idx;
}

/**
 * Trustworthiness of `low` (m×dl) as a map of `high` (m×dh), all points. Ties in the input
 * space are ranked by index, as a stable argsort does.
 */
export function trustworthiness(high: Float32Array, low: Float32Array, m: number, dh: number, dl: number, k: number): number {
  if (k >= m / 2) throw new Error(`trustworthiness needs k < n/2 (k=${k}, n=${m})`);
  const dH = pairwiseSq(high, m, dh);
  const dL = pairwiseSq(low, m, dl);
  let penalty = 0;
  for (let i = 0; i < m; i++) {
    const highNN = new Set(nearest(dH, m, i, k));
    for (const j of nearest(dL, m, i, k)) {
      if (highNN.has(j)) continue;
      // Rank of j among i's input-space neighbours (stable: ties broken by index).
      const dij = dH[i * m + j]!;
      let rank = 1;
      for (let l = 0; l < m; l++) {
        if (l === i || l === j) continue;
        const dl2 = dH[i * m + l]!;
        if (dl2 < dij || (dl2 === dij && l < j)) rank++;
      }
      penalty += rank - k;
    }
  }
  return 1 - (2 / (m * k * (2 * m - 3 * k - 1))) * penalty;
}

/** A seeded subsample of row indices (all rows when n ≤ size), in ascending order. */
export function subsample(n: number, size: number, seed: number): Int32Array {
  if (n <= size) return Int32Array.from({ length: n }, (_, i) => i);
  const perm = new Rng(seed).permutation(n).slice(0, size);
  return Int32Array.from(perm.sort((a, b) => a - b));
}

export function gatherRows(x: Float32Array, d: number, rows: Int32Array): Float32Array {
  const out = new Float32Array(rows.length * d);
  for (let r = 0; r < rows.length; r++) out.set(x.subarray(rows[r]! * d, rows[r]! * d + d), r * d);
  return out;
}

/** Leave-one-out k-NN accuracy of the labels in the map (labels < 0 are skipped). */
export function knnAccuracy2d(coords: Float32Array, labels: Int32Array, m: number, k: number): number {
  const dist = pairwiseSq(coords, m, 2);
  let right = 0;
  let total = 0;
  for (let i = 0; i < m; i++) {
    if (labels[i]! < 0) continue;
    const votes = new Map<number, number>();
    for (const j of nearest(dist, m, i, k)) {
      const l = labels[j]!;
      if (l >= 0) votes.set(l, (votes.get(l) ?? 0) + 1);
    }
    let best = -1;
    let bestVotes = 0;
    for (const [l, v] of votes) if (v > bestVotes || (v === bestVotes && l < best)) [best, bestVotes] = [l, v];
    total++;
    if (best === labels[i]) right++;
  }
  return total > 0 ? right / total : Number.NaN;
}

export interface MapQuality {
  trustworthiness: number;
  k: number;
  /** Points the scores were computed on. */
  sample: number;
  /** Leave-one-out kNN label accuracy in the map (absent without labels). */
  knn2d?: number;
}

/** Trustworthiness (k = 10) and 2-D kNN accuracy on a seeded subsample of ≤ 2,000 points. */
export function mapQuality(
  high: Float32Array,
  coords: Float32Array,
  labels: Int32Array | null,
  n: number,
  d: number,
  opts: { k?: number; sample?: number; seed?: number } = {},
): MapQuality {
  const k = opts.k ?? 10;
  const rows = subsample(n, opts.sample ?? 2000, opts.seed ?? 0);
  const m = rows.length;
  const q: MapQuality = {
    trustworthiness: trustworthiness(gatherRows(high, d, rows), gatherRows(coords, 2, rows), m, d, 2, Math.min(k, Math.floor((m - 1) / 2))),
    k,
    sample: m,
  };
  if (labels && labels.some((l) => l >= 0)) {
    const sub = Int32Array.from(rows, (r) => labels[r]!);
    q.knn2d = knnAccuracy2d(gatherRows(coords, 2, rows), sub, m, k);
  }
  return q;
}
