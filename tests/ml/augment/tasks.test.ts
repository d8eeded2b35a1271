/**
 * Task views (issue 13): rotations, jigsaw tiles and context pairs are exact pixel copies of a
 * hand-made image, their parameters are drawn from the view's seeded stream (reproducible, and
 * the targets), and the jigsaw permutation set is the official greedy maximal-Hamming set.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  contextPairs,
  greedyPermutationSet,
  hamming,
  jigsawTiles,
  permutationSet,
  renderViews,
  rotations,
  taskCaptions,
  taskTargets,
  validateViewSpec,
  type TaskParams,
  type TaskSpec,
  type ViewParams,
  type ViewSpec,
} from '../../../src-main/ml/augment';
import { useBackend } from '../../../src-main/ml/backend';
import { firstPermutationIndex } from '../../../src-main/ml/augment/permutations';
import { taskMontage } from '../../../src-main/ml/augment/grid';

beforeAll(async () => {
  await useBackend('cpu');
});

/** A 1-image, 1-channel batch whose pixel (r, c) is r·size + c. */
function ramp(size: number, channels = 1): tf.Tensor4D {
  return tf.tensor4d(Float32Array.from({ length: size * size * channels }, (_, i) => Math.floor(i / channels) + (i % channels) * 1000), [1, size, size, channels]);
}

function plane(t: tf.Tensor4D, row: number, channel = 0): number[][] {
  const [, h, w, c] = t.shape;
  const d = t.dataSync();
  return Array.from({ length: h }, (_, r) => Array.from({ length: w }, (_, q) => d[((row * h + r) * w + q) * c + channel]!));
}

const view = (size: number, task: TaskSpec): ViewSpec => ({ name: 'v', size, crop: null, flipProb: 0, colorJitter: null, grayscaleProb: 0, blur: null, solarize: null, task });

