/**
 * cpc (CPC v2, issue 13; src-main/ml/methods/cpc.ts): on a fixed tiny batch a few AdamW steps
 * lower the InfoNCE loss, the tensor count stays the same across steps (wasm, as the trainer);
 * the context network is causal over rows (c_ij depends on rows ≤ i only); the grid geometry
 * fits the images it is built for; bad options are refused naming the option.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../../src-main/ml/backend';
import { resolveConfig } from '../../../src-main/ml/train/config';
import { buildModel } from '../../../src-main/ml/train/loop';
import { Optimizer } from '../../../src-main/ml/train/optimizers';
import { getMethod, trainingViews } from '../../../src-main/ml/methods';
import { contextNetwork, cpcGeometry, cpcSteps, CPC_GRID } from '../../../src-main/ml/methods/cpc';
import { firstAndLast, fixedBatchSteps, N, SIZE } from '../../helpers/fixedBatch';

beforeAll(async () => {
  await useBackend('wasm');
});

describe('cpc', () => {
  it('a few steps on one batch lower the loss; tensors constant across steps; accuracy logged', async () => {
    const cfg = resolveConfig('cpc', { epochs: 1, batch: N, width: 0.25, seed: 1, params: { targetDim: 16, contextDim: 16 }, lr: 5e-3 }, () => 'method');
    expect(cfg.optimizer).toBe('adamw');
    const views = trainingViews('cpc', cfg.preset, SIZE, cfg.params);
    expect(views[0]!.task).toMatchObject({ kind: 'grid', grid: 5, patch: 12, stride: 6, jitter: 2 });
    const model = buildModel(cfg, { size: SIZE, channels: 1, numClasses: 0 });
    const opt = new Optimizer(model.trainable(), { name: 'adamw', weightDecay: 0, momentum: 0.9 });
    const accs: number[] = [];
    const { losses, counts } = fixedBatchSteps(model, opt, cfg.lr, views, 20, {
      onStep: (input, out) => {
        expect(input.views[0]!.shape).toEqual([N * 25, 12, 12, 1]);
        accs.push(out.metrics!['acc']!.dataSync()[0]!);
      },
    });
    expect(new Set(counts.slice(1)).size, `tensors after each step: ${counts.join(', ')}`).toBe(1);
    // chance: ln(8 images · 25 patches) summed over the 3 steps
    expect(losses[0]!).toBeGreaterThan(0.5 * 3 * Math.log(N * 25));
    const { first, last } = firstAndLast(losses);
    expect(last, `losses ${losses.map((v) => v.toFixed(3)).join(' ')}`).toBeLessThan(0.8 * first);
    expect(accs.at(-1)!, `accuracies ${accs.map((a) => a.toFixed(2)).join(' ')}`).toBeGreaterThan(accs[0]!);
    opt.dispose();
    model.dispose();
  }, 300_000);

  it('the context network is causal over rows: changing row r changes no prediction of rows above it', () => {
    const before = tf.memory().numTensors;
    const net = contextNetwork(CPC_GRID, 6, 8, 2, 4);
    const x = tf.randomNormal([1, CPC_GRID, CPC_GRID, 6], 0, 1, 'float32', 3) as tf.Tensor4D;
    const r = 2;
    const changed = tf.tidy(() => {
      const rowMask = tf.reshape(tf.tensor1d(Array.from({ length: CPC_GRID }, (_, i) => (i === r ? 1 : 0))), [1, CPC_GRID, 1, 1]);
      return tf.add(x, tf.mul(rowMask, 5));
    });
    const [a, b] = [net.predict(x) as tf.Tensor4D, net.predict(changed) as tf.Tensor4D];
    const rowDiff = tf.tidy(() => Array.from(tf.max(tf.abs(tf.sub(a, b)), [0, 2, 3]).dataSync()));
    expect(rowDiff.slice(0, r).every((d) => d === 0), `max change per row ${rowDiff.join(', ')}`).toBe(true);
    expect(rowDiff.slice(r).every((d) => d > 0), `max change per row ${rowDiff.join(', ')}`).toBe(true);
    tf.dispose([x, changed, a, b]);
    net.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('fits the grid to the images: 12-px patches at stride 6 on a 40-px view at 28 px, 64-px patches at 192 px', () => {
    expect(cpcGeometry(28)).toEqual({ size: 40, patch: 12, stride: 6, jitter: 2 });
    expect(cpcGeometry(32)).toEqual({ size: 40, patch: 12, stride: 6, jitter: 2 });
    expect(cpcGeometry(192)).toEqual({ size: 208, patch: 64, stride: 32, jitter: 8 });
    const v = trainingViews('cpc', 'method', 28)[0]!;
    expect(v.size).toBe(40);
    expect(cpcSteps(getMethod('cpc').params)).toEqual([2, 3, 4]);
    expect(getMethod('cpc').train).toMatchObject({ optimizer: 'adamw', batch: 32 });
  });

  it('refuses steps outside the grid and a non-positive scale, naming the option', () => {
    expect(() => resolveConfig('cpc', { params: { maxStep: 5 } }, () => 'method')).toThrow('option maxStep must be in [minStep = 2, 4]');
    expect(() => resolveConfig('cpc', { params: { minStep: 3, maxStep: 2 } }, () => 'method')).toThrow('option maxStep must be in [minStep = 3, 4]');
    expect(() => resolveConfig('cpc', { params: { embScale: 0 } }, () => 'method')).toThrow('option embScale must be a positive number, got 0');
    expect(() => resolveConfig('cpc', { params: { contextBlocks: 0 } }, () => 'method')).toThrow('option contextBlocks must be a positive integer');
  });
});
