/**
 * counting (issue 13; src-main/ml/methods/counting.ts): the pieces are the 2×2 average and the
 * four quadrants in row-major order; on a fixed tiny batch a few SGD steps lower the loss, the
 * tensor count stays the same across steps (wasm, as the trainer), and the counts stay
 * non-negative-headed (the contrastive term keeps φ from collapsing to 0).
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../../src-main/ml/backend';
import { resolveConfig } from '../../../src-main/ml/train/config';
import { buildModel } from '../../../src-main/ml/train/loop';
import { Optimizer } from '../../../src-main/ml/train/optimizers';
import { trainingViews } from '../../../src-main/ml/methods';
import { countingPieces } from '../../../src-main/ml/methods/counting';
import { firstAndLast, fixedBatchSteps, N, SIZE } from '../../helpers/fixedBatch';

beforeAll(async () => {
  await useBackend('wasm');
});


describe('counting', () => {
  it('cuts a view into its 2× average and its four quadrants, row-major; refuses an odd side', () => {
    const before = tf.memory().numTensors;
    const x = tf.tensor4d(Array.from({ length: 2 * 4 * 4 }, (_, i) => i), [2, 4, 4, 1]);
    const { down, tiles } = countingPieces(x);
    expect(down.shape).toEqual([2, 2, 2, 1]);
    // image 0: rows 0..3 of 0..15; the top-left 2×2 block 0,1,4,5 averages to 2.5
    expect(Array.from(down.dataSync().slice(0, 4))).toEqual([2.5, 4.5, 10.5, 12.5]);
    expect(tiles.shape).toEqual([8, 2, 2, 1]);
    expect(Array.from(tiles.dataSync().slice(0, 16))).toEqual([0, 1, 4, 5, 2, 3, 6, 7, 8, 9, 12, 13, 10, 11, 14, 15]);
    expect(tiles.dataSync()[16]).toBe(16); // image 1's first tile
    const odd = tf.zeros([1, 5, 5, 1]) as tf.Tensor4D;
    expect(() => countingPieces(odd)).toThrow('square with an even side, got 5×5');
    tf.dispose([x, down, tiles, odd]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a few steps on one batch lower the loss; tensors constant across steps; both terms logged', async () => {
    const cfg = resolveConfig('counting', { epochs: 1, batch: N, width: 0.25, seed: 1, params: { counts: 64, hidden: 64 }, lr: 0.004 }, () => 'method');
    const views = trainingViews('counting', cfg.preset, SIZE, cfg.params);
    expect(views[0]!.size).toBe(SIZE);
    const model = buildModel(cfg, { size: SIZE, channels: 1, numClasses: 0 });
    const opt = new Optimizer(model.trainable(), { name: 'sgd', weightDecay: 0, momentum: 0.9 });
    let terms: tf.Scalar[] = [];
    const { losses, counts } = fixedBatchSteps(model, opt, cfg.lr, views, 20, {
      onStep: (_, out) => void (terms = [tf.keep(out.metrics!['equal']!), tf.keep(out.metrics!['contrast']!)]),
      afterStep: (l) => {
        const [eq, ct] = [terms[0]!.dataSync()[0]!, terms[1]!.dataSync()[0]!];
        expect(l).toBeCloseTo(eq + ct, 4);
        expect(eq).toBeGreaterThanOrEqual(0);
        expect(ct).toBeGreaterThanOrEqual(0);
        expect(ct).toBeLessThanOrEqual(10);
        tf.dispose(terms);
      },
    });
    expect(new Set(counts.slice(1)).size, `tensors after each step: ${counts.join(', ')}`).toBe(1);
    const { first, last } = firstAndLast(losses);
    expect(last, `losses ${losses.map((v) => v.toFixed(3)).join(' ')}`).toBeLessThan(0.8 * first);
    opt.dispose();
    model.dispose();
  });

  it('refuses a non-positive margin, naming the option', () => {
    expect(() => resolveConfig('counting', { params: { margin: 0 } }, () => 'method')).toThrow('option margin must be a positive number, got 0');
  });
});
