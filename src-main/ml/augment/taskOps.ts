/**
 * The tensor side of task views (tasks.ts): rotations, jigsaw tiles and context pairs of a
 * batch of views, as batched ops. Exact pixel copies: rotations are transposes and reversals,
 * tiles and patches are crops at integer pixel positions (a gather of their pixels).
 */
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../../core/rng';
import { grayscale } from './color';
import { gridExtent, NEIGHBOUR_CELLS, pieceSize, tilePermutations, type TaskParams, type TaskSpec } from './tasks';

/** The four rotations (0°, 90°, 180°, 270° counter-clockwise) of each image, grouped by image: [4n, s, s, c]. */
export function rotations(x: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const [n, h, w, c] = x.shape;
    if (h !== w) throw new Error(`rotations need square views, got ${h}×${w}`);
    // FeatureLearningRotNet rotate_img: 90 = flipud(transpose), 180 = fliplr(flipud), 270 = transpose(flipud).
    const r90 = tf.reverse(tf.transpose(x, [0, 2, 1, 3]), 1);
    const r180 = tf.reverse(x, [1, 2]);
    const r270 = tf.transpose(tf.reverse(x, 1), [0, 2, 1, 3]);
    return tf.reshape(tf.stack([x, r90, r180, r270], 1), [n * 4, h, w, c]);
  });
}

/**
 * Square crops of `side` px at integer (top, left) positions of rows `rows` of x: exact pixel
 * copies, by one gather of pixel indices (tfjs-backend-wasm's CropAndResize drops a box's x1
 * when the crop is wider than 1 px: every crop would start at column 0 on the trainer's backend).
 */
export function cropSquares(x: tf.Tensor4D, rows: number[], tops: number[], lefts: number[], side: number): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const index = new Int32Array(rows.length * side * side);
  rows.forEach((r, k) => {
    const t = tops[k]!;
    const l = lefts[k]!;
    if (t < 0 || l < 0 || t + side > h || l + side > w) throw new Error(`crop of ${side} px at (${t}, ${l}) leaves the ${h}×${w} view`);
    if (!(r >= 0 && r < n)) throw new Error(`crop of row ${r}: the batch has ${n} images`);
    for (let y = 0; y < side; y++) for (let xx = 0; xx < side; xx++) index[(k * side + y) * side + xx] = (r * h + t + y) * w + l + xx;
  });
  return tf.tidy(() => tf.reshape(tf.gather(tf.reshape(x, [n * h * w, c]), tf.tensor1d(index, 'int32')), [rows.length, side, side, c]) as tf.Tensor4D);
}

/** Jigsaw tiles of each image in its permutation's order: [n·grid², tile, tile, c]. */
export function jigsawTiles(x: tf.Tensor4D, t: Extract<TaskSpec, { kind: 'tiles' }>, params: readonly TaskParams[]): tf.Tensor4D {
  const size = x.shape[1];
  const cell = Math.floor(size / t.grid);
  const tile = pieceSize(t, size);
  const perms = tilePermutations(t);
  const rows: number[] = [];
  const tops: number[] = [];
  const lefts: number[] = [];
  params.forEach((p, i) => {
    if (p.kind !== 'tiles') throw new Error(`image ${i}: expected tiles parameters, got ${p.kind}`);
    for (const c of perms[p.permutation]!) {
      const [dy, dx] = p.offsets[c]!;
      rows.push(i);
      tops.push(Math.floor(c / t.grid) * cell + dy);
      lefts.push((c % t.grid) * cell + dx);
    }
  });
  return cropSquares(x, rows, tops, lefts, tile);
}

/** Top-left corner of cell (r, c) of the pair layout in a view of `size` px, before jitter. */
export function pairCellOrigin(t: Extract<TaskSpec, { kind: 'pair' }>, size: number, r: number, c: number): [number, number] {
  const o = Math.floor((size - (3 * t.patch + 2 * t.gap)) / 2);
  return [o + r * (t.patch + t.gap), o + c * (t.patch + t.gap)];
}

