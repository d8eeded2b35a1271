/**
 * k-means on the hypersphere over a memory of last-epoch projections (DeepCluster v2: Caron et
 * al. 2020, facebookresearch/swav main_deepclusterv2.py `cluster_memory`; solo-learn
 * solo/utils/kmeans.py). `ClusterMemory` holds, per train image, the L2-normalised projection of
 * each view and the epoch it was written in (solo-learn's local_memory_embeddings and
 * local_memory_index, one process); `sphericalKMeans` clusters one view's rows of an epoch.
 * Differences: rows are keyed by image, not by position in the epoch (the same set: the images
 * of that epoch's batches); the initial centroids are a seeded draw (there torch.randperm on the
 * global RNG), so a resumed run clusters exactly as the uninterrupted one; the memory is one
 * [images, 1 + views·dim] variable (column 0 the epoch + 1) so a checkpoint holds one buffer.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../../core/rng';
import { l2Normalize } from '../losses';
import type { StatefulBlock } from './index';

/**
 * `iters` rounds of an E step (each row to the centroid of largest dot product) and an M step
 * (each centroid the L2-normalised mean of its rows; an empty cluster keeps its centroid), then
 * a last E step. `init` are the rows that start as centroids.
 */
export function sphericalKMeans(x: tf.Tensor2D, init: readonly number[], iters: number): { assignments: Int32Array; centroids: tf.Tensor2D } {
  const k = init.length;
  let centroids = tf.tidy(() => tf.gather(x, tf.tensor1d(Int32Array.from(init), 'int32')) as tf.Tensor2D);
  for (let it = 0; ; it++) {
    const assign = tf.tidy(() => tf.argMax(tf.matMul(x, centroids, false, true), 1) as tf.Tensor1D);
    if (it === iters) {
      const assignments = Int32Array.from(assign.dataSync());
      assign.dispose();
      return { assignments, centroids };
    }
    const next = tf.tidy(() => {
      // Members' sums and counts through a one-hot [N, K] (wasm has no UnsortedSegmentSum).
      const member = tf.cast(tf.oneHot(assign, k), 'float32');
      const sums = tf.matMul(member, x, true, false);
      const counts = tf.transpose(tf.sum(member, 0, true));
      const mean = tf.div(sums, tf.maximum(counts, 1));
      return l2Normalize(tf.where(tf.greater(tf.tile(counts, [1, x.shape[1]]), 0), mean, centroids) as tf.Tensor2D);
    });
    tf.dispose([assign, centroids]);
    centroids = next;
  }
}

/** Distinct rows 0..n−1, the first `k` of a seeded Fisher–Yates shuffle (torch.randperm(n)[:k]). */
export function seededDraw(n: number, k: number, seed: number): number[] {
  if (k > n) throw new Error(`k-means: ${k} centroids from a memory of ${n} rows; use fewer prototypes`);
  const rng = new Rng(seed);
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order.slice(0, k);
}

export class ClusterMemory implements StatefulBlock {
  readonly state: tf.Variable;

  constructor(
    readonly size: number,
    readonly views: number,
    readonly dim: number,
    seed: number,
  ) {
    // As solo-learn: random unit vectors until an epoch has written its projections.
    this.state = tf.tidy(() => {
      const emb = Array.from({ length: views }, (_, v) => l2Normalize(tf.randomNormal([size, dim], 0, 1, 'float32', seed + v)));
      return tf.variable(tf.concat([tf.zeros([size, 1]), ...emb], 1), false);
    });
  }

  /** Writes the rows `rows` (int32 [B], distinct) in epoch `epoch`: each view's projections [B, D], normalised here. */
  write(rows: tf.Tensor1D, epoch: number, projections: tf.Tensor2D[]): void {
    if (projections.length !== this.views) throw new Error(`cluster memory: ${projections.length} views, expected ${this.views}`);
    tf.tidy(() => {
      const b = rows.shape[0];
      const values = tf.concat([tf.fill([b, 1], epoch + 1), ...projections.map((p) => l2Normalize(p))], 1);
      const at = tf.expandDims(rows, 1);
      // A 0/1 row mask keeps the other rows bit for bit and replaces these.
      const mask = tf.scatterND(at, tf.ones([b, 1]), [this.size, 1]);
      const placed = tf.scatterND(at, values, [this.size, 1 + this.views * this.dim]);
      this.state.assign(tf.add(tf.mul(this.state, tf.sub(1, mask)), placed));
    });
  }

  /** The rows written in epoch `epoch`, in order. */
  writtenIn(epoch: number): Int32Array {
    const stamps = tf.tidy(() => tf.slice(this.state, [0, 0], [this.size, 1]).dataSync());
    const rows: number[] = [];
    stamps.forEach((s, i) => s === epoch + 1 && rows.push(i));
    return Int32Array.from(rows);
  }

  /**
   * k-means on the projections written in epoch `epoch`, one per entry of `ks` (prototype set i
   * clusters view i mod views, as solo-learn), its centroids drawn with seed seedOf(i): the
   * assignment of every row (−1 for a row not written then) and the centroids of each set.
   */
  cluster(epoch: number, ks: readonly number[], iters: number, seedOf: (i: number) => number): { assignments: Int32Array[]; centroids: tf.Tensor2D[] } {
    const rows = this.writtenIn(epoch);
    const assignments: Int32Array[] = [];
    const centroids: tf.Tensor2D[] = [];
    ks.forEach((k, i) => {
      const v = i % this.views;
      const x = tf.tidy(() => tf.gather(tf.slice(this.state, [0, 1 + v * this.dim], [this.size, this.dim]), tf.tensor1d(rows, 'int32')) as tf.Tensor2D);
      const r = sphericalKMeans(x, seededDraw(rows.length, k, seedOf(i)), iters);
      x.dispose();
      const all = new Int32Array(this.size).fill(-1);
      rows.forEach((row, j) => (all[row] = r.assignments[j]!));
      assignments.push(all);
      centroids.push(r.centroids);
    });
    return { assignments, centroids };
  }
}
