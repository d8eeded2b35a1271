/**
 * Task-view crops on the trainer's backend (wasm) as on cpu: jigsaw tiles and context patches
 * are exact pixel copies at their cells' columns, not only their rows (taskOps.ts cropSquares;
 * tf.image.cropAndResize on tfjs-backend-wasm drops a box's x1 for crops wider than 1 px).
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { contextPairs, jigsawTiles, tilePermutations, type TaskParams } from '../../../src-main/ml/augment';
import { useBackend } from '../../../src-main/ml/backend';

const tiles = { kind: 'tiles', grid: 3, gap: 1, jitter: false, permutations: 2, permutationSeed: 0 } as const;
const still: TaskParams = { kind: 'tiles', permutation: 0, offsets: Array.from({ length: 9 }, () => [0, 0] as [number, number]) };

describe.each(['cpu', 'wasm'] as const)('task crops on %s', (backend) => {
  it('jigsaw tiles and context patches copy the pixels of their cells', async () => {
    await useBackend(backend);
    const before = tf.memory().numTensors;
    // 2 images of 9×9, pixel (y, x) of image i = 100·i + 10·y + x
    const x = tf.tensor4d(Array.from({ length: 2 * 81 }, (_, k) => 100 * Math.floor(k / 81) + 10 * Math.floor((k % 81) / 9) + (k % 9)), [2, 9, 9, 1]);
    const t = jigsawTiles(x, tiles, [still, still]);
    const v = t.dataSync();
    // tile k of image 1 is cell perm[k] (3×3 cells of 3 px, 2-px tiles at offset 0): its pixels (0, 0) and (1, 1)
    tilePermutations(tiles)[0]!.forEach((cell, k) => {
      const corner = 100 + 30 * Math.floor(cell / 3) + 3 * (cell % 3);
      expect([v[(9 + k) * 4], v[(9 + k) * 4 + 3]], `tile ${k} (cell ${cell})`).toEqual([corner, corner + 11]);
    });
    const pair: TaskParams = { kind: 'pair', neighbour: 4, offsets: [[0, 0], [0, 0]], keep: [0, 0], noiseSeed: 1 };
    const p = contextPairs(x, { kind: 'pair', patch: 2, gap: 1, jitter: 0, colorDrop: false }, [pair, pair]);
    // 3×3 layout of 2-px patches with 1-px gaps in 9 px: origin 0; centre (3, 3), right neighbour (3, 6)
    expect(Array.from(p.dataSync().slice(0, 8))).toEqual([33, 34, 43, 44, 36, 37, 46, 47]);
    tf.dispose([x, t, p]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
