/**
 * The export service functions on a real (tiny) trained run: the ONNX file, fed the dataset's
 * test images normalised as its metadata says, gives the features exportEmbeddings writes;
 * the tfjs folder loads and matches; errors name the run or the path.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PretextError } from '../../src-main/core/errors';
import { presetForMethod } from '../../src-main/ml/augment';
import { useBackend } from '../../src-main/ml/backend';
import { encoderData, loadEncoder } from '../../src-main/tasks/encoder';
import { exportEmbeddings, exportEncoder, type EncoderSidecar } from '../../src-main/tasks/export';
import { decodeNpy } from '../../src-main/ml/export/npy';
import { decodeModel } from '../../src-main/ml/export/onnxProto';
import { tfjsFileLoader } from '../../src-main/ml/export/tfjsExport';
import { resolveConfig } from '../../src-main/ml/train/config';
import { runTraining } from '../../src-main/tasks/train';
import { createRun } from '../../src-main/store/runs';
import { Workspace } from '../../src-main/store/workspace';
import { makeTempDir } from '../helpers/tmp';
import { makeToyDataset } from '../helpers/toyDataset';
import { relErr } from '../ml/backend/helpers';

let tmp: ReturnType<typeof makeTempDir>;
let ws: Workspace;
let datasetId: string;
let runId: string;

function newRun(epochs: number): string {
  const cfg = resolveConfig('simclr', { epochs, batch: 16, seed: 3, width: 0.25, params: { projHidden: 16, projOut: 8 }, lr: 0.05 }, (b) => presetForMethod(b, 8));
  return createRun(ws, datasetId, 'simclr', cfg).id;
}

beforeAll(async () => {
  await useBackend('cpu');
  tmp = makeTempDir('pretext-export-run-');
  ws = Workspace.open(join(tmp.dir, 'ws'));
  datasetId = makeToyDataset(ws, { channels: 3 });
  runId = newRun(1);
  await runTraining(ws, runId);
}, 120_000);
afterAll(() => {
  ws.close();
  tmp.cleanup();
});

/** Test images of the run's dataset, normalised with the given stats, NHWC float32. */
async function normalisedTestImages(stats: { mean: number[]; std: number[] }): Promise<{ x: Float32Array; n: number; size: number; channels: number }> {
  const enc = await loadEncoder(ws, runId);
  const d = encoderData(enc, ws);
  const per = d.size * d.size * d.channels;
  const x = new Float32Array(d.testIdx.length * per);
  d.testIdx.forEach((idx, i) => {
    for (let k = 0; k < per; k++) {
      const c = k % d.channels;
      x[i * per + k] = (d.pixels[idx * per + k]! / 255 - stats.mean[c]!) / stats.std[c]!;
    }
  });
  const out = { x, n: d.testIdx.length, size: d.size, channels: d.channels };
  enc.dispose();
  return out;
}

