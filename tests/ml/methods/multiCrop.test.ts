/**
 * Multi-crop (issue 12): the '-cifar' multi-crop presets render each view at its own size, and
 * the global and the local views go through the SAME backbone (global pooling makes the ResNet
 * size-free in training mode), while the exported/evaluated graph keeps its global input size.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { presetForMethod, renderViews, resolvePreset } from '../../../src-main/ml/augment';
import { useBackend } from '../../../src-main/ml/backend';
import { resnet } from '../../../src-main/ml/backbones/resnet';
import { run, trainableVariables } from '../../../src-main/ml/heads/mlp';

describe('multi-crop presets', () => {
  it('swav-cifar: 2 global + 6 local crops; dino-cifar: 2 + 8; locals half the image', () => {
    const swav = resolvePreset('swav-cifar', 28);
    expect(swav.map((v) => v.size)).toEqual([28, 28, 14, 14, 14, 14, 14, 14]);
    expect(swav[0]!.crop!.scale).toEqual([0.14, 1]);
    expect(swav[2]!.crop!.scale).toEqual([0.05, 0.14]);
    const dino = resolvePreset('dino-cifar', 32);
    expect(dino.map((v) => v.size)).toEqual([32, 32, ...Array<number>(8).fill(16)]);
    expect(dino[1]!.solarize?.prob).toBe(0.2);
    expect(dino[0]!.solarize).toBeNull();
    expect(presetForMethod('swav', 28)).toBe('swav-cifar');
    expect(presetForMethod('dino', 96)).toBe('dino');
  });

  it('renders each view at its own size and runs every view through one backbone', async () => {
    await useBackend('cpu');
    const before = tf.memory().numTensors;
    const views = resolvePreset('swav-cifar', 28);
    const pixels = new Uint8Array(3 * 28 * 28).map((_, i) => (i * 37) % 256);
    const rendered = renderViews({ pixels, shape: [3, 28, 28, 1] }, views, { seed: 1, epoch: 0, step: 0 });
    expect(rendered.map((t) => t.shape)).toEqual(views.map((v) => [3, v.size, v.size, 1]));
    const net = resnet('small', { size: 28, channels: 1, width: 0.25 });
    const feats = rendered.map((v) => tf.tidy(() => run(net, v, true)));
    expect(feats.map((f) => f.shape)).toEqual(views.map(() => [3, 32]));
    // A local view's loss reaches every weight of the shared backbone.
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(run(net, rendered[2]!, true))), trainableVariables(net));
    for (const g of Object.values(grads)) expect(Number.isFinite(g.dataSync()[0])).toBe(true);
    expect(Object.keys(grads).length).toBe(trainableVariables(net).length);
    // The graph kNN, probe and export use keeps the global input size.
    expect(net.inputs[0]!.shape).toEqual([null, 28, 28, 1]);
    tf.dispose([value, ...rendered, ...feats, ...Object.values(grads)]);
    net.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
