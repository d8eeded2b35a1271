/**
 * An evaluation encoder with a luminance input and mean pooling (an L-only ViT evaluated as MAE
 * is) through both exports: onnxruntime within 1e-4 of tfjs; the tfjs files load with stock
 * TensorFlow.js in a fresh process (no Pretext layer registered: the luminance is a 1×1 Conv2D)
 * and with Pretext's loader, to the same outputs. A luminance + ResNet encoder too.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../../src-main/ml/backend';
import { resnet } from '../../../src-main/ml/backbones/resnet';
import { vit } from '../../../src-main/ml/backbones/vit';
import { ONNX_INPUT, ONNX_OUTPUT, toOnnx } from '../../../src-main/ml/export/onnx';
import { tfjsFileLoader, writeTfjsModel } from '../../../src-main/ml/export/tfjsExport';
import { evaluationEncoder } from '../../../src-main/ml/methods/evaluation';
import { makeTempDir } from '../../helpers/tmp';
import { relErr, seeded } from '../backend/helpers';
import { randomizeWeights } from './models';

const tmp = makeTempDir('pretext-lum-export-');
beforeAll(async () => {
  await useBackend('cpu');
});
afterAll(() => tmp.cleanup());

const stats = { mean: [0.3, 0.45, 0.6], std: [0.2, 0.3, 0.25] };

async function predict(model: tfl.LayersModel, input: Float32Array, shape: number[]): Promise<Float32Array> {
  const y = tf.tidy(() => model.predict(tf.tensor(input, shape)) as tf.Tensor);
  const data = (await y.data()) as Float32Array;
  y.dispose();
  return data;
}

async function onnxOutput(model: tfl.LayersModel, input: Float32Array, shape: number[]): Promise<{ data: Float32Array; dims: readonly number[] }> {
  const session = await ort.InferenceSession.create(await toOnnx(model));
  try {
    const out = (await session.run({ [ONNX_INPUT]: new ort.Tensor('float32', input, shape) }))[ONNX_OUTPUT]!;
    return { data: out.data as Float32Array, dims: out.dims };
  } finally {
    await session.release();
  }
}

const cases = [
  ['vit-mini, luminance + mean pooling', () => vit('vit-mini', { size: 12, channels: 1, width: 0.25 }), { input: 'luminance', pooling: 'mean' }],
  ['small ResNet, luminance', () => resnet('small', { size: 12, channels: 1, width: 0.25, seed: 3 }), { input: 'luminance' }],
] as const;

describe('luminance and mean-pooling encoders: tfjs and ONNX exports', () => {
  for (const [name, make, spec] of cases) {
    it(`${name}: ONNX within 1e-4 of tfjs; tfjs files reload (stock and ours) to the same outputs`, async () => {
      const backbone = make();
      randomizeWeights(backbone, 12);
      const { encoder, dispose } = evaluationEncoder({ backbone, networks: () => ({ backbone }), buffers: () => ({}) }, spec, stats);
      const shape = [3, 12, 12, 3];
      const x = seeded(3 * 12 * 12 * 3, 21);
      const want = await predict(encoder, x, shape);
      const onnx = await onnxOutput(encoder, x, shape);
      expect(onnx.dims).toEqual([3, encoder.outputs[0]!.shape[1]]);
      expect(relErr(onnx.data, want)).toBeLessThanOrEqual(1e-4);

      const dir = join(tmp.dir, name.split(',')[0]!);
      const before = tf.memory().numTensors;
      const files = await writeTfjsModel(encoder, dir);
      expect(tf.memory().numTensors).toBe(before);
      expect(readFileSync(files[0]!.path, 'utf8')).not.toMatch(/PretextLuminance|PretextPatchEmbed|PretextViT|PretextBatchNorm/);
      const loaded = await tfl.loadLayersModel(tfjsFileLoader(dir));
      expect(loaded.inputs[0]!.shape).toEqual([null, 12, 12, 3]);
      expect(relErr(await predict(loaded, x, shape), want)).toBeLessThanOrEqual(1e-5);
      loaded.dispose();
      writeFileSync(join(tmp.dir, 'x.f32'), x);
      const script = join(import.meta.dirname, 'fixtures', 'stockLoad.mjs');
      execFileSync(process.execPath, [script, dir, join(tmp.dir, 'x.f32'), join(tmp.dir, 'y.json'), ...shape.map(String)], { stdio: 'pipe' });
      const got = JSON.parse(readFileSync(join(tmp.dir, 'y.json'), 'utf8')) as { classes: string[]; output: number[] };
      expect(got.classes).toContain('Conv2D');
      expect(relErr(got.output, want)).toBeLessThanOrEqual(1e-5);
      dispose();
    }, 60_000);
  }
});
