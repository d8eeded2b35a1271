/**
 * t-SNE input affinities from a kNN graph, as openTSNE's PerplexityBasedNN: a Gaussian over
 * each row's k neighbours (squared distances) whose bandwidth is found by binary search so the
 * row's perplexity matches the target, then P = (P_cond + P_condᵀ), normalised to sum 1,
 * as a symmetric sparse CSR matrix.
 */
import type { KnnGraph } from '../eval/knn';

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
  // Forward rows, sorted by column (insertion sort of k entries per row).
  const fCols = new Int32Array(n * k);
  const fVals = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    const o = i * k;
    for (let j = 0; j < k; j++) {
      const c = indices[o + j]!;
      const v = pc[o + j]!;
      let p = j;
      while (p > 0 && fCols[o + p - 1]! > c) {
        fCols[o + p] = fCols[o + p - 1]!;
        fVals[o + p] = fVals[o + p - 1]!;
        p--;
      }
      fCols[o + p] = c;
      fVals[o + p] = v;
    }
  }
  // Transposed rows: filled in ascending source row, so already sorted.
  const tPtr = new Int32Array(n + 1);
  for (let e = 0; e < n * k; e++) tPtr[indices[e]! + 1]! += 1;
  for (let i = 0; i < n; i++) tPtr[i + 1] = tPtr[i + 1]! + tPtr[i]!;
  const tFill = tPtr.slice(0, n);
  const tCols = new Int32Array(n * k);
  const tVals = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < k; j++) {
      const c = indices[i * k + j]!;
      const at = tFill[c]!++;
      tCols[at] = i;
      tVals[at] = pc[i * k + j]!;
    }
  }
  // Merge the two sorted lists of every row, adding entries present in both.
  const rowPtr = new Int32Array(n + 1);
  const cols = new Int32Array(2 * n * k);
  const vals = new Float64Array(2 * n * k);
  let w = 0;
  let total = 0;
  for (let i = 0; i < n; i++) {
    rowPtr[i] = w;
    let a = i * k;
    const aEnd = a + k;
    let b = tPtr[i]!;
    const bEnd = tPtr[i + 1]!;
    while (a < aEnd || b < bEnd) {
      const ca = a < aEnd ? fCols[a]! : n;
      const cb = b < bEnd ? tCols[b]! : n;
      let v: number;
      let c: number;
      if (ca === cb) {
        c = ca;
        v = fVals[a++]! + tVals[b++]!;
      } else if (ca < cb) {
        c = ca;
        v = fVals[a++]!;
      } else {
        c = cb;
        v = tVals[b++]!;
      }
      cols[w] = c;
      vals[w++] = v;
      total += v;
    }
  }
  rowPtr[n] = w;
  const outVals = vals.slice(0, w);
  for (let e = 0; e < w; e++) outVals[e] = outVals[e]! / total;
  return { n, rowPtr, cols: cols.slice(0, w), vals: outVals };
}

/**
 * A breadth-first ordering of P's graph (each component from a vertex of least degree, as
 * Cuthill–McKee): neighbours get nearby indices, so the optimiser's sweeps over P touch
 * nearby memory. Returns order[new] = old.
 */
export function bfsOrder(P: Csr): Int32Array {
  const { n, rowPtr, cols } = P;
  const order = new Int32Array(n);
  const seen = new Uint8Array(n);
  const byDegree = Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => rowPtr[a + 1]! - rowPtr[a]! - (rowPtr[b + 1]! - rowPtr[b]!) || a - b);
  let head = 0;
  let tail = 0;
  for (const start of byDegree) {
    if (seen[start]) continue;
    seen[start] = 1;
    order[tail++] = start;
    while (head < tail) {
      const v = order[head++]!;
      for (let e = rowPtr[v]!; e < rowPtr[v + 1]!; e++) {
        const u = cols[e]!;
        if (!seen[u]) {
          seen[u] = 1;
          order[tail++] = u;
        }
      }
    }
  }
  return order;
}

/** P with its vertices relabelled: new vertex r is old vertex order[r]. */
export function permute(P: Csr, order: Int32Array): Csr {
  const { n, rowPtr, cols, vals } = P;
  const inv = new Int32Array(n);
  for (let r = 0; r < n; r++) inv[order[r]!] = r;
  const ptr = new Int32Array(n + 1);
  for (let r = 0; r < n; r++) ptr[r + 1] = ptr[r]! + rowPtr[order[r]! + 1]! - rowPtr[order[r]!]!;
  const outCols = new Int32Array(cols.length);
  const outVals = new Float64Array(vals.length);
  for (let r = 0; r < n; r++) {
    const i = order[r]!;
    let w = ptr[r]!;
    for (let e = rowPtr[i]!; e < rowPtr[i + 1]!; e++) {
      outCols[w] = inv[cols[e]!]!;
      outVals[w++] = vals[e]!;
    }
  }
  return { n, rowPtr: ptr, cols: outCols, vals: outVals };
}
