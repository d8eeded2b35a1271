/**
 * The 'grid' task view (CPC v2, issue 13; augment/tasks.ts, taskOps.ts gridPatches): the
 * patches are exact pixel copies at origin + (r, c)·stride + their drawn shift, row-major per
 * image; the drawn grayscale touches only the chosen patches; shifts and grayscale flags come from
 * the view's seeded stream (the same step the same patches, another step others), the targets
 * are each row's grid position; a layout that does not fit is refused naming the view and field.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { gridPatches, renderViews, taskCaptions, taskPieces, taskTargets, validateViewSpec, type TaskParams, type TaskSpec, type ViewParams, type ViewSpec } from '../../../src-main/ml/augment';
import { useBackend } from '../../../src-main/ml/backend';

beforeAll(async () => {
  await useBackend('cpu');
});

const view = (size: number, task: TaskSpec): ViewSpec => ({ name: 'v', size, crop: null, flipProb: 0, colorJitter: null, grayscaleProb: 0, blur: null, solarize: null, task });

/** Pixel (r, c) of channel k of a size-px image is (r·size + c + 1000·k)·scale. */
function ramp(size: number, channels = 1, scale = 1): tf.Tensor4D {
  return tf.tensor4d(Float32Array.from({ length: size * size * channels }, (_, i) => (Math.floor(i / channels) + (i % channels) * 1000) * scale), [1, size, size, channels]);
}

function plane(t: tf.Tensor4D, row: number, channel = 0): number[][] {
  const [, h, w, c] = t.shape;
  const d = t.dataSync();
  return Array.from({ length: h }, (_, r) => Array.from({ length: w }, (_, q) => d[((row * h + r) * w + q) * c + channel]!));
}

const square = (size: number, top: number, left: number, side: number, k = 0) =>
  Array.from({ length: side }, (_, r) => Array.from({ length: side }, (_, c) => (top + r) * size + left + c + 1000 * k));

describe('grid task view', () => {
  const task = { kind: 'grid', grid: 3, patch: 4, stride: 2, jitter: 1, grayscaleProb: 0.5 } as const;

  it('cuts overlapping patches row-major at origin + (r, c)·stride + the drawn shift', () => {
    const before = tf.memory().numTensors;
    const x = ramp(11); // layout (3 − 1)·2 + 4 = 8 px, origin ⌊(11 − 8)/2⌋ = 1
    const offsets: [number, number][] = [[0, 0], [1, -1], [-1, 1], [0, 1], [1, 1], [-1, -1], [0, 0], [1, 0], [0, -1]];
    const p: TaskParams = { kind: 'grid', offsets, gray: offsets.map(() => 0) };
    const out = gridPatches(x, task, [p]);
    expect(out.shape).toEqual([9, 4, 4, 1]);
    offsets.forEach(([dy, dx], k) => expect(plane(out, k), `patch ${k}`).toEqual(square(11, 1 + Math.floor(k / 3) * 2 + dy, 1 + (k % 3) * 2 + dx, 4)));
    tf.dispose([x, out]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('turns only the drawn patches of a 3-channel view to grayscale; one channel is left as it is', () => {
    const before = tf.memory().numTensors;
    const offsets: [number, number][] = Array.from({ length: 9 }, () => [0, 0]);
    const gray = [1, 0, 0, 0, 1, 0, 0, 0, 0];
    const x = ramp(11, 3, 1 / 4000); // values in [0, 1): the grayscale blend clamps to [0, 1]
    const out = gridPatches(x, task, [{ kind: 'grid', offsets, gray }]);
    expect(out.shape).toEqual([9, 4, 4, 3]);
    for (let k = 0; k < 9; k++) {
      const [top, left] = [1 + Math.floor(k / 3) * 2, 1 + (k % 3) * 2];
      if (gray[k]) {
        const luma = square(11, top, left, 4).map((row) => row.map((v) => 0.2989 * v + 0.587 * (v + 1000) + 0.114 * (v + 2000)));
        for (let ch = 0; ch < 3; ch++) plane(out, k, ch).flat().forEach((v, i) => expect(v * 4000).toBeCloseTo(luma.flat()[i]!, 1));
      } else {
        for (let ch = 0; ch < 3; ch++) plane(out, k, ch).flat().forEach((v, i) => expect(v * 4000).toBeCloseTo(square(11, top, left, 4, ch).flat()[i]!, 2));
      }
    }
    const one = ramp(11);
    const same = gridPatches(one, task, [{ kind: 'grid', offsets, gray }]);
    expect(plane(same, 0)).toEqual(square(11, 1, 1, 4));
    tf.dispose([x, out, one, same]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('draws shifts and grayscale from the seed path; targets are the grid positions; previews caption each patch', () => {
    const before = tf.memory().numTensors;
    const pixels = Uint8Array.from({ length: 4 * 12 * 12 * 3 }, (_, i) => (i * 37) % 256);
    const batch = { pixels, shape: [4, 12, 12, 3] as [number, number, number, number] };
    const render = (step: number) => {
      let params: readonly ViewParams[] = [];
      const [t] = renderViews(batch, [view(12, task)], { seed: 4, epoch: 0, step }, { onParams: (_, q) => (params = q) });
      const out = { shape: t!.shape, data: Array.from(t!.dataSync()), params };
      t!.dispose();
      return out;
    };
    const [a, b, c] = [render(0), render(0), render(1)];
    expect(a.shape).toEqual([36, 4, 4, 3]);
    expect(b.data).toEqual(a.data);
    expect(b.params).toEqual(a.params);
    expect(c.params).not.toEqual(a.params);
    const drawn = a.params.map((q) => q.task as Extract<TaskParams, { kind: 'grid' }>);
    for (const d of drawn) {
      expect(d.offsets).toHaveLength(9);
      expect(d.offsets.flat().every((v) => Number.isInteger(v) && Math.abs(v) <= 1)).toBe(true);
      expect(d.gray.every((g) => g === 0 || g === 1)).toBe(true);
    }
    const flags = [...drawn, ...c.params.map((q) => q.task as Extract<TaskParams, { kind: 'grid' }>)].flatMap((d) => d.gray);
    expect(flags.some((g) => g === 1) && flags.some((g) => g === 0)).toBe(true);
    expect(Array.from(taskTargets(task, a.params))).toEqual(Array.from({ length: 36 }, (_, r) => r % 9));
    expect(taskPieces(task)).toBe(9);
    const cap = taskCaptions(task, { kind: 'grid', offsets: drawn[0]!.offsets, gray: [0, 1, 0, 0, 0, 0, 0, 0, 0] });
    expect(cap.pieces.slice(0, 3)).toEqual(['0,0', '0,1 gray', '0,2']);
    expect(cap.target).toMatch(/3×3 patches/);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses a layout that does not fit its view and bad fields, naming the view and the field', () => {
    expect(() => validateViewSpec(view(9, task))).toThrow("view 'v': task grid: (grid − 1)·stride + patch + 2·jitter = 10 px does not fit the 9-px view");
    expect(() => validateViewSpec(view(12, { ...task, stride: 0 }))).toThrow(/task grid: stride must be a positive integer, got 0/);
    expect(() => validateViewSpec(view(12, { ...task, grid: 1 }))).toThrow(/task grid: grid must be an integer ≥ 2/);
    expect(() => validateViewSpec(view(12, { ...task, grayscaleProb: 2 }))).toThrow(/grayscaleProb must be in \[0, 1\], got 2/);
    expect(() => validateViewSpec(view(10, task))).not.toThrow();
  });
});
