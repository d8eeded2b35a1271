/**
 * A method's declared evaluation input and pooling end to end (EvaluationSpec, issue 12): an
 * L-only SimCLR (`input=luminance`) on an RGB dataset trains a one-channel backbone on luminance
 * views, and its kNN, random-init baseline and ONNX export all put the luminance in front of it;
 * DINO on a ViT with `evalPool=mean` is evaluated on the mean of the patch tokens by the monitor
 * and by kNN alike, not on the class token the backbone returns.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { presetForMethod } from '../../src-main/ml/augment';
import { useBackend } from '../../src-main/ml/backend';
import { buildBackbone } from '../../src-main/ml/backbones/registry';
import { Luminance } from '../../src-main/ml/backbones/luminance';
import { ViTHead } from '../../src-main/ml/backbones/vitLayers';
import { resolveConfig } from '../../src-main/ml/train/config';
import { encoderData, loadEncoder, randomEncoder } from '../../src-main/tasks/encoder';
import { evalKnn } from '../../src-main/tasks/evaluate';
import { exportEncoder } from '../../src-main/tasks/export';
import { exportRecipe } from '../../src-main/tasks/recipe/export';
import { runTraining } from '../../src-main/tasks/train';
import { createRun, runMetrics } from '../../src-main/store/runs';
import { Workspace } from '../../src-main/store/workspace';
import { makeTempDir } from '../helpers/tmp';
import { makeToyDataset } from '../helpers/toyDataset';
import { relErr } from '../ml/backend/helpers';

let tmp: ReturnType<typeof makeTempDir>;
let ws: Workspace;
let datasetId: string;

beforeAll(async () => {
  await useBackend('cpu');
  tmp = makeTempDir('pretext-eval-spec-');
  ws = Workspace.open(join(tmp.dir, 'ws'));
  datasetId = makeToyDataset(ws, { channels: 3 });
});
afterAll(() => {
  ws.close();
  tmp.cleanup();
});

/** The normalised test images of a run's dataset as one NHWC array. */
function testImages(enc: Awaited<ReturnType<typeof loadEncoder>>): { x: Float32Array; shape: number[] } {
  const d = encoderData(enc, ws);
  const per = d.size * d.size * d.channels;
  const x = new Float32Array(d.testIdx.length * per);
  d.testIdx.forEach((idx, i) => {
    for (let k = 0; k < per; k++) x[i * per + k] = (d.pixels[idx * per + k]! / 255 - enc.stats.mean[k % d.channels]!) / enc.stats.std[k % d.channels]!;
  });
  return { x, shape: [d.testIdx.length, d.size, d.size, d.channels] };
}

describe('an L-only encoder (simclr input=luminance) on RGB images', () => {
  let runId: string;
  beforeAll(async () => {
    const cfg = resolveConfig('simclr', { epochs: 1, batch: 16, seed: 4, width: 0.25, params: { projHidden: 16, projOut: 8, input: 'luminance' } }, (b) => presetForMethod(b, 8));
    runId = createRun(ws, datasetId, 'simclr', cfg).id;
    const steps: number[] = [];
    const r = await runTraining(ws, runId, { onStep: () => steps.push(tf.memory().numTensors) });
    expect(r.status).toBe('completed');
    expect(new Set(steps).size).toBe(1);
  }, 300_000);

  it('trains a one-channel backbone; the trained and random-init encoders take RGB through the luminance layer', async () => {
    const before = tf.memory().numTensors;
    for (const enc of [await loadEncoder(ws, runId), await randomEncoder(ws, runId)]) {
      expect(enc.backbone.inputs[0]!.shape).toEqual([null, 8, 8, 3]);
      expect(enc.backbone.layers[1]).toBeInstanceOf(Luminance);
      expect(enc.backbone.weights[0]!.shape[2]).toBe(1); // the stem convolution reads one channel
      expect((enc.backbone.layers[1] as Luminance).mean).toEqual(enc.stats.mean);
      enc.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('kNN equals the monitor’s, and the ONNX export computes the same encoder within 1e-4', async () => {
    const knn = await evalKnn(ws, runId);
    expect(knn.result['top1']).toBeCloseTo(runMetrics(ws, runId, 'knn_top1').at(-1)!.value, 6);
    const onnx = await exportEncoder(ws, runId, { format: 'onnx' });
    const enc = await loadEncoder(ws, runId);
    const { x, shape } = testImages(enc);
    const want = tf.tidy(() => enc.backbone.predict(tf.tensor(x, shape)) as tf.Tensor);
    const session = await ort.InferenceSession.create(readFileSync(onnx.path));
    const out = await session.run({ image: new ort.Tensor('float32', x, shape) });
    await session.release();
    expect(relErr(out['features']!.data as Float32Array, await want.data())).toBeLessThanOrEqual(1e-4);
    want.dispose();
    enc.dispose();
  });

  it('the PyTorch recipe export refuses it (its program reads the images, not luminance)', () => {
    expect(() => exportRecipe(ws, runId, { out: join(tmp.dir, 'recipe') })).toThrow(/L-only encoder \(simclr with input luminance\)/);
  });
});

describe('dino on a ViT evaluated on the mean of the patch tokens (evalPool=mean)', () => {
  let runId: string;
  const cfg = resolveConfig(
    'dino',
    { epochs: 1, batch: 16, seed: 6, backbone: 'vit-mini', width: 0.25, params: { projHidden: 16, projOut: 8, prototypes: 16, evalPool: 'mean' } },
    (b) => presetForMethod(b, 8),
  );
  beforeAll(async () => {
    runId = createRun(ws, datasetId, 'dino', cfg).id;
    expect((await runTraining(ws, runId)).status).toBe('completed');
  }, 300_000);

  it('kNN equals the monitor’s; the encoder pools by the mean, not by the backbone’s class token', async () => {
    const knn = await evalKnn(ws, runId);
    expect(knn.result['top1']).toBeCloseTo(runMetrics(ws, runId, 'knn_top1').at(-1)!.value, 6);
    const enc = await loadEncoder(ws, runId);
    expect(enc.backbone.layers.filter((l) => l instanceof ViTHead).map((l) => (l as ViTHead).pool)).toEqual(['mean']);
    // The same trained weights in the backbone as built (class token) give other features.
    const cls = buildBackbone(cfg, { size: 8, channels: 3 });
    cls.setWeights(enc.backbone.weights.map((w) => w.read()));
    const { x, shape } = testImages(enc);
    const [mean, token] = tf.tidy(() => [enc.backbone.predict(tf.tensor(x, shape)) as tf.Tensor, cls.predict(tf.tensor(x, shape)) as tf.Tensor]);
    expect(relErr(await mean!.data(), await token!.data())).toBeGreaterThan(1e-2);
    tf.dispose([mean!, token!]);
    cls.dispose();
    enc.dispose();
  });
});
