import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { CancelledError } from '../../../src-main/core/errors';
import { Rng } from '../../../src-main/core/rng';
import { useBackend } from '../../../src-main/ml/backend';
import { exactKnn } from '../../../src-main/ml/eval/knn';
import { knnAccuracy2d, trustworthiness } from '../../../src-main/ml/maps/quality';
import { tsne } from '../../../src-main/ml/maps/tsne';
import { bfsOrder, conditionalP, permute, symmetrise } from '../../../src-main/ml/maps/tsneAffinity';
import { fftAxis0, fftSizeAtLeast } from '../../../src-main/ml/maps/tsneFft';
import { defaultRepulsion, exactRepulsion, RepulsionWorkspace } from '../../../src-main/ml/maps/tsneRepulsion';
import { clusters, TEST_BACKEND } from '../../helpers/testData';

beforeAll(async () => {
  await useBackend(TEST_BACKEND);
});

describe('t-SNE pieces', () => {
  it('the grid FFT (sizes 2^k and 3·2^k) equals the naive DFT along axis 0', () => {
    const rng = new Rng(11);
    for (const L of [2, 8, 16, 32, 6, 12, 24, 48, 96]) {
      const re = Float64Array.from({ length: L * L }, () => rng.uniform(-1, 1));
      const im = Float64Array.from({ length: L * L }, () => rng.uniform(-1, 1));
      const r2 = re.slice();
      const i2 = im.slice();
      fftAxis0(r2, i2, L, L - 1, false);
      for (let c = 0; c < L - 1; c++) {
        for (let f = 0; f < L; f++) {
          let sr = 0;
          let si = 0;
          for (let t = 0; t < L; t++) {
            const a = (-2 * Math.PI * f * t) / L;
            sr += re[t * L + c]! * Math.cos(a) - im[t * L + c]! * Math.sin(a);
            si += re[t * L + c]! * Math.sin(a) + im[t * L + c]! * Math.cos(a);
          }
          expect(r2[f * L + c]).toBeCloseTo(sr, 10);
          expect(i2[f * L + c]).toBeCloseTo(si, 10);
        }
      }
      // The last column is outside the width: untouched. The inverse (unscaled) comes back ×L.
      for (let t = 0; t < L; t++) expect(r2[t * L + L - 1]).toBe(re[t * L + L - 1]);
      fftAxis0(r2, i2, L, L - 1, true);
      for (let t = 0; t < L; t++) expect(r2[t * L]! / L).toBeCloseTo(re[t * L]!, 12);
    }
    expect([5, 6, 7, 9, 13, 100, 200, 257].map(fftSizeAtLeast)).toEqual([6, 6, 8, 12, 16, 128, 256, 384]);
  });

  it('exact kNN equals brute force (indices and squared distances), self excluded', async () => {
    const { x } = clusters(150, 7, 3, 1);
    const before = tf.memory().numTensors;
    const g = await exactKnn(x, 150, 7, 6);
    expect(tf.memory().numTensors).toBe(before);
    for (const i of [0, 17, 149]) {
      const all = Array.from({ length: 150 }, (_, j) => {
        let s = 0;
        for (let q = 0; q < 7; q++) s += (x[i * 7 + q]! - x[j * 7 + q]!) ** 2;
        return { j, s };
      })
        .filter((e) => e.j !== i)
        .sort((a, b) => a.s - b.s)
        .slice(0, 6);
      expect(Array.from(g.indices.subarray(i * 6, i * 6 + 6))).toEqual(all.map((e) => e.j));
      all.forEach((e, r) => expect(g.distances[i * 6 + r]).toBeCloseTo(e.s, 3));
    }
  });

  it('affinities: each row reaches the target perplexity; P is symmetric and sums to 1', async () => {
    const { x } = clusters(200, 5, 4, 2);
    const g = await exactKnn(x, 200, 5, 45);
    const pc = conditionalP(g, 15);
    for (const i of [0, 99, 199]) {
      let h = 0;
      for (let j = 0; j < 45; j++) {
        const p = pc[i * 45 + j]!;
        if (p > 0) h -= p * Math.log(p);
      }
      expect(Math.exp(h)).toBeCloseTo(15, 3);
    }
    const P = symmetrise(g, pc);
    let total = 0;
    const at = (i: number, j: number) => {
      for (let e = P.rowPtr[i]!; e < P.rowPtr[i + 1]!; e++) if (P.cols[e] === j) return P.vals[e]!;
      return 0;
    };
    for (let i = 0; i < 200; i++) {
      for (let e = P.rowPtr[i]!; e < P.rowPtr[i + 1]!; e++) {
        total += P.vals[e]!;
        expect(at(P.cols[e]!, i)).toBeCloseTo(P.vals[e]!, 15);
        if (e > P.rowPtr[i]!) expect(P.cols[e]!).toBeGreaterThan(P.cols[e - 1]!);
      }
    }
    expect(total).toBeCloseTo(1, 12);

    // Breadth-first relabelling: a permutation, and P_new[r][s] = P[order[r]][order[s]].
    const order = bfsOrder(P);
    expect(Array.from(order).sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    const Q = permute(P, order);
    for (const r of [0, 57, 199]) {
      for (let e = Q.rowPtr[r]!; e < Q.rowPtr[r + 1]!; e++) expect(Q.vals[e]).toBe(at(order[r]!, order[Q.cols[e]!]!));
      expect(Q.rowPtr[r + 1]! - Q.rowPtr[r]!).toBe(P.rowPtr[order[r]! + 1]! - P.rowPtr[order[r]!]!);
    }
  });

  it('FFT-interpolated repulsion converges to the exact sums as the grid refines (< 5 % at the default spacing)', () => {
    const rng = new Rng(3);
    for (const spread of [0.001, 3, 25]) {
      const n = 600;
      const y = new Float64Array(2 * n);
      for (let i = 0; i < n; i++) {
        const c = i % 5;
        y[2 * i] = spread * (Math.cos(c) + 0.3 * rng.uniform(-1, 1));
        y[2 * i + 1] = spread * (Math.sin(c) + 0.3 * rng.uniform(-1, 1));
      }
      const exact = new Float64Array(2 * n);
      const zExact = exactRepulsion(y, n, exact);
      for (const [opts, tol] of [
        [defaultRepulsion, 0.05],
        [{ ...defaultRepulsion, maxSpacing: 0.3 }, 0.01],
      ] as const) {
        const fast = new Float64Array(2 * n);
        const z = new RepulsionWorkspace(n, opts).compute(y, fast);
        expect(Math.abs(z - zExact) / zExact).toBeLessThan(tol);
        let num = 0;
        let den = 0;
        for (let i = 0; i < 2 * n; i++) {
          num += (fast[i]! - exact[i]!) ** 2;
          den += exact[i]! ** 2;
        }
        expect(Math.sqrt(num / den)).toBeLessThan(tol);
      }
    }
  });
});

describe('t-SNE', () => {
  it('separates well-separated clusters: high trustworthiness, 2-D kNN accuracy 1; deterministic', async () => {
    const n = 300;
    const d = 20;
    const { x, labels } = clusters(n, d, 5, 4);
    const before = tf.memory().numTensors;
    const a = await tsne(x, n, d, { seed: 1 });
    expect(tf.memory().numTensors).toBe(before);
    expect(a.coords.length).toBe(2 * n);
    expect(a.coords.every(Number.isFinite)).toBe(true);
    expect(trustworthiness(x, a.coords, n, d, 2, 10)).toBeGreaterThan(0.9);
    expect(knnAccuracy2d(a.coords, labels, n, 10)).toBe(1);
    expect(a.kl).toBeGreaterThan(0);
    expect(a.kl).toBeLessThan(2);
    const b = await tsne(x, n, d, { seed: 1 });
    expect(Array.from(b.coords)).toEqual(Array.from(a.coords));
  });

  it('gives the same quality with the FFT-interpolated gradient', async () => {
    const n = 300;
    const d = 20;
    const { x, labels } = clusters(n, d, 5, 4);
    const exact = await tsne(x, n, d, { seed: 1, gradient: 'exact', earlyIterations: 100, iterations: 150 });
    const fft = await tsne(x, n, d, { seed: 1, gradient: 'fft', earlyIterations: 100, iterations: 150 });
    const te = trustworthiness(x, exact.coords, n, d, 2, 10);
    const tfft = trustworthiness(x, fft.coords, n, d, 2, 10);
    expect(tfft).toBeGreaterThan(0.9);
    expect(Math.abs(tfft - te)).toBeLessThan(0.02);
    expect(Math.abs(fft.kl - exact.kl)).toBeLessThan(0.05);
    expect(knnAccuracy2d(fft.coords, labels, n, 10)).toBe(1);
  });

  it('with random init, the seed decides the layout', async () => {
    const { x } = clusters(120, 10, 3, 5);
    const opts = { init: 'random' as const, earlyIterations: 50, iterations: 50 };
    const a = await tsne(x, 120, 10, { ...opts, seed: 1 });
    const b = await tsne(x, 120, 10, { ...opts, seed: 1 });
    const c = await tsne(x, 120, 10, { ...opts, seed: 2 });
    expect(Array.from(b.coords)).toEqual(Array.from(a.coords));
    expect(Array.from(c.coords)).not.toEqual(Array.from(a.coords));
  });

  it('is cancellable: an aborted signal stops it with CancelledError', async () => {
    const { x } = clusters(200, 10, 3, 6);
    const controller = new AbortController();
    let updates = 0;
    const progress = {
      start() {},
      update() {
        if (++updates === 3) controller.abort();
      },
      finish() {},
      log() {},
    };
    await expect(tsne(x, 200, 10, {}, { signal: controller.signal, progress })).rejects.toBeInstanceOf(CancelledError);
    expect(updates).toBeLessThan(10);
  });
});
