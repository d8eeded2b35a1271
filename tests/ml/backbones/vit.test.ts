import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../../src-main/ml/backend';
import { vit, vitTokens } from '../../../src-main/ml/backbones/vit';
import { relErr, seeded } from '../backend/helpers';

beforeAll(async () => {
  await useBackend('cpu');
});

const params = (m: tfl.LayersModel) => m.trainableWeights.reduce((n, w) => n + (w.shape as number[]).reduce((a, b) => a * b, 1), 0);

/** Every weight to seeded values of scale 0.3 (LayerNorm gains around 1), so nothing is at its init. */
function randomize(m: tfl.LayersModel, seed: number): void {
  const values = m.weights.map((w, i) => {
    const v = seeded(w.shape.reduce((a: number, b) => a * (b ?? 1), 1), seed * 100 + i).map((x) => 0.3 * x);
    return tf.tensor(w.originalName.endsWith('gamma') ? v.map((x) => 1 + x) : v, w.shape as number[]);
  });
  m.setWeights(values);
  tf.dispose(values);
}

function images(b: number, size: number, c: number, seed: number): tf.Tensor {
  return tf.tensor(seeded(b * size * size * c, seed), [b, size, size, c]);
}

async function arr(t: tf.Tensor): Promise<Float32Array> {
  const d = (await t.data()) as Float32Array;
  t.dispose();
  return d;
}

