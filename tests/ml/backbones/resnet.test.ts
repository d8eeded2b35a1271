import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { forwardMacs, resnet } from '../../../src-main/ml/backbones/resnet';
import { useBackend } from '../../../src-main/ml/backend';
import { ntXentLoss } from '../../../src-main/ml/losses';
import { relErr, seeded } from '../backend/helpers';

function trainableCount(m: tfl.LayersModel): number {
  return m.trainableWeights.reduce((n, w) => n + (w.shape as number[]).reduce((a, b) => a * b, 1), 0);
}

describe('resnet architecture', () => {
  it('ResNet-18/34 with the CIFAR stem have torchvision parameter counts (fc removed, 3×3 stem)', async () => {
    await useBackend('cpu');
    const before = tf.memory().numTensors;
    // torchvision resnet18: 11,689,512 − fc 513,000 − 7×7 stem 9,408 + 3×3 stem 1,728.
    const r18 = resnet('resnet18', { size: 32, channels: 3 });
    expect(trainableCount(r18)).toBe(11_168_832);
    expect(r18.outputs[0]!.shape).toEqual([null, 512]);
    r18.dispose();
    const r34 = resnet('resnet34', { size: 32, channels: 3 });
    expect(trainableCount(r34)).toBe(21_276_992);
    r34.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('ImageNet stem above 64 px: 7×7/2 conv + 3×3/2 max-pool; forward shapes', async () => {
    await useBackend('cpu');
    const m = resnet('resnet18', { size: 96, channels: 3, width: 0.125 });
    expect(m.layers.some((l) => l.getClassName() === 'MaxPooling2D')).toBe(true);
    const stem = m.layers.find((l) => l.getClassName() === 'Conv2D')!;
    expect(stem.getWeights()[0]!.shape).toEqual([7, 7, 3, 8]);
    const y = tf.tidy(() => m.predict(tf.zeros([2, 96, 96, 3])) as tf.Tensor);
    expect(y.shape).toEqual([2, 64]);
    y.dispose();
    m.dispose();
  });

  it('grayscale input, width multiplier, small ResNet', async () => {
    await useBackend('cpu');
    const m = resnet('small', { size: 28, channels: 1, width: 0.5 });
    expect(m.inputs[0]!.shape).toEqual([null, 28, 28, 1]);
    expect(m.outputs[0]!.shape).toEqual([null, 64]);
    expect(forwardMacs(m)).toBeGreaterThan(0);
    m.dispose();
  });

  it('rejects bad options with the reason', () => {
    expect(() => resnet('resnet18', { size: 32, channels: 2 as 3 })).toThrow(/channels must be 1 or 3/);
    expect(() => resnet('resnet18', { size: 32, channels: 3, width: 0 })).toThrow(/width multiplier/);
    expect(() => resnet('resnet50' as 'resnet18', { size: 32, channels: 3 })).toThrow(/unknown ResNet/);
  });
});

/** Gradients of a ResNet block stack with batch norm + linear head, and an SGD step. */
async function trainOn(backend: 'cpu' | 'wasm' | 'webgpu'): Promise<{ grads: Float32Array[]; after: Float32Array[]; leaked: number }> {
  await useBackend(backend);
  const before = tf.memory().numTensors;
  const enc = resnet('small', { size: 12, channels: 3, width: 0.25, seed: 7 });
  const head = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [32], units: 16, kernelInitializer: tfl.initializers.glorotUniform({ seed: 3 }) })] });
  const vars = [...enc.trainableWeights, ...head.trainableWeights].map((w) => w.read() as tf.Variable);
  const x = tf.tensor4d(seeded(8 * 12 * 12 * 3, 42), [8, 12, 12, 3]);
  const lossFn = () => {
    const z = head.apply(enc.apply(x, { training: true }) as tf.Tensor) as tf.Tensor2D;
    const [a, b] = tf.split(z, 2, 0) as [tf.Tensor2D, tf.Tensor2D];
    return ntXentLoss(a, b, 0.5);
  };
  const { value, grads } = tf.variableGrads(lossFn, vars);
  const gradData = await Promise.all(vars.map((v) => grads[v.name]!.data() as Promise<Float32Array>));
  tf.dispose([value, ...Object.values(grads)]);
  const opt = tf.train.sgd(0.1);
  for (let i = 0; i < 2; i++) tf.dispose(opt.minimize(lossFn, true, vars) ?? []);
  const after = await Promise.all(vars.map((v) => v.data() as Promise<Float32Array>));
  opt.dispose();
  x.dispose();
  enc.dispose();
  head.dispose();
  return { grads: gradData.map((g) => Float32Array.from(g)), after: after.map((a) => Float32Array.from(a)), leaked: tf.memory().numTensors - before };
}

describe('a training step is the same on cpu and wasm', () => {
  it('whole-model gradients (ResNet blocks + BN + linear head, NT-Xent) and two SGD steps agree ≤ 1e-5', async () => {
    const cpu = await trainOn('cpu');
    const wasm = await trainOn('wasm');
    expect(wasm.grads.length).toBe(cpu.grads.length);
    let worst = 0;
    for (let i = 0; i < cpu.grads.length; i++) worst = Math.max(worst, relErr(wasm.grads[i]!, cpu.grads[i]!));
    expect(worst).toBeLessThanOrEqual(1e-5);
    for (let i = 0; i < cpu.after.length; i++) expect(relErr(wasm.after[i]!, cpu.after[i]!)).toBeLessThanOrEqual(1e-5);
    expect(cpu.leaked).toBe(0);
    expect(wasm.leaked).toBe(0);
  });
});

/** Debian chromium's software Vulkan driver: a WebGPU adapter on a machine without a GPU. */
const SWIFTSHADER = '/usr/lib/chromium/vk_swiftshader_icd.json';

describe('a training step is the same on cpu and webgpu', () => {
  it('whole-model gradients and two SGD steps agree ≤ 1e-4 (GPU float math; SwiftShader where no GPU)', { timeout: 180_000 }, async (ctx) => {
    if (!process.env['VK_ICD_FILENAMES'] && existsSync(SWIFTSHADER)) process.env['VK_ICD_FILENAMES'] = SWIFTSHADER;
    try {
      await useBackend('webgpu');
    } catch (err) {
      console.warn(`skipped: webgpu does not load here (${(err as Error).message})`);
      ctx.skip();
    }
    const cpu = await trainOn('cpu');
    const gpu = await trainOn('webgpu');
    let worst = 0;
    for (let i = 0; i < cpu.grads.length; i++) worst = Math.max(worst, relErr(gpu.grads[i]!, cpu.grads[i]!));
    expect(worst).toBeLessThanOrEqual(1e-4);
    for (let i = 0; i < cpu.after.length; i++) expect(relErr(gpu.after[i]!, cpu.after[i]!)).toBeLessThanOrEqual(1e-4);
    expect(gpu.leaked).toBe(0);
  });
});
