/**
 * Masked image modelling (issue 13): the seeded masks (augment/mask.ts), the ViT's token
 * gather/scatter as one-hot matmuls against tf.gather on the cpu backend, and the `mae` and
 * `data2vec` methods: their losses drop over steps on a fixed batch, the tensor count stays
 * constant, they train through the loop with β2 recorded, and a ResNet is refused.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { blockMasking, keptTokens, presetForMethod, randomMasking } from '../../../src-main/ml/augment';
import { gatherTokens, scatterTokens } from '../../../src-main/ml/backbones/vitLayers';
import type { StepInput } from '../../../src-main/ml/methods';
import { data2vecTau, targetLayers } from '../../../src-main/ml/methods/data2vec';
import { resolveConfig } from '../../../src-main/ml/train/config';
import { buildModel, trainLoop } from '../../../src-main/ml/train/loop';
import { Optimizer } from '../../../src-main/ml/train/optimizers';
import { BACKENDS, useBackend } from '../losses/backends';
import { toyTrainData } from '../train/toyData';

beforeAll(() => useBackend('cpu'));

describe('masks', () => {
  it("MAE's random masking: ⌊N·(1 − r)⌋ kept per image, distinct, the mask their complement, fixed by the seed", () => {
    const a = randomMasking(5, 49, 0.75, 11);
    expect(keptTokens(49, 0.75)).toBe(12);
    for (let b = 0; b < 5; b++) {
      expect(new Set(a.keep[b]).size).toBe(12);
      expect(a.mask[b]!.reduce((s, v) => s + v, 0)).toBe(37);
      for (const i of a.keep[b]!) expect(a.mask[b]![i]).toBe(0);
    }
    expect(randomMasking(5, 49, 0.75, 11)).toEqual(a);
    expect(randomMasking(5, 49, 0.75, 12).keep).not.toEqual(a.keep);
    expect(a.keep[0]).not.toEqual(a.keep[1]);
    expect(() => randomMasking(2, 49, 1, 0)).toThrow('mask ratio must be in (0, 1), got 1');
  });

  it('block masking: about 60 % in rectangles, never more than the target, fixed by the seed', () => {
    const m = blockMasking(64, 7, 7, { ratio: 0.6 }, 3);
    const counts = m.map((row) => row.reduce((s, v) => s + v, 0));
    for (const c of counts) expect(c).toBeLessThanOrEqual(29);
    const mean = counts.reduce((s, c) => s + c, 0) / counts.length / 49;
    expect(mean).toBeGreaterThan(0.5);
    expect(mean).toBeLessThanOrEqual(29 / 49);
    expect(blockMasking(64, 7, 7, { ratio: 0.6 }, 3)).toEqual(m);
    expect(blockMasking(64, 7, 7, { ratio: 0.6 }, 4)).not.toEqual(m);
    // Blocks, not scattered tokens: most masked tokens have a masked 4-neighbour.
    let withNeighbour = 0;
    let total = 0;
    for (const row of m) {
      row.forEach((v, i) => {
        if (!v) return;
        total++;
        const [r, c] = [Math.floor(i / 7), i % 7];
        const nb = [[r - 1, c], [r + 1, c], [r, c - 1], [r, c + 1]].some(([y, x]) => y! >= 0 && y! < 7 && x! >= 0 && x! < 7 && row[y! * 7 + x!] === 1);
        if (nb) withNeighbour++;
      });
    }
    expect(withNeighbour / total).toBeGreaterThan(0.9);
  });
});

describe.each(BACKENDS)('token gather and scatter on %s', (backend) => {
  it('gatherTokens equals tf.gather on the cpu backend, scatterTokens puts the rows back, gradients flow', async () => {
    const { keep } = randomMasking(3, 10, 0.6, 5);
    const values = Array.from({ length: 3 * 10 * 4 }, (_, i) => Math.sin(i * 1.7));
    await useBackend('cpu');
    const expected = tf.tidy(() => tf.gather(tf.tensor3d(values, [3, 10, 4]), tf.tensor2d(keep, undefined, 'int32'), 1, 1).arraySync());
    await useBackend(backend);
    const before = tf.memory().numTensors;
    const x = tf.tensor3d(values, [3, 10, 4]);
    const idx = tf.tensor2d(keep, undefined, 'int32');
    const got = gatherTokens(x, idx);
    expect(got.shape).toEqual([3, 4, 4]);
    const flat = (await got.data()) as Float32Array;
    (expected as number[][][]).flat(2).forEach((e, i) => expect(flat[i]).toBeCloseTo(e, 6));
    const scattered = scatterTokens(got, idx, 10);
    const back = (await scattered.array()) as number[][][];
    for (let b = 0; b < 3; b++) {
      for (let n = 0; n < 10; n++) {
        const kept = keep[b]!.includes(n);
        back[b]![n]!.forEach((v, d) => expect(v).toBeCloseTo(kept ? values[(b * 10 + n) * 4 + d]! : 0, 6));
      }
    }
    const g = tf.grad((t: tf.Tensor) => tf.sum(gatherTokens(t, idx)))(x);
    expect(tf.tidy(() => tf.sum(g).dataSync()[0])).toBeCloseTo(3 * 4 * 4, 5);
    tf.dispose([got, scattered, g, x, idx]);
    expect(tf.memory().numTensors).toBe(before);
    await useBackend('cpu');
  });
});

function stepInput(x: tf.Tensor4D, step: number, totalSteps: number): StepInput {
  return {
    views: [x],
    specs: [],
    labels: tf.zeros([x.shape[0]], 'int32') as tf.Tensor1D,
    indices: tf.range(0, x.shape[0], 1, 'int32') as tf.Tensor1D,
    epoch: 0,
    stepInEpoch: step,
    stepsPerEpoch: totalSteps,
    step,
    totalSteps,
    seedPath: { seed: 0, epoch: 0, step: 0 }, // the same mask every step: the loss must drop
  };
}

describe.each([
  // MAE learns slowly from a tiny decoder at init (its pixel loss fell 0.94 → 0.87 in 25
  // steps when measured); data2vec's regression of a slowly moving teacher falls faster.
  ['mae', { decoderDim: 16, decoderHeads: 2, decoderDepth: 1 }, 3e-3, 0.95],
  ['data2vec', {}, 2e-3, 0.8],
] as const)('%s', (method, params, lr, drop) => {
  it('its loss drops over steps on a fixed batch, with a constant tensor count', () => {
    const cfg = resolveConfig(method, { backbone: 'vit-mini', width: 0.25, epochs: 1, batch: 8, seed: 1, params }, (b) => b);
    const model = buildModel(cfg, { size: 16, channels: 1, numClasses: 2 });
    const opt = new Optimizer(model.trainable(), { name: 'adamw', weightDecay: cfg.weightDecay, beta2: cfg.beta2 ?? 0.999, excludeBiasAndNorm: true });
    // Stripes of a random direction and phase per image: a masked patch is predictable from the visible ones.
    const x = tf.tidy(() => {
      const [a, b, c] = [0, 1, 2].map((s) => tf.randomUniform([8, 1, 1, 1], -1, 1, 'float32', 10 + s));
      const i = tf.reshape(tf.range(0, 16), [1, 16, 1, 1]);
      const j = tf.reshape(tf.range(0, 16), [1, 1, 16, 1]);
      return tf.sin(tf.add(tf.add(tf.mul(a!, i), tf.mul(b!, j)), tf.mul(c!, 3))) as tf.Tensor4D;
    });
    const losses: number[] = [];
    const counts: number[] = [];
    const steps = 25;
    for (let i = 0; i < steps; i++) {
      const input = stepInput(x, i, steps);
      const targets = model.targets?.(input) ?? [];
      const { value, grads } = tf.variableGrads(() => model.loss(input, targets).loss);
      losses.push(value.dataSync()[0]!);
      opt.apply(grads, lr);
      model.afterStep?.(input, targets);
      tf.dispose([value, ...Object.values(grads), ...targets, input.labels, input.indices]);
      counts.push(tf.memory().numTensors);
    }
    expect(losses.every(Number.isFinite)).toBe(true);
    const first = (losses[0]! + losses[1]!) / 2;
    const last = (losses.at(-1)! + losses.at(-2)!) / 2;
    expect(last, `loss ${first} → ${last}`).toBeLessThan(drop * first);
    expect(new Set(counts.slice(1)).size, 'tensor count constant').toBe(1);
    opt.dispose();
    model.dispose();
    x.dispose();
  });

  it('trains through the loop on RGB images; a ResNet backbone is refused before anything runs', async () => {
    const cfg = resolveConfig(method, { backbone: 'vit-mini', width: 0.25, epochs: 1, batch: 8, seed: 2, params }, (b) => presetForMethod(b, 8));
    expect(cfg.preset).toBe('method');
    expect(cfg.beta2).toBe(method === 'mae' ? 0.95 : 0.999);
    const before = tf.memory().numTensors;
    const points: number[] = [];
    await trainLoop(toyTrainData(), cfg, { onMetrics: (p) => points.push(...p.filter((q) => q.name === 'loss').map((q) => q.value)) });
    expect(points).toHaveLength(4);
    expect(points.every(Number.isFinite)).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
    expect(() => resolveConfig(method, { backbone: 'small', params }, (b) => b)).toThrow(`method ${method} masks a ViT's patch tokens and needs a ViT backbone`);
  });
});

describe('data2vec schedule and targets', () => {
  it('τ rises linearly from base to final over the run; K is half the blocks by default', () => {
    expect(data2vecTau(0, 11, 0.999, 0.9998)).toBeCloseTo(0.999, 10);
    expect(data2vecTau(5, 11, 0.999, 0.9998)).toBeCloseTo(0.9994, 10);
    expect(data2vecTau(10, 11, 0.999, 0.9998)).toBeCloseTo(0.9998, 10);
    expect(targetLayers(0, 12)).toBe(6);
    expect(targetLayers(0, 6)).toBe(3);
    expect(targetLayers(4, 6)).toBe(4);
    expect(() => targetLayers(7, 6)).toThrow('1…6');
  });
});
