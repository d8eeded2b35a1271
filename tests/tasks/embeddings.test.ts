import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { presetForMethod } from '../../src-main/ml/augment';
import { resolveConfig } from '../../src-main/ml/train/config';
import { encoderEmbeddings, runEmbeddings } from '../../src-main/tasks/embeddings';
import { loadEncoder, randomEncoder } from '../../src-main/tasks/encoder';
import { knnAccuracy } from '../../src-main/ml/eval/monitor';
import { runTraining } from '../../src-main/tasks/train';
import { getEmbeddingsRow, saveEmbeddings } from '../../src-main/store/embeddings';
import { createRun, runMetrics } from '../../src-main/store/runs';
import { Workspace } from '../../src-main/store/workspace';
import { CancelledError } from '../../src-main/core/errors';
import { tinyRun, toyWorkspace, type ToyWorkspace } from '../helpers/evalRuns';
import { makeToyDataset } from '../helpers/toyDataset';

let toy: ToyWorkspace;
let ws: Workspace;
let simclrRun: string;
let randomRun: string;

function newRun(method: string, epochs: number): string {
  return tinyRun(toy, method, epochs, 5);
}

beforeAll(async () => {
  toy = await toyWorkspace();
  ws = toy.ws;
  simclrRun = newRun('simclr', 2);
  await runTraining(ws, simclrRun);
  randomRun = newRun('random', 1);
  await runTraining(ws, randomRun);
}, 120_000);
afterAll(() => toy.close());

describe('embeddings', () => {
  it('are the features the trainer monitored: kNN on them reproduces the last epoch knn_top1', async () => {
    const before = tf.memory().numTensors;
    const train = await runEmbeddings(ws, simclrRun, 'train');
    const test = await runEmbeddings(ws, simclrRun, 'test');
    expect(train.epoch).toBe(2);
    expect([train.count, test.count]).toEqual([48, 24]);
    expect(train.features.length).toBe(48 * train.dim);
    expect(Array.from(new Set(test.labels)).sort()).toEqual([0, 1, 2, 3]);
    const logged = runMetrics(ws, simclrRun, 'knn_top1').at(-1)!.value;
    const t = tf.tensor2d(train.features, [train.count, train.dim]);
    const q = tf.tensor2d(test.features, [test.count, test.dim]);
    const acc = await knnAccuracy(t, train.labels, q, test.labels, 4, { k: 200, temperature: 0.1 });
    tf.dispose([t, q]);
    expect(acc).toBeCloseTo(logged, 6);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('are cached per (run, epoch, split): the second call reads the file', async () => {
    const first = await runEmbeddings(ws, simclrRun, 'test');
    const row = getEmbeddingsRow(ws, simclrRun, 2, 'test')!;
    expect(row.count).toBe(24);
    expect(existsSync(join(ws.dir, row.path))).toBe(true);
    expect(row.path).toMatch(new RegExp(`^runs/${simclrRun}/embeddings/`));
    // Replace the cached values: what comes back must be what the file holds.
    saveEmbeddings(ws, { ...first, features: new Float32Array(first.features.length).fill(7) }, 0);
    const second = await runEmbeddings(ws, simclrRun, 'test');
    expect(second.features.every((v) => v === 7)).toBe(true);
    expect(Array.from(second.indices)).toEqual(Array.from(first.indices));
    expect(Array.from(second.labels)).toEqual(Array.from(first.labels));
    saveEmbeddings(ws, first, 0);
  });

  it('randomEncoder is the seeded initialisation a run starts from', async () => {
    const before = tf.memory().numTensors;
    const fromCheckpoint = await loadEncoder(ws, randomRun);
    const fresh = await randomEncoder(ws, randomRun);
    try {
      expect(fresh.epoch).toBe(0);
      expect(fresh.stats).toEqual(fromCheckpoint.stats);
      const a = await encoderEmbeddings(fromCheckpoint, ws, 'test');
      const b = await encoderEmbeddings(fresh, ws, 'test');
      expect(Array.from(b.features)).toEqual(Array.from(a.features));
      // …and differs from a trained run's weights.
      const trained = await runEmbeddings(ws, simclrRun, 'test');
      const simRandom = await randomEncoder(ws, simclrRun);
      const r = await encoderEmbeddings(simRandom, ws, 'test');
      simRandom.dispose();
      expect(Array.from(r.features)).not.toEqual(Array.from(trained.features));
    } finally {
      fromCheckpoint.dispose();
      fresh.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('report progress per batch and stop when cancelled', async () => {
    const enc = await randomEncoder(ws, simclrRun);
    const seen: number[] = [];
    const progress = { start: () => {}, update: (d: number) => seen.push(d), finish: () => {}, log: () => {} };
    try {
      await encoderEmbeddings(enc, ws, 'train', { progress });
      expect(seen.at(-1)).toBe(48);
      const ac = new AbortController();
      ac.abort();
      await expect(encoderEmbeddings(enc, ws, 'train', { signal: ac.signal })).rejects.toBeInstanceOf(CancelledError);
    } finally {
      enc.dispose();
    }
  });

  it('stop between batches when cancelled mid-way, leaking no tensors', async () => {
    // 600 train images: three batches of 256; cancel while the first is reported.
    const bigger = makeToyDataset(ws, { perClassTrain: 150, perClassTest: 2, seed: 2 });
    const cfg = resolveConfig('simclr', { epochs: 1, batch: 16, seed: 5, width: 0.25, params: { projHidden: 16, projOut: 8 } }, (b) => presetForMethod(b, 8));
    const run = createRun(ws, bigger, 'simclr', cfg).id;
    const enc = await randomEncoder(ws, run); // needs no checkpoint
    const before = tf.memory().numTensors;
    const ac = new AbortController();
    const done: number[] = [];
    const progress = { start: () => {}, update: (d: number) => (done.push(d), ac.abort()), finish: () => {}, log: () => {} };
    try {
      await expect(encoderEmbeddings(enc, ws, 'train', { signal: ac.signal, progress })).rejects.toBeInstanceOf(CancelledError);
      expect(done).toEqual([256]);
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      enc.dispose();
    }
  });

  it('name the run when it does not exist or has no checkpoint', async () => {
    await expect(runEmbeddings(ws, 'run-nope', 'test')).rejects.toThrow(/no run 'run-nope'/);
    const untrained = newRun('simclr', 1);
    await expect(runEmbeddings(ws, untrained, 'test')).rejects.toThrow(`run ${untrained} has no checkpoint yet (train it first)`);
    await expect(loadEncoder(ws, untrained)).rejects.toThrow(/no checkpoint yet/);
  });
});
