/**
 * t-SNE input affinities from a kNN graph, as openTSNE's PerplexityBasedNN: a Gaussian over
 * each row's k neighbours (squared distances) whose bandwidth is found by binary search so the
 * row's perplexity matches the target, then P = (P_cond + P_condᵀ), normalised to sum 1,
 * as a symmetric sparse CSR matrix.
 */
import type { KnnGraph } from './knn';

export interface Csr {
  n: number;
  rowPtr: Int32Array;
  cols: Int32Array;
  vals: Float64Array;
}

/** Row-wise conditional probabilities p_{j|i} (n×k, rows sum to 1). */
export function conditionalP(g: KnnGraph, perplexity: number): Float64Array {
  const { n, k, distances } = g;
  const target = Math.log(Math.min(perplexity, k));
  const p = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    const o = i * k;
    const dmin = distances[o]!;
    let beta = 1;
    let lo = 0;
    let hi = Infinity;
    for (let it = 0; it < 200; it++) {
      let sum = 0;
      let sumDP = 0;
      for (let j = 0; j < k; j++) {
        const dj = distances[o + j]! - dmin;
        const v = Math.exp(-dj * beta);
        p[o + j] = v;
        sum += v;
        sumDP += dj * v;
      }
      // Entropy (nats) of the normalised row: H = log(sum) + beta · E[d].
      const h = Math.log(sum) + (beta * sumDP) / sum;
      if (Math.abs(h - target) < 1e-5) break;
      if (h > target) {
        lo = beta;
        beta = hi === Infinity ? beta * 2 : 0.5 * (beta + hi);
      } else {
        hi = beta;
        beta = 0.5 * (beta + lo);
      }
    }
    let sum = 0;
    for (let j = 0; j < k; j++) sum += p[o + j]!;
    for (let j = 0; j < k; j++) p[o + j] = p[o + j]! / sum;
  }
  return p;
}

/** P = P_cond + P_condᵀ, normalised to sum 1, as CSR with sorted columns. */
export function symmetrise(g: KnnGraph, pc: Float64Array): Csr {
  const { n, k, indices } = g;
  const counts = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < k; j++) {
      counts[i + 1]! += 1;
      counts[indices[i * k + j]! + 1]! += 1;
    }
  }
  for (let i = 0; i < n; i++) counts[i + 1] = counts[i + 1]! + counts[i]!;
  const fill = counts.slice(0, n);
  const cols = new Int32Array(counts[n]!);
  const vals = new Float64Array(counts[n]!);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < k; j++) {
      const c = indices[i * k + j]!;
      const v = pc[i * k + j]!;
      cols[fill[i]!] = c;
      vals[fill[i]!++] = v;
      cols[fill[c]!] = i;
      vals[fill[c]!++] = v;
    }
  }
  // Sort each row by column and merge duplicates (i→j and j→i both present).
  const rowPtr = new Int32Array(n + 1);
  let w = 0;
  let total = 0;
  const order: number[] = [];
  for (let i = 0; i < n; i++) {
    const a = counts[i]!;
    const b = counts[i + 1]!;
    order.length = 0;
    for (let e = a; e < b; e++) order.push(e);
    order.sort((x, y) => cols[x]! - cols[y]!);
    const rowCols = order.map((e) => cols[e]!);
    const rowVals = order.map((e) => vals[e]!);
    rowPtr[i] = w;
    for (let e = 0; e < rowCols.length; e++) {
      if (e > 0 && rowCols[e] === rowCols[e - 1]) {
        vals[w - 1] = vals[w - 1]! + rowVals[e]!;
      } else {
        cols[w] = rowCols[e]!;
        vals[w++] = rowVals[e]!;
      }
      total += rowVals[e]!;
    }
  }
  rowPtr[n] = w;
  const outCols = cols.slice(0, w);
  const outVals = vals.slice(0, w);
  for (let e = 0; e < w; e++) outVals[e] = outVals[e]! / total;
  return { n, rowPtr, cols: outCols, vals: outVals };
}
