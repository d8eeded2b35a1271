import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { effectiveRank, perDimensionStd, uniformityOf } from '../../../src-main/ml/eval/diagnostics';
import { runDiagnostics, storedDiagnostics } from '../../../src-main/tasks/diagnostics';
import { checkpointEpoch } from '../../../src-main/tasks/encoder';
import { symmetricEigenvalues } from '../../../src-main/ml/maps/symEig';
import { runTraining } from '../../../src-main/tasks/train';
import { createRun, runMetrics } from '../../../src-main/store/runs';
import { Workspace } from '../../../src-main/store/workspace';
import { tinyRun, toyWorkspace, uniform, type ToyWorkspace } from '../../helpers/evalRuns';

let toy: ToyWorkspace;
let ws: Workspace;

function newRun(method: string, epochs: number): string {
  return tinyRun(toy, method, epochs, 4);
}

beforeAll(async () => {
  toy = await toyWorkspace();
  ws = toy.ws;
});
afterAll(() => toy.close());

describe('symmetricEigenvalues', () => {
  it('recovers the spectrum of Q diag(λ) Qᵀ', () => {
    const n = 9;
    const lambda = [5, -3, 2, 2, 0, 1e-3, 7.5, -0.25, 11];
    const rnd = uniform(11);
    // Q: a product of two Householder reflections (orthogonal, dense).
    const reflect = () => {
      const v = Array.from({ length: n }, rnd);
      const vv = v.reduce((s, x) => s + x * x, 0);
      return (i: number, j: number) => (i === j ? 1 : 0) - (2 * v[i]! * v[j]!) / vv;
    };
    const h1 = reflect();
    const h2 = reflect();
    const q = (i: number, j: number) => Array.from({ length: n }, (_, k) => h1(i, k) * h2(k, j)).reduce((s, x) => s + x, 0);
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a[i * n + j] = lambda.reduce((s, l, k) => s + q(i, k) * l * q(j, k), 0);
    const got = Array.from(symmetricEigenvalues(a, n));
    [...lambda].sort((x, y) => x - y).forEach((l, i) => expect(got[i]).toBeCloseTo(l, 10));
  });
});

describe('effective rank, per-dimension std, uniformity', () => {
  it('is r for r equal orthogonal directions, 1 for a line, 0 for identical rows', () => {
    const d = 16;
    const r = 5;
    // Rows ±e_i for i < r: centred, singular values all equal on r dimensions.
    const x = new Float32Array(2 * r * d);
    for (let i = 0; i < r; i++) {
      x[2 * i * d + i] = 1;
      x[(2 * i + 1) * d + i] = -1;
    }
    expect(effectiveRank(x, 2 * r, d)).toBeCloseTo(r, 4);
    const line = Float32Array.from({ length: 10 * d }, (_, k) => Math.floor(k / d) * ((k % d) + 1));
    expect(effectiveRank(line, 10, d)).toBeCloseTo(1, 3);
    expect(effectiveRank(new Float32Array(8 * d).fill(0.5), 8, d)).toBe(0);
    // Fewer rows than dimensions uses the row Gram matrix: same answer.
    expect(effectiveRank(x.subarray(0, 4 * d), 4, d)).toBeCloseTo(2, 4);
  });

  it('per-dimension std is 0 for collapsed features and ~1/√D for isotropic ones', () => {
    const d = 8;
    const rnd = uniform(5);
    expect(perDimensionStd(new Float32Array(20 * d).fill(3), 20, d).every((s) => s < 1e-6)).toBe(true);
    const gauss = () => Math.sqrt(-2 * Math.log(0.5 - rnd())) * Math.cos(2 * Math.PI * rnd());
    const iso = Float32Array.from({ length: 4000 * d }, gauss);
    for (const s of perDimensionStd(iso, 4000, d)) expect(Math.abs(s - 1 / Math.sqrt(d))).toBeLessThan(0.02);
    // Uniformity: identical rows give 0 (the maximum), spread rows are negative.
    expect(uniformityOf(new Float32Array(20 * d).fill(1), 20, d)).toBeCloseTo(0, 5);
    expect(uniformityOf(iso, 4000, d)).toBeLessThan(-2);
  });
});

describe('runDiagnostics', () => {
  it('match the trainer’s monitor, are stored, and leak no tensors', { timeout: 60_000 }, async () => {
    const id = newRun('byol', 1);
    await runTraining(ws, id);
    const before = tf.memory().numTensors;
    const d = await runDiagnostics(ws, id);
    expect(tf.memory().numTensors).toBe(before);
    expect(d.runId).toBe(id);
    expect(d.epoch).toBe(1);
    expect(d.perDimStd).toHaveLength(d.dim);
    expect(d.effectiveRank).toBeGreaterThan(1);
    expect(d.effectiveRank).toBeLessThanOrEqual(d.dim);
    const last = (name: string) => runMetrics(ws, id, name).at(-1)!.value;
    // Same images, same view draws, same rows as the per-epoch monitor.
    expect(d.alignment).toBeCloseTo(last('alignment'), 5);
    expect(d.uniformity).toBeCloseTo(last('uniformity'), 5);
    expect(d.perDimStd.reduce((s, v) => s + v, 0) / d.dim).toBeCloseTo(last('feature_std'), 5);
    expect(storedDiagnostics(ws, id)).toEqual(d);
    expect(storedDiagnostics(ws, id, checkpointEpoch(ws, id))).toEqual(d);
    expect(storedDiagnostics(ws, id, 2)).toBeUndefined();
  });

  it('give the supervised baseline (one view) two draws of its view', { timeout: 60_000 }, async () => {
    const id = newRun('supervised', 1);
    await runTraining(ws, id);
    const d = await runDiagnostics(ws, id);
    expect(d.alignment).toBeGreaterThan(0);
    expect(d.alignment).toBeLessThan(4);
  });

  it('name a bad run id and an untrained run', async () => {
    await expect(runDiagnostics(ws, 'run-gone')).rejects.toThrow(/no run 'run-gone'/);
    const untrained = newRun('byol', 1);
    await expect(runDiagnostics(ws, untrained)).rejects.toThrow(/has no checkpoint yet/);
  });
});
