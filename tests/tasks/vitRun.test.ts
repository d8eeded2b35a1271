/**
 * A ViT backbone through the trainer, checkpoints, the random-init baseline and the export, on
 * a tiny grayscale dataset: simclr (adamw) and byol on vit-mini train from their run configs
 * with a constant tensor count across steps; the checkpoint
 * round trip restores the same function; randomEncoder has the run's initial weights; the ONNX
 * export reproduces the exported embeddings; the tfjs export writes its folder.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { presetForMethod } from '../../src-main/ml/augment';
import { useBackend } from '../../src-main/ml/backend';
import { buildBackbone } from '../../src-main/ml/backbones/registry';
import { decodeNpy } from '../../src-main/ml/export/npy';
import { readCheckpoint, restoreCheckpoint, saveCheckpoint } from '../../src-main/ml/train/checkpoint';
import { resolveConfig } from '../../src-main/ml/train/config';
import { buildModel } from '../../src-main/ml/train/loop';
import { encoderData, loadEncoder, randomEncoder } from '../../src-main/tasks/encoder';
import { exportEmbeddings, exportEncoder } from '../../src-main/tasks/export';
import { runTraining } from '../../src-main/tasks/train';
import { createRun, runMetrics } from '../../src-main/store/runs';
import { Workspace } from '../../src-main/store/workspace';
import { makeTempDir } from '../helpers/tmp';
import { makeToyDataset } from '../helpers/toyDataset';
import { relErr } from '../ml/backend/helpers';

let tmp: ReturnType<typeof makeTempDir>;
let ws: Workspace;
let datasetId: string;
let runId: string;
const simclrSteps: number[] = [];
const cfg = resolveConfig('simclr', { epochs: 1, batch: 16, seed: 5, backbone: 'vit-mini', width: 0.25, params: { projHidden: 16, projOut: 8 }, optimizer: 'adamw', lr: 1e-3 }, (b) => presetForMethod(b, 8));

beforeAll(async () => {
  await useBackend('cpu');
  tmp = makeTempDir('pretext-vit-run-');
  ws = Workspace.open(join(tmp.dir, 'ws'));
  datasetId = makeToyDataset(ws, { channels: 1 });
  runId = createRun(ws, datasetId, 'simclr', cfg).id;
  await runTraining(ws, runId, { onStep: () => simclrSteps.push(tf.memory().numTensors) });
}, 300_000);
afterAll(() => {
  ws.close();
  tmp.cleanup();
});

const weightsOf = (m: { weights: { read(): tf.Tensor }[] }) => Promise.all(m.weights.map(async (w) => Array.from(await w.read().data())));

describe('a ViT run', () => {
  it('simclr and byol train on it with a constant tensor count across steps, none leaked', async () => {
    expect(simclrSteps).toHaveLength(3);
    expect(new Set(simclrSteps).size).toBe(1);
    const before = tf.memory().numTensors;
    const byol = resolveConfig('byol', { epochs: 1, batch: 16, seed: 5, backbone: 'vit-mini', width: 0.25, params: { projHidden: 16, projOut: 8, predHidden: 16 } }, (b) => presetForMethod(b, 8));
    const id = createRun(ws, datasetId, 'byol', byol).id;
    const steps: number[] = [];
    const result = await runTraining(ws, id, { onStep: () => steps.push(tf.memory().numTensors) });
    expect(result.status).toBe('completed');
    expect(steps).toHaveLength(3);
    expect(new Set(steps).size).toBe(1);
    const loss = runMetrics(ws, id, 'loss').map((m) => m.value);
    expect(loss.every(Number.isFinite)).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('trains, and randomEncoder is the run backbone at its seeded init, not the trained one', async () => {
    expect(runMetrics(ws, runId).length).toBeGreaterThan(0);
    const random = await randomEncoder(ws, runId);
    const init = buildBackbone(cfg, { size: 8, channels: 1 });
    const trained = await loadEncoder(ws, runId);
    expect(random.backbone.outputs[0]!.shape).toEqual([null, 32]);
    const [r, i, t] = await Promise.all([weightsOf(random.backbone), weightsOf(init), weightsOf(trained.backbone)]);
    expect(r).toEqual(i);
    expect(t).not.toEqual(i);
    random.dispose();
    trained.dispose();
    init.dispose();
  });

  it('checkpoint round trip: another seed restored from the checkpoint computes the same features', async () => {
    const data = { size: 8, channels: 1, numClasses: 4 };
    const a = buildModel(cfg, data);
    const b = buildModel({ ...cfg, seed: 6 }, data);
    const file = join(tmp.dir, 'vit.ckpt');
    await saveCheckpoint(file, a, null, { epoch: 0, step: 0, trainSeconds: 0 });
    const x = tf.randomNormal([3, 8, 8, 1], 0, 1, 'float32', 1);
    const before = (await (b.backbone.predict(x) as tf.Tensor).data()) as Float32Array;
    restoreCheckpoint(readCheckpoint(file), b, null);
    const [ya, yb] = [a.backbone.predict(x) as tf.Tensor, b.backbone.predict(x) as tf.Tensor];
    expect(Array.from(await yb.data())).toEqual(Array.from(await ya.data()));
    expect(relErr(before, (await ya.data()) as Float32Array)).toBeGreaterThan(1e-3);
    tf.dispose([x, ya, yb]);
    a.dispose();
    b.dispose();
  });

  it('ONNX export reproduces the exported test embeddings; the tfjs export writes its folder', async () => {
    const onnx = await exportEncoder(ws, runId, { format: 'onnx' });
    const emb = await exportEmbeddings(ws, runId, { format: 'npy', out: join(tmp.dir, 'feat.npy') });
    const enc = await loadEncoder(ws, runId);
    const d = encoderData(enc, ws);
    const per = d.size * d.size;
    const x = new Float32Array(d.testIdx.length * per);
    d.testIdx.forEach((idx, i) => {
      for (let k = 0; k < per; k++) x[i * per + k] = (d.pixels[idx * per + k]! / 255 - enc.stats.mean[0]!) / enc.stats.std[0]!;
    });
    const session = await ort.InferenceSession.create(readFileSync(onnx.path));
    const out = await session.run({ image: new ort.Tensor('float32', x, [d.testIdx.length, 8, 8, 1]) });
    await session.release();
    const npy = decodeNpy(readFileSync(emb.path));
    expect(npy.shape).toEqual([d.testIdx.length, 32]);
    expect(relErr(out['features']!.data as Float32Array, npy.data)).toBeLessThanOrEqual(1e-4);
    enc.dispose();
    const tfjs = await exportEncoder(ws, runId, { format: 'tfjs', out: join(tmp.dir, 'tfjs') });
    expect(tfjs.files.map((f) => f.path.slice(tfjs.path.length + 1))).toEqual(['model.json', 'weights.bin', 'pretext.json']);
  });
});