/** Centre patch and neighbour of each image: [2n, patch, patch, c], rows 2i (centre) and 2i + 1. */
export function contextPairs(x: tf.Tensor4D, t: Extract<TaskSpec, { kind: 'pair' }>, params: readonly TaskParams[]): tf.Tensor4D {
  const size = x.shape[1];
  const rows: number[] = [];
  const tops: number[] = [];
  const lefts: number[] = [];
  params.forEach((p, i) => {
    if (p.kind !== 'pair') throw new Error(`image ${i}: expected pair parameters, got ${p.kind}`);
    const cells: [number, number][] = [[1, 1], NEIGHBOUR_CELLS[p.neighbour]!];
    cells.forEach(([r, c], k) => {
      const [y, xx] = pairCellOrigin(t, size, r, c);
      rows.push(i);
      tops.push(y + p.offsets[k]![0]);
      lefts.push(xx + p.offsets[k]![1]);
    });
  });
  const patches = cropSquares(x, rows, tops, lefts, t.patch);
  if (!t.colorDrop || x.shape[3] !== 3) return patches;
  const dropped = tf.tidy(() => colorDrop(patches, params));
  patches.dispose();
  return dropped;
}

/** The grid's patches of each image, row-major, each shifted by its offset and grayscaled where drawn: [n·grid², patch, patch, c]. */
export function gridPatches(x: tf.Tensor4D, t: Extract<TaskSpec, { kind: 'grid' }>, params: readonly TaskParams[]): tf.Tensor4D {
  const o = Math.floor((x.shape[1] - gridExtent(t)) / 2);
  const rows: number[] = [];
  const tops: number[] = [];
  const lefts: number[] = [];
  const gray: boolean[] = [];
  params.forEach((p, i) => {
    if (p.kind !== 'grid') throw new Error(`image ${i}: expected grid parameters, got ${p.kind}`);
    if (p.offsets.length !== t.grid * t.grid) throw new Error(`image ${i}: ${p.offsets.length} patch offsets for a ${t.grid}×${t.grid} grid`);
    p.offsets.forEach(([dy, dx], k) => {
      rows.push(i);
      tops.push(o + Math.floor(k / t.grid) * t.stride + dy);
      lefts.push(o + (k % t.grid) * t.stride + dx);
      gray.push(p.gray[k] === 1);
    });
  });
  const patches = cropSquares(x, rows, tops, lefts, t.patch);
  if (x.shape[3] !== 3 || !gray.some(Boolean)) return patches;
  const out = tf.tidy(() => grayscale(patches, gray));
  patches.dispose();
  return out;
}

/** Standard normal samples from a seed (Box–Muller on the sfc32 stream). */
function normals(seed: number, count: number): Float32Array {
  const rng = new Rng(seed);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i += 2) {
    const u = 1 - rng.next();
    const v = rng.next();
    const r = Math.sqrt(-2 * Math.log(u));
    out[i] = r * Math.cos(2 * Math.PI * v);
    if (i + 1 < count) out[i + 1] = r * Math.sin(2 * Math.PI * v);
  }
  return out;
}

/** Each patch keeps one channel; the other two become noise around its mean with 1/100 of its std (see tasks.ts). */
function colorDrop(patches: tf.Tensor4D, params: readonly TaskParams[]): tf.Tensor4D {
  const [m, p] = patches.shape;
  const keep = new Float32Array(m * 3);
  const noise = new Float32Array(m * p * p * 3);
  params.forEach((q, i) => {
    if (q.kind !== 'pair') return;
    const z = normals(q.noiseSeed, 2 * p * p * 3);
    for (let k = 0; k < 2; k++) {
      keep[(2 * i + k) * 3 + q.keep[k]!] = 1;
      noise.set(z.subarray(k * p * p * 3, (k + 1) * p * p * 3), (2 * i + k) * p * p * 3);
    }
  });
  const mask = tf.tensor4d(keep, [m, 1, 1, 3]);
  const kept = tf.sum(tf.mul(patches, mask), 3, true);
  const { mean, variance } = tf.moments(kept, [1, 2, 3], true);
  const fill = tf.add(mean, tf.mul(tf.tensor4d(noise, patches.shape), tf.div(tf.sqrt(variance), 100)));
  return tf.add(tf.mul(patches, mask), tf.mul(tf.sub(1, mask), fill));
}

/** Applies a view's task to the finished view x ([n, size, size, c]); `params` one per image. */
export function applyTask(x: tf.Tensor4D, t: TaskSpec, params: readonly TaskParams[]): tf.Tensor4D {
  if (params.length !== x.shape[0]) throw new Error(`task ${t.kind}: ${params.length} parameter sets for ${x.shape[0]} images`);
  if (t.kind === 'rotate') return rotations(x);
  if (t.kind === 'tiles') return jigsawTiles(x, t, params);
  if (t.kind === 'grid') return gridPatches(x, t, params);
  return contextPairs(x, t, params);
}
