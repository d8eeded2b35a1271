/**
 * A method's declared evaluation encoder end to end (SimCLR v2 with evalLayers 1): the trainer's
 * monitor, kNN, the random-init baseline and the ONNX export all read the features after the
 * projector's first layer, and agree with each other.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { presetForMethod } from '../../src-main/ml/augment';
import { useBackend } from '../../src-main/ml/backend';
import { resolveConfig } from '../../src-main/ml/train/config';
import { encoderData, loadEncoder, randomEncoder } from '../../src-main/tasks/encoder';
import { evalKnn } from '../../src-main/tasks/evaluate';
import { exportEncoder } from '../../src-main/tasks/export';
import { runTraining } from '../../src-main/tasks/train';
import { createRun, runMetrics } from '../../src-main/store/runs';
import { Workspace } from '../../src-main/store/workspace';
import { makeTempDir } from '../helpers/tmp';
import { makeToyDataset } from '../helpers/toyDataset';
import { relErr } from '../ml/backend/helpers';

let tmp: ReturnType<typeof makeTempDir>;
let ws: Workspace;
let runId: string;

beforeAll(async () => {
  await useBackend('cpu');
  tmp = makeTempDir('pretext-eval-encoder-');
  ws = Workspace.open(join(tmp.dir, 'ws'));
  const datasetId = makeToyDataset(ws, { channels: 3 });
  const cfg = resolveConfig('simclrv2', { epochs: 1, batch: 16, seed: 3, width: 0.25, lr: 0.05, params: { projHidden: 16, projOut: 8, evalLayers: 1 } }, (b) => presetForMethod(b, 8));
  runId = createRun(ws, datasetId, 'simclrv2', cfg).id;
  await runTraining(ws, runId);
}, 120_000);
afterAll(() => {
  ws.close();
  tmp.cleanup();
});

describe('SimCLR v2 evaluated from the projector’s first layer', () => {
  it('the trained and the random-init encoders give projector-width features; kNN equals the monitor’s', async () => {
    const before = tf.memory().numTensors;
    const enc = await loadEncoder(ws, runId);
    expect(enc.backbone.outputs[0]!.shape).toEqual([null, 16]);
    enc.dispose();
    const rnd = await randomEncoder(ws, runId);
    expect(rnd.backbone.outputs[0]!.shape).toEqual([null, 16]);
    rnd.dispose();
    expect(tf.memory().numTensors).toBe(before);
    const knn = await evalKnn(ws, runId);
    const monitored = runMetrics(ws, runId, 'knn_top1').at(-1)!.value;
    expect(knn.result['top1']).toBeCloseTo(monitored, 6);
  });

  it('exports that encoder to ONNX: onnxruntime matches tfjs within 1e-4', async () => {
    const onnx = await exportEncoder(ws, runId, { format: 'onnx' });
    const enc = await loadEncoder(ws, runId);
    const d = encoderData(enc, ws);
    const per = d.size * d.size * d.channels;
    const x = new Float32Array(d.testIdx.length * per);
    d.testIdx.forEach((idx, i) => {
      for (let k = 0; k < per; k++) x[i * per + k] = (d.pixels[idx * per + k]! / 255 - enc.stats.mean[k % d.channels]!) / enc.stats.std[k % d.channels]!;
    });
    const shape = [d.testIdx.length, d.size, d.size, d.channels];
    const want = tf.tidy(() => enc.backbone.predict(tf.tensor(x, shape)) as tf.Tensor);
    const session = await ort.InferenceSession.create(readFileSync(onnx.path));
    const out = await session.run({ image: new ort.Tensor('float32', x, shape) });
    await session.release();
    expect(out['features']!.dims).toEqual([d.testIdx.length, 16]);
    expect(relErr(out['features']!.data as Float32Array, await want.data())).toBeLessThanOrEqual(1e-4);
    want.dispose();
    enc.dispose();
  });
});