describe('task view operations, pixel by pixel', () => {
  it('rotate: the four counter-clockwise rotations of each image, grouped by image', () => {
    const before = tf.memory().numTensors;
    const x = ramp(3);
    const r = rotations(x);
    expect(r.shape).toEqual([4, 3, 3, 1]);
    expect(plane(r, 0)).toEqual([[0, 1, 2], [3, 4, 5], [6, 7, 8]]);
    expect(plane(r, 1)).toEqual([[2, 5, 8], [1, 4, 7], [0, 3, 6]]); // np.rot90(m, 1)
    expect(plane(r, 2)).toEqual([[8, 7, 6], [5, 4, 3], [2, 1, 0]]);
    expect(plane(r, 3)).toEqual([[6, 3, 0], [7, 4, 1], [8, 5, 2]]);
    tf.dispose([x, r]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('tiles: row t is the tile of cell perm[t] at its offset', () => {
    const before = tf.memory().numTensors;
    const task = { kind: 'tiles', grid: 3, gap: 1, jitter: true, permutations: 5, permutationSeed: 2 } as const;
    const perm = permutationSet(5, 9, 2)[3]!;
    const offsets: [number, number][] = Array.from({ length: 9 }, (_, c) => [c % 2, (c >> 1) % 2]);
    const x = ramp(9); // cells of 3 px, tiles of 2
    const t = jigsawTiles(x, task, [{ kind: 'tiles', permutation: 3, offsets }]);
    expect(t.shape).toEqual([9, 2, 2, 1]);
    perm.forEach((cell, row) => {
      const top = Math.floor(cell / 3) * 3 + offsets[cell]![0];
      const left = (cell % 3) * 3 + offsets[cell]![1];
      expect(plane(t, row), `row ${row} (cell ${cell})`).toEqual([
        [top * 9 + left, top * 9 + left + 1],
        [(top + 1) * 9 + left, (top + 1) * 9 + left + 1],
      ]);
    });
    tf.dispose([x, t]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('pair: the centre patch and the neighbour, each at its jitter', () => {
    const task = { kind: 'pair', patch: 3, gap: 1, jitter: 1, colorDrop: false } as const;
    const x = ramp(13); // layout 3·3 + 2·1 = 11 px, origin 1
    const p: TaskParams = { kind: 'pair', neighbour: 4, offsets: [[-1, 1], [1, 0]], keep: [0, 0], noiseSeed: 1 };
    const out = contextPairs(x, task, [p]);
    expect(out.shape).toEqual([2, 3, 3, 1]);
    const patch = (top: number, left: number) => [0, 1, 2].map((r) => [0, 1, 2].map((c) => (top + r) * 13 + left + c));
    expect(plane(out, 0)).toEqual(patch(1 + 4 - 1, 1 + 4 + 1)); // centre cell (1, 1)
    expect(plane(out, 1)).toEqual(patch(1 + 4 + 1, 1 + 8)); // neighbour 4: right, cell (1, 2)
    tf.dispose([x, out]);
  });

  it('pair colour dropping: the kept channel is exact, the others noise with 1/100 of its std', () => {
    const task = { kind: 'pair', patch: 8, gap: 0, jitter: 0, colorDrop: true } as const;
    const x = tf.tensor4d(Float32Array.from({ length: 24 * 24 * 3 }, (_, i) => ((i * 7919) % 101) / 100), [1, 24, 24, 3]);
    const p: TaskParams = { kind: 'pair', neighbour: 0, offsets: [[0, 0], [0, 0]], keep: [2, 0], noiseSeed: 9 };
    const out = contextPairs(x, task, [p]);
    const plain = contextPairs(x, { ...task, colorDrop: false }, [p]);
    for (const [row, kept] of [[0, 2], [1, 0]] as const) {
      expect(plane(out, row, kept)).toEqual(plane(plain, row, kept));
      const k = plane(plain, row, kept).flat();
      const mean = k.reduce((a, b) => a + b) / k.length;
      const std = Math.sqrt(k.reduce((a, b) => a + (b - mean) ** 2, 0) / k.length);
      for (const ch of [0, 1, 2].filter((c) => c !== kept)) {
        const d = plane(out, row, ch).flat();
        const m = d.reduce((a, b) => a + b) / d.length;
        const s = Math.sqrt(d.reduce((a, b) => a + (b - m) ** 2, 0) / d.length);
        expect(Math.abs(m - mean)).toBeLessThan(std / 100);
        expect(s / (std / 100)).toBeGreaterThan(0.7);
        expect(s / (std / 100)).toBeLessThan(1.3);
      }
    }
    tf.dispose([x, out, plain]);
  });
});

describe('task views in the pipeline', () => {
  const pixels = Uint8Array.from({ length: 4 * 16 * 16 }, (_, i) => (i * 37) % 256);
  const batch = { pixels, shape: [4, 16, 16, 1] as [number, number, number, number] };

  function render(spec: ViewSpec, step: number): { out: number[]; params: readonly ViewParams[]; shape: number[] } {
    let params: readonly ViewParams[] = [];
    const [t] = renderViews(batch, [spec], { seed: 4, epoch: 0, step }, { onParams: (_, p) => (params = p) });
    const out = Array.from(t!.dataSync());
    const shape = t!.shape;
    t!.dispose();
    return { out, params, shape };
  }

  it('draws the task parameters from the seed path: the same step the same pieces and targets, another step others', () => {
    const before = tf.memory().numTensors;
    const tiles = view(15, { kind: 'tiles', grid: 3, gap: 1, jitter: true, permutations: 10, permutationSeed: 0 });
    const a = render(tiles, 0);
    const b = render(tiles, 0);
    const c = render(tiles, 1);
    expect(a.shape).toEqual([36, 4, 4, 1]);
    expect(b.out).toEqual(a.out);
    expect(b.params).toEqual(a.params);
    expect(c.out).not.toEqual(a.out);
    const targets = taskTargets(tiles.task!, a.params);
    expect(targets).toHaveLength(4);
    expect(Array.from(targets)).toEqual(a.params.map((p) => (p.task as { permutation: number }).permutation));
    const pair = view(16, { kind: 'pair', patch: 3, gap: 1, jitter: 1, colorDrop: true });
    const p = render(pair, 2);
    expect(p.shape).toEqual([8, 3, 3, 1]);
    expect(Array.from(taskTargets(pair.task!, p.params)).every((t) => t >= 0 && t < 8)).toBe(true);
    const rot = render(view(16, { kind: 'rotate' }), 0);
    expect(rot.shape).toEqual([16, 16, 16, 1]);
    expect(Array.from(taskTargets({ kind: 'rotate' }, rot.params))).toEqual([0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3]);
    expect(taskCaptions(pair.task!, p.params[0]!.task!).pieces[0]).toBe('centre');
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects a task that does not fit its view, naming the view and the field', () => {
    expect(() => validateViewSpec(view(10, { kind: 'pair', patch: 3, gap: 1, jitter: 1, colorDrop: false }))).toThrow(/view 'v': task pair: .* does not fit the 10-px view/);
    expect(() => validateViewSpec(view(9, { kind: 'tiles', grid: 3, gap: 3, jitter: true, permutations: 10, permutationSeed: 0 }))).toThrow(/gap must be an integer in \[0, 2\]/);
    expect(() => validateViewSpec(view(9, { kind: 'tiles', grid: 3, gap: 1, jitter: true, permutations: 1, permutationSeed: 0 }))).toThrow(/permutations must be/);
  });
});

describe('task previews', () => {
  it('lay each image\'s pieces out row-major in one square picture', () => {
    // 2 images × 4 pieces of 1 px: values 10·image + piece.
    const m = taskMontage(Float32Array.from([0, 1, 2, 3, 10, 11, 12, 13]), 2, 4, 1, 1);
    expect(m.size).toBe(3);
    const bg = 48 / 255;
    expect(Array.from(m.data).map((v) => Math.round(v * 1000) / 1000)).toEqual(
      [0, bg, 1, bg, bg, bg, 2, bg, 3, 10, bg, 11, bg, bg, bg, 12, bg, 13].map((v) => Math.round(v * 1000) / 1000),
    );
    expect(() => taskMontage(new Float32Array(5), 2, 4, 1, 1)).toThrow(/expected 8 values/);
  });
});

describe('jigsaw permutation sets', () => {
  const fixture = JSON.parse(readFileSync(join(__dirname, '../../fixtures/jigsaw-permutations.json'), 'utf8')) as {
    size: number;
    first: number;
    permutations: number[][];
    meanHamming: number;
    minHamming: number;
  }[];

  it('equal the official greedy algorithm (build/scripts/jigsaw_permutations.py) from the same first permutation', () => {
    for (const ref of fixture) {
      expect(greedyPermutationSet(ref.size, 9, ref.first), `size ${ref.size} from ${ref.first}`).toEqual(ref.permutations);
    }
  }, 60_000);

  it('are fixed by (size, seed), distinct, and as far apart as the reference sets', () => {
    const a = permutationSet(100, 9, 7);
    expect(permutationSet(100, 9, 7)).toBe(a);
    expect(greedyPermutationSet(100, 9, firstPermutationIndex(7, 9))).toEqual(a);
    expect(firstPermutationIndex(8, 9)).not.toBe(firstPermutationIndex(7, 9));
    expect(new Set(a.map((p) => p.join(''))).size).toBe(100);
    for (const p of a) expect([...p].sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    let sum = 0;
    let min = 9;
    for (let i = 0; i < a.length; i++) {
      for (let j = 0; j < a.length; j++) {
        if (i === j) continue;
        const d = hamming(a[i]!, a[j]!);
        sum += d;
        min = Math.min(min, d);
      }
    }
    const ref = fixture[0]!;
    expect(sum / (100 * 99)).toBeCloseTo(ref.meanHamming, 1);
    expect(min).toBeGreaterThanOrEqual(ref.minHamming - 1);
  }, 60_000);
});