describe('ViT backbones', () => {
  it('vit-tiny at 32 px RGB has the ViT-Ti/4 parameter count and pooled [B, 192] features', () => {
    const m = vit('vit-tiny', { size: 32, channels: 3 });
    // patch 4·4·3·192 + 192; cls 192; pos (1 + 64)·192; 12 blocks of 2 LN (4·192) + qkv (192·576 + 576)
    // + proj (192² + 192) + fc1 (192·768 + 768) + fc2 (768·192 + 192); final LN 2·192.
    const block = 4 * 192 + 192 * 576 + 576 + 192 * 192 + 192 + 192 * 768 + 768 + 768 * 192 + 192;
    expect(params(m)).toBe(4 * 4 * 3 * 192 + 192 + 192 + 65 * 192 + 12 * block + 2 * 192);
    expect(m.outputs[0]!.shape).toEqual([null, 192]);
    m.dispose();
  });

  it('grayscale 28 px: a 7×7 token grid, the width multiplier scales the width in whole heads', () => {
    const m = vit('vit-mini', { size: 28, channels: 1, width: 0.5 });
    expect(m.outputs[0]!.shape).toEqual([null, 64]);
    const x = images(2, 28, 1, 1);
    const t = vitTokens(m, x);
    expect(t.shape).toEqual([2, 1 + 49, 64]);
    tf.dispose([x, t]);
    m.dispose();
    expect(vit('vit-tiny', { size: 28, channels: 1, width: 0.5 }).outputs[0]!.shape).toEqual([null, 96]);
    expect(() => vit('vit-mini', { size: 30, channels: 1 })).toThrow('multiple of its patch size 4 px; these are 30 px');
  });

  it('pooled features: the class token after the final norm, or the norm of the mean patch token', async () => {
    const m = vit('vit-mini', { size: 16, channels: 3, width: 0.25 });
    randomize(m, 1);
    const x = images(3, 16, 3, 2);
    const pooled = await arr(m.predict(x) as tf.Tensor);
    const tokens = vitTokens(m, x);
    const cls = await arr(tf.tidy(() => tf.squeeze(tf.slice(tokens, [0, 0, 0], [3, 1, 32]), [1])));
    expect(relErr(pooled, cls)).toBeLessThan(1e-5);
    const mean = vit('vit-mini', { size: 16, channels: 3, width: 0.25, pool: 'mean' });
    mean.setWeights(m.getWeights());
    const meanPooled = (await arr(mean.predict(x) as tf.Tensor)) as Float32Array;
    // LayerNorm by hand of the mean of the un-normed patch tokens (the blocks' output).
    const normed = tf.tidy(() => {
      const embed = m.getLayer('patch_embed');
      let h = embed.apply(x) as tf.Tensor;
      for (let i = 0; i < 6; i++) h = m.getLayer(`block_${i}`).apply(h) as tf.Tensor;
      const avg = tf.mean(tf.slice(h, [0, 1, 0], [3, 16, 32]), 1);
      const mu = tf.mean(avg, 1, true);
      const sd = tf.sqrt(tf.add(tf.mean(tf.square(tf.sub(avg, mu)), 1, true), 1e-6));
      const [g, b] = m.getLayer('head_norm').getWeights();
      return tf.add(tf.mul(tf.div(tf.sub(avg, mu), sd), g!), b!);
    });
    expect(relErr(meanPooled, await arr(normed))).toBeLessThan(1e-5);
    expect(relErr(meanPooled, pooled)).toBeGreaterThan(1e-2);
    tf.dispose([x, tokens]);
    m.dispose();
    mean.dispose();
  });

  it('a 16 px input runs through the 32 px weights: patch position embeddings resized, the class token kept', async () => {
    const big = vit('vit-mini', { size: 32, channels: 1, width: 0.25 });
    randomize(big, 3);
    const small = vit('vit-mini', { size: 16, channels: 1, width: 0.25 });
    // The 16 px model with the same weights but position embeddings resized by hand: an 8×8 grid
    // to 4×4 bilinearly with half-pixel centres is the mean of each 2×2 cell.
    const pos = big.getLayer('patch_embed').getWeights()[3]!;
    const p = (await pos.data()) as Float32Array;
    const d = 32;
    const resized = new Float32Array((1 + 16) * d);
    resized.set(p.subarray(0, d));
    for (let r = 0; r < 4; r++)
      for (let c = 0; c < 4; c++)
        for (let k = 0; k < d; k++) {
          const at = (rr: number, cc: number) => p[(1 + rr * 8 + cc) * d + k]!;
          resized[(1 + r * 4 + c) * d + k] = (at(2 * r, 2 * c) + at(2 * r, 2 * c + 1) + at(2 * r + 1, 2 * c) + at(2 * r + 1, 2 * c + 1)) / 4;
        }
    const weights = big.getWeights().map((w, i) => (i === 3 ? tf.tensor(resized, [1, 17, d]) : w));
    small.setWeights(weights);
    weights[3]!.dispose();
    const x = images(2, 16, 1, 4);
    const before = tf.memory().numTensors;
    const viaBig = await arr(tf.tidy(() => big.apply(x) as tf.Tensor));
    expect(tf.memory().numTensors).toBe(before);
    const viaSmall = await arr(small.predict(x) as tf.Tensor);
    expect(viaBig.length).toBe(2 * d);
    expect(relErr(viaBig, viaSmall)).toBeLessThan(1e-5);
    const x32 = images(2, 32, 1, 5);
    expect((big.predict(x32) as tf.Tensor).shape).toEqual([2, d]);
    tf.dispose([x, x32]);
    big.dispose();
    small.dispose();
  });

  it('keep indices select patch tokens: a permutation permutes them and leaves the class token', async () => {
    const m = vit('vit-mini', { size: 12, channels: 3, width: 0.25 });
    randomize(m, 6);
    const x = images(2, 12, 3, 7);
    const perm = [[8, 3, 0, 5, 1, 7, 2, 6, 4], [1, 0, 2, 3, 4, 5, 6, 8, 7]];
    const full = (await vitTokens(m, x).array()) as number[][][];
    const keep = tf.tensor2d(perm, [2, 9], 'int32');
    const permuted = (await vitTokens(m, x, { keep }).array()) as number[][][];
    for (let b = 0; b < 2; b++) {
      expect(relErr(permuted[b]![0]!, full[b]![0]!)).toBeLessThan(1e-5);
      for (let j = 0; j < 9; j++) expect(relErr(permuted[b]![1 + j]!, full[b]![1 + perm[b]![j]!]!)).toBeLessThan(1e-5);
    }
    // MAE-style: keep a quarter (2 of 9) of the patches per image.
    const few = tf.tensor2d([[4, 0], [7, 2]], [2, 2], 'int32');
    const masked = vitTokens(m, x, { keep: few });
    expect(masked.shape).toEqual([2, 3, 32]);
    const cls = await arr(tf.tidy(() => tf.slice(masked, [0, 0, 0], [2, 1, 32])));
    expect(relErr(cls, Float32Array.from([...full[0]![0]!, ...full[1]![0]!]))).toBeGreaterThan(1e-3);
    tf.dispose([x, keep, few, masked]);
    m.dispose();
  });

  it('trains with a constant tensor count across steps', () => {
    const m = vit('vit-mini', { size: 8, channels: 1, width: 0.25 });
    const opt = tf.train.adam(1e-3);
    const x = images(4, 8, 1, 8);
    const vars = m.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);
    const step = () =>
      tf.tidy(() => {
        const { value, grads } = tf.variableGrads(() => tf.mean(tf.square(m.apply(x, { training: true }) as tf.Tensor)) as tf.Scalar, vars);
        opt.applyGradients(Object.keys(grads).map((name) => ({ name, tensor: grads[name]! })));
        return value.dataSync()[0]!;
      });
    const first = step();
    const counts: number[] = [];
    for (let i = 0; i < 3; i++) {
      step();
      counts.push(tf.memory().numTensors);
    }
    expect(new Set(counts).size).toBe(1);
    expect(step()).toBeLessThan(first);
    opt.dispose();
    x.dispose();
    m.dispose();
  });
});
