import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { knnClassify, knnTop1 } from '../../../src-main/ml/eval/knnEval';
import { evalKnn, evalKnnWithBaselines } from '../../../src-main/tasks/evaluate';
import { runTraining } from '../../../src-main/tasks/train';
import { getEvaluation, listEvaluations } from '../../../src-main/store/evaluations';
import { createRun, runMetrics } from '../../../src-main/store/runs';
import { Workspace } from '../../../src-main/store/workspace';
import { CancelledError } from '../../../src-main/core/errors';
import { tinyRun, toyWorkspace, uniform, type ToyWorkspace } from '../../helpers/evalRuns';

let toy: ToyWorkspace;
let ws: Workspace;
let runId: string;

function newRun(method: string, epochs: number): string {
  return tinyRun(toy, method, epochs, 2);
}

beforeAll(async () => {
  toy = await toyWorkspace();
  ws = toy.ws;
  runId = newRun('simclr', 1);
  await runTraining(ws, runId);
}, 120_000);
afterAll(() => toy.close());

/** Float64 reference: cosine similarity, the k most similar, votes exp(s/T). */
function reference(train: Float32Array, labels: Int32Array, test: Float32Array, d: number, C: number, k: number, T: number): Int32Array {
  const norm = (a: Float32Array, i: number) => Math.hypot(...a.subarray(i * d, (i + 1) * d));
  const n = labels.length;
  const out = new Int32Array(test.length / d);
  for (let q = 0; q < out.length; q++) {
    const sims = Array.from({ length: n }, (_, i) => {
      let s = 0;
      for (let j = 0; j < d; j++) s += test[q * d + j]! * train[i * d + j]!;
      return [s / (norm(test, q) * norm(train, i)), i] as const;
    }).sort((a, b) => b[0] - a[0]);
    const votes = new Float64Array(C);
    for (const [s, i] of sims.slice(0, k)) votes[labels[i]!]! += Math.exp(s / T);
    out[q] = votes.indexOf(Math.max(...votes));
  }
  return out;
}

describe('knnClassify', () => {
  it('matches a float64 reference across chunks and leaks no tensors', async () => {
    const before = tf.memory().numTensors;
    const rnd = uniform(3);
    const d = 8;
    const train = Float32Array.from({ length: 300 * d }, rnd);
    const labels = Int32Array.from({ length: 300 }, (_, i) => i % 5);
    const test = Float32Array.from({ length: 600 * d }, rnd); // > one chunk of 512
    const got = await knnClassify(train, labels, test, 5, 20, 0.1);
    const want = reference(train, labels, test, d, 5, 20, 0.1);
    const agree = got.filter((p, i) => p === want[i]).length;
    expect(agree).toBeGreaterThanOrEqual(599); // float32 vs float64: at most a near-tie differs
    const top1 = await knnTop1(train, labels, test, Int32Array.from(want), 5, 20, 0.1);
    expect(top1).toBeCloseTo(agree / 600, 10);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('stops when cancelled', async () => {
    const ac = new AbortController();
    ac.abort();
    const f = new Float32Array(40).fill(1);
    await expect(knnClassify(f, new Int32Array(10), f, 2, 3, 0.1, { signal: ac.signal })).rejects.toBeInstanceOf(CancelledError);
  });
});

describe('evalKnn', () => {
  it('scores the run as the trainer monitored it and stores the result', async () => {
    const before = tf.memory().numTensors;
    const ev = await evalKnn(ws, runId, {});
    expect(ev.kind).toBe('knn');
    expect(ev.epoch).toBe(1);
    expect(ev.params).toEqual({ k: 200, temperature: 0.1 });
    const r = ev.result as { top1: number; perClass: Record<string, number>; trainCount: number; testCount: number; seconds: number };
    expect(r.top1).toBeCloseTo(runMetrics(ws, runId, 'knn_top1').at(-1)!.value, 6);
    expect(Object.keys(r.perClass)).toEqual(['class0', 'class1', 'class2', 'class3']);
    const mean = Object.values(r.perClass).reduce((s, v) => s + v, 0) / 4;
    expect(mean).toBeCloseTo(r.top1, 10); // balanced test split: 6 per class
    expect([r.trainCount, r.testCount]).toEqual([48, 24]);
    expect(getEvaluation(ws, ev.id)?.result).toEqual(ev.result);
    expect(listEvaluations(ws, [runId]).map((e) => e.id)).toContain(ev.id);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('puts the random-init encoder and the supervised run of the same dataset in the table', { timeout: 60_000 }, async () => {
    const first = await evalKnnWithBaselines(ws, runId, { k: 10 });
    expect(first.rows.map((r) => r.role)).toEqual(['run', 'random-init']);
    const random = first.rows[1]!.evaluation;
    expect(random.params).toEqual({ k: 10, temperature: 0.1, baseline: 'random' });
    expect(random.epoch).toBe(0);
    const sup = newRun('supervised', 1);
    await runTraining(ws, sup);
    const second = await evalKnnWithBaselines(ws, runId, { k: 10 });
    expect(second.rows.map((r) => [r.role, r.runId])).toEqual([
      ['run', runId],
      ['random-init', runId],
      ['supervised', sup],
    ]);
    expect(second.rows[1]!.evaluation.id).toBe(random.id); // the stored baseline is reused
    const supEval = second.rows[2]!.evaluation;
    const third = await evalKnnWithBaselines(ws, runId, { k: 10 });
    expect(third.rows[2]!.evaluation.id).toBe(supEval.id); // ...and so is the supervised run's result
  });

  it('names a bad run id and bad parameters', async () => {
    await expect(evalKnn(ws, 'run-missing')).rejects.toThrow(/no run 'run-missing'/);
    await expect(evalKnn(ws, runId, { k: 0 })).rejects.toThrow(/k must be a positive integer, got 0/);
    await expect(evalKnn(ws, runId, { temperature: -1 })).rejects.toThrow(/temperature must be > 0/);
  });
});