describe('exportEncoder / exportEmbeddings on a trained run', () => {
  it('ONNX with its metadata reproduces the exported test embeddings', async () => {
    const before = tf.memory().numTensors;
    const onnx = await exportEncoder(ws, runId, { format: 'onnx' });
    expect(onnx.path).toBe(join(ws.runsDir, runId, 'exports', `${runId}-encoder-e1.onnx`));
    const emb = await exportEmbeddings(ws, runId, { format: 'npy', out: join(tmp.dir, 'out', 'feat.npy') });
    expect(tf.memory().numTensors).toBe(before);
    const bytes = readFileSync(onnx.path);
    const meta = JSON.parse(decodeModel(bytes).metadata_props.find((p) => p.key === 'pretext')!.value) as EncoderSidecar;
    expect(meta).toMatchObject({ runId, method: 'simclr', epoch: 1, input: { layout: 'NHWC', channels: 3, height: 8 }, dataset: { id: datasetId } });
    const { x, n, size, channels } = await normalisedTestImages(meta.normalization);
    const session = await ort.InferenceSession.create(bytes);
    const out = await session.run({ image: new ort.Tensor('float32', x, [n, size, size, channels]) });
    await session.release();
    const npy = decodeNpy(readFileSync(emb.path));
    expect(npy.shape).toEqual([n, meta.featureDim]);
    expect(relErr(out['features']!.data as Float32Array, npy.data)).toBeLessThanOrEqual(1e-4);
    expect(emb.files.map((f) => f.path)).toEqual([emb.path, join(tmp.dir, 'out', 'feat.labels.csv')]);
    const labels = readFileSync(emb.files[1]!.path, 'utf8').trim().split('\n');
    expect(labels.length).toBe(n + 1);
    expect(labels[1]).toMatch(/^\d+,test,0,class0$/);
  });

  it('tfjs folder: model.json, weights.bin and pretext.json; loads and matches the encoder', async () => {
    const dir = join(tmp.dir, 'tfjs');
    const res = await exportEncoder(ws, runId, { format: 'tfjs', out: dir });
    expect(res.files.map((f) => f.path.slice(dir.length + 1))).toEqual(['model.json', 'weights.bin', 'pretext.json']);
    const side = JSON.parse(readFileSync(join(dir, 'pretext.json'), 'utf8')) as EncoderSidecar;
    const enc = await loadEncoder(ws, runId);
    expect(side.normalization.mean).toEqual(enc.stats.mean);
    expect(side.normalization.std).toEqual(enc.stats.std);
    expect(side.featureDim).toBe(32);
    expect(side.config['method']).toBe('simclr');
    expect(side.pretextVersion).toMatch(/^\d+\.\d+\.\d+/);
    const before = tf.memory().numTensors;
    const loaded = await tfl.loadLayersModel(tfjsFileLoader(dir));
    const { x, n, size, channels } = await normalisedTestImages(side.normalization);
    const [a, b] = tf.tidy(() => {
      const t = tf.tensor(x, [n, size, size, channels]);
      return [loaded.predict(t) as tf.Tensor, enc.backbone.predict(t) as tf.Tensor];
    });
    expect(relErr(await a!.data(), await b!.data())).toBeLessThanOrEqual(1e-5);
    tf.dispose([a!, b!]);
    loaded.dispose();
    expect(tf.memory().numTensors).toBe(before);
    enc.dispose();
  });

  it('CSV of all splits: train rows then test rows', async () => {
    const res = await exportEmbeddings(ws, runId, { format: 'csv', split: 'all' });
    expect(res.path).toBe(join(ws.runsDir, runId, 'exports', `${runId}-embeddings-e1-all.csv`));
    const lines = readFileSync(res.path, 'utf8').trim().split('\n');
    expect(lines.length).toBe(1 + 48 + 24);
    expect(lines[0]!.split(',').length).toBe(4 + 32);
    expect(lines[1]!.split(',')[1]).toBe('train');
    expect(lines[49]!.split(',')[1]).toBe('test');
  });

  it('clear errors: unknown run, run without checkpoint, unwritable destination, bad format', async () => {
    await expect(exportEncoder(ws, 'run-nope', { format: 'onnx' })).rejects.toThrow(/no run 'run-nope'/);
    await expect(exportEmbeddings(ws, 'run-nope', { format: 'csv' })).rejects.toThrow(/no run 'run-nope'/);
    const fresh = newRun(1);
    await expect(exportEncoder(ws, fresh, { format: 'tfjs' })).rejects.toThrow(new RegExp(`run ${fresh} has no checkpoint`));
    await expect(exportEmbeddings(ws, fresh, { format: 'npy' })).rejects.toThrow(new RegExp(`run ${fresh} has no checkpoint`));
    const file = join(tmp.dir, 'plain-file');
    writeFileSync(file, 'x');
    const err = await exportEncoder(ws, runId, { format: 'onnx', out: join(file, 'enc.onnx') }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PretextError);
    expect((err as Error).message).toMatch(/cannot write the ONNX model to .*plain-file\/enc\.onnx: a parent of it is a file/);
    await expect(exportEncoder(ws, runId, { format: 'tfjs', out: file })).rejects.toThrow(/plain-file: it is a file/);
    await expect(exportEncoder(ws, runId, { format: 'keras' as 'onnx' })).rejects.toThrow(/format 'keras'/);
  });
});
