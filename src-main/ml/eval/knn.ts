/**
 * Exact k nearest neighbours (squared Euclidean) of every row among the rows of the same
 * matrix, self excluded: blocks of dot products on the active tfjs backend, then a bounded
 * max-heap per row on the JS side. Used by t-SNE's affinities and by UMAP (precomputed kNN).
 */
import * as tf from '@tensorflow/tfjs-core';
import { CancelledError } from '../../core/errors';

export interface KnnGraph {
  n: number;
  k: number;
  /** n×k neighbour indices, nearest first. */
  indices: Int32Array;
  /** n×k squared Euclidean distances, ascending. */
  distances: Float64Array;
}

export interface KnnCtl {
  signal?: AbortSignal;
  onBlock?: (rowsDone: number) => void;
}

/** Rows of queries per matMul block (block × n floats must stay modest: 1024 × 60k = 240 MB). */
function blockRows(n: number): number {
  return Math.max(64, Math.min(2048, Math.floor(16_000_000 / n)));
}

export async function exactKnn(x: Float32Array, n: number, d: number, k: number, ctl: KnnCtl = {}): Promise<KnnGraph> {
  if (k >= n) throw new Error(`kNN needs k < n (k=${k}, n=${n})`);
  const indices = new Int32Array(n * k);
  const distances = new Float64Array(n * k);
  const norms = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += x[i * d + j]! ** 2;
    norms[i] = s;
  }
  const all = tf.tensor2d(x, [n, d]);
  const allT = tf.transpose(all);
  const heapD = new Float64Array(k);
  const heapI = new Int32Array(k);
  const rows = blockRows(n);
  try {
    for (let start = 0; start < n; start += rows) {
      if (ctl.signal?.aborted) throw new CancelledError();
      const count = Math.min(rows, n - start);
      const dots = tf.tidy(() => tf.matMul(tf.slice(all, [start, 0], [count, d]), allT));
      const block = (await dots.data()) as Float32Array;
      dots.dispose();
      for (let r = 0; r < count; r++) {
        const i = start + r;
        const ni = norms[i]!;
        const off = r * n;
        let size = 0;
        for (let j = 0; j < n; j++) {
          if (j === i) continue;
          const dist = ni + norms[j]! - 2 * block[off + j]!;
          if (size < k) {
            heapPush(heapD, heapI, size++, dist, j);
          } else if (dist < heapD[0]!) {
            heapReplaceTop(heapD, heapI, k, dist, j);
          }
        }
        // Pop in descending order into the row, from its end.
        const o = i * k;
        for (let s = k - 1; s >= 0; s--) {
          distances[o + s] = Math.max(0, heapD[0]!);
          indices[o + s] = heapI[0]!;
          heapPopTop(heapD, heapI, s + 1);
        }
      }
      ctl.onBlock?.(start + count);
      await new Promise((r) => setImmediate(r));
    }
  } finally {
    all.dispose();
    allT.dispose();
  }
  return { n, k, indices, distances };
}

/** Max-heap on (d, i): push at position `size`. */
function heapPush(hd: Float64Array, hi: Int32Array, size: number, d: number, i: number): void {
  let c = size;
  while (c > 0) {
    const p = (c - 1) >> 1;
    if (hd[p]! >= d) break;
    hd[c] = hd[p]!;
    hi[c] = hi[p]!;
    c = p;
  }
  hd[c] = d;
  hi[c] = i;
}

function siftDown(hd: Float64Array, hi: Int32Array, size: number, d: number, i: number): void {
  let c = 0;
  for (;;) {
    const l = 2 * c + 1;
    if (l >= size) break;
    const r = l + 1;
    const m = r < size && hd[r]! > hd[l]! ? r : l;
    if (hd[m]! <= d) break;
    hd[c] = hd[m]!;
    hi[c] = hi[m]!;
    c = m;
  }
  hd[c] = d;
  hi[c] = i;
}

function heapReplaceTop(hd: Float64Array, hi: Int32Array, size: number, d: number, i: number): void {
  siftDown(hd, hi, size, d, i);
}

function heapPopTop(hd: Float64Array, hi: Int32Array, size: number): void {
  if (size <= 1) return;
  siftDown(hd, hi, size - 1, hd[size - 1]!, hi[size - 1]!);
}
