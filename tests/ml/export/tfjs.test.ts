/**
 * tfjs export: the rebuilt stock-layer model computes what the training graph computes, and the
 * written model.json + weights.bin load with stock TensorFlow.js in a fresh process that has
 * never seen Pretext's custom layer.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resnet } from '../../../src-main/ml/backbones/resnet';
import { vit } from '../../../src-main/ml/backbones/vit';
import { useBackend } from '../../../src-main/ml/backend';
import { tfjsFileLoader, toStockModel, writeTfjsModel } from '../../../src-main/ml/export/tfjsExport';
import { makeTempDir } from '../../helpers/tmp';
import { relErr, seeded } from '../backend/helpers';
import { oddModel, randomizeWeights } from './models';

const tmp = makeTempDir('pretext-tfjs-export-');
beforeAll(async () => {
  await useBackend('cpu');
});
afterAll(() => tmp.cleanup());

async function predict(model: tfl.LayersModel, input: Float32Array, shape: number[]): Promise<Float32Array> {
  const y = tf.tidy(() => model.predict(tf.tensor(input, shape)) as tf.Tensor);
  const data = (await y.data()) as Float32Array;
  y.dispose();
  return data;
}

describe('tfjs export', () => {
  it('rebuilds a ResNet with stock layers only and the same outputs', async () => {
    const m = resnet('small', { size: 12, channels: 3, width: 0.25, seed: 1 });
    randomizeWeights(m, 7);
    const before = tf.memory().numTensors;
    const stock = await toStockModel(m);
    const classes = new Set(stock.layers.map((l) => l.getClassName()));
    expect(classes.has('PretextBatchNorm')).toBe(false);
    expect([...classes].sort()).toEqual(['Add', 'BatchNormalization', 'Conv2D', 'GlobalAveragePooling2D', 'InputLayer', 'ReLU', 'ZeroPadding2D']);
    const shape = [3, 12, 12, 3];
    const x = seeded(3 * 12 * 12 * 3, 5);
    expect(relErr(await predict(stock, x, shape), await predict(m, x, shape))).toBeLessThanOrEqual(1e-5);
    stock.dispose();
    expect(tf.memory().numTensors).toBe(before);
    m.dispose();
  });

  it('writes files that stock TensorFlow.js loads in a fresh process, same outputs', async () => {
    const m = resnet('resnet18', { size: 16, channels: 1, width: 0.125, seed: 2 });
    randomizeWeights(m, 8);
    const dir = join(tmp.dir, 'r18');
    const files = await writeTfjsModel(m, dir);
    expect(files.map((f) => f.path.slice(dir.length + 1))).toEqual(['model.json', 'weights.bin']);
    expect(files[1]!.bytes).toBe(m.countParams() * 4);
    expect(readFileSync(files[0]!.path, 'utf8')).not.toContain('PretextBatchNorm');
    const shape = [2, 16, 16, 1];
    const x = seeded(2 * 16 * 16, 6);
    writeFileSync(join(tmp.dir, 'x.f32'), x);
    const script = join(import.meta.dirname, 'fixtures', 'stockLoad.mjs');
    execFileSync(process.execPath, [script, dir, join(tmp.dir, 'x.f32'), join(tmp.dir, 'y.json'), ...shape.map(String)], { stdio: 'pipe' });
    const got = JSON.parse(readFileSync(join(tmp.dir, 'y.json'), 'utf8')) as { classes: string[]; output: number[] };
    expect(got.classes).toContain('BatchNormalization');
    expect(relErr(got.output, await predict(m, x, shape))).toBeLessThanOrEqual(1e-5);
    m.dispose();
  });

  for (const [pool, channels] of [['cls', 1], ['mean', 3]] as const) {
    it(`rebuilds a ViT (${pool} pooling) from stock layers that stock TensorFlow.js loads in a fresh process`, async () => {
      const m = vit('vit-mini', { size: 12, channels, width: 0.25, pool });
      randomizeWeights(m, 10);
      const dir = join(tmp.dir, `vit-${pool}`);
      const before = tf.memory().numTensors;
      const files = await writeTfjsModel(m, dir);
      expect(tf.memory().numTensors).toBe(before);
      expect(readFileSync(files[0]!.path, 'utf8')).not.toMatch(/PretextPatchEmbed|PretextViT/);
      const shape = [2, 12, 12, channels];
      const x = seeded(2 * 12 * 12 * channels, 11);
      writeFileSync(join(tmp.dir, 'xv.f32'), x);
      const script = join(import.meta.dirname, 'fixtures', 'stockLoad.mjs');
      execFileSync(process.execPath, [script, dir, join(tmp.dir, 'xv.f32'), join(tmp.dir, 'yv.json'), ...shape.map(String)], { stdio: 'pipe' });
      const got = JSON.parse(readFileSync(join(tmp.dir, 'yv.json'), 'utf8')) as { classes: string[]; output: number[] };
      expect(got.classes).toEqual(expect.arrayContaining(['LayerNormalization', 'Dot', 'Dense', 'Concatenate', 'Permute']));
      expect(relErr(got.output, await predict(m, x, shape))).toBeLessThanOrEqual(1e-5);
      m.dispose();
    });
  }

  it('round-trips other layers (stride-2 same convs, pools, dense) through its own loader', async () => {
    const m = oddModel(10, 3);
    randomizeWeights(m, 9);
    const dir = join(tmp.dir, 'odd');
    await writeTfjsModel(m, dir);
    const before = tf.memory().numTensors;
    const loaded = await tfl.loadLayersModel(tfjsFileLoader(dir));
    const shape = [2, 10, 10, 3];
    const x = seeded(600, 3);
    expect(relErr(await predict(loaded, x, shape), await predict(m, x, shape))).toBeLessThanOrEqual(1e-5);
    loaded.dispose();
    expect(tf.memory().numTensors).toBe(before);
    m.dispose();
  });

  it('refuses a layer with no stock equivalent, naming it', async () => {
    const x = tfl.input({ shape: [4, 4, 1] });
    const y = tfl.layers.layerNormalization({ name: 'ln' }).apply(x) as tfl.SymbolicTensor;
    const z = tfl.layers.globalAveragePooling2d({}).apply(y) as tfl.SymbolicTensor;
    const m = tfl.model({ inputs: x, outputs: z });
    await expect(toStockModel(m)).rejects.toThrow(/layer 'ln' is a LayerNormalization, which the tfjs export does not support/);
    m.dispose();
  });
});
