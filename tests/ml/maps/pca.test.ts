import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../../src-main/core/rng';
import { useBackend } from '../../../src-main/ml/backend';
import { covariance, covarianceTf, pca, topEigen } from '../../../src-main/ml/maps/pca';
import { TEST_BACKEND } from '../../helpers/testData';

beforeAll(async () => {
  await useBackend(TEST_BACKEND);
});

/** n points of a d-dim Gaussian with the given per-axis std, rotated by a random orthogonal map. */
function anisotropic(n: number, d: number, std: number[], seed: number): { x: Float32Array; rot: Float64Array } {
  const rng = new Rng(seed);
  const g = () => Math.sqrt(-2 * Math.log(Math.max(rng.next(), 1e-300))) * Math.cos(2 * Math.PI * rng.next());
  // Random orthogonal matrix by Gram–Schmidt.
  const rot = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) rot[i * d + j] = g();
    for (let p = 0; p < i; p++) {
      let dot = 0;
      for (let j = 0; j < d; j++) dot += rot[i * d + j]! * rot[p * d + j]!;
      for (let j = 0; j < d; j++) rot[i * d + j] = rot[i * d + j]! - dot * rot[p * d + j]!;
    }
    let norm = 0;
    for (let j = 0; j < d; j++) norm += rot[i * d + j]! ** 2;
    for (let j = 0; j < d; j++) rot[i * d + j] = rot[i * d + j]! / Math.sqrt(norm);
  }
  const x = new Float32Array(n * d);
  for (let s = 0; s < n; s++) {
    const z = std.map((v) => v * g());
    for (let j = 0; j < d; j++) {
      let v = 3; // an offset: PCA must centre
      for (let i = 0; i < d; i++) v += z[i]! * rot[i * d + j]!;
      x[s * d + j] = v;
    }
  }
  return { x, rot };
}

describe('pca', () => {
  it('solves a 2×2 covariance by hand: points on the line y = x', async () => {
    const x = Float32Array.from([0, 0, 1, 1, 2, 2, 3, 3]);
    const r = await pca(x, 4, 2, 2);
    // Var along (1,1)/√2: the projections are (0, 1, 2, 3)·√2 − mean → variance 2·(5/3).
    expect(r.variance[0]).toBeCloseTo(10 / 3, 10);
    expect(r.variance[1]).toBeCloseTo(0, 10);
    expect(r.components[0]).toBeCloseTo(Math.SQRT1_2, 10);
    expect(r.components[1]).toBeCloseTo(Math.SQRT1_2, 10);
    expect(Array.from(r.scores.filter((_, i) => i % 2 === 0))).toEqual(
      [-1.5, -0.5, 0.5, 1.5].map((v) => Math.fround(v * Math.SQRT2)),
    );
    expect(r.totalVariance).toBeCloseTo(10 / 3, 10);
  });

  it('recovers the axes of a rotated Gaussian: eigen-equation residual ~1e-12, orthonormal, variance ordered', async () => {
    const d = 12;
    const std = [5, 4, 3, 2, 1.5, 1, 0.8, 0.6, 0.4, 0.3, 0.2, 0.1];
    const { x, rot } = anisotropic(4000, d, std, 1);
    const k = 6;
    const r = await pca(x, 4000, d, k);
    const cov = covariance(x, 4000, d, r.mean);
    for (let j = 0; j < k; j++) {
      let res = 0;
      for (let p = 0; p < d; p++) {
        let s = 0;
        for (let q = 0; q < d; q++) s += cov[p * d + q]! * r.components[j * d + q]!;
        res += (s - r.variance[j]! * r.components[j * d + p]!) ** 2;
      }
      expect(Math.sqrt(res)).toBeLessThan(1e-10 * r.variance[0]!);
      for (let p = 0; p <= j; p++) {
        let dot = 0;
        for (let q = 0; q < d; q++) dot += r.components[j * d + q]! * r.components[p * d + q]!;
        expect(dot).toBeCloseTo(p === j ? 1 : 0, 10);
      }
      // The component is (up to sign) the generating axis, and its variance ≈ std².
      let align = 0;
      for (let q = 0; q < d; q++) align += r.components[j * d + q]! * rot[j * d + q]!;
      expect(Math.abs(align)).toBeGreaterThan(0.97);
      expect(r.variance[j]! / std[j]! ** 2).toBeGreaterThan(0.9);
      expect(r.variance[j]! / std[j]! ** 2).toBeLessThan(1.1);
      if (j > 0) expect(r.variance[j]!).toBeLessThan(r.variance[j - 1]!);
    }
  });

  it('fixes the sign: the largest loading of every component is positive, whatever the input sign', async () => {
    const { x } = anisotropic(500, 6, [3, 2, 1, 0.5, 0.2, 0.1], 2);
    const neg = x.map((v) => -v);
    const a = await pca(x, 500, 6, 3);
    const b = await pca(neg, 500, 6, 3);
    for (let j = 0; j < 3; j++) {
      const row = Array.from(a.components.subarray(j * 6, j * 6 + 6));
      const big = row.reduce((m, v) => (Math.abs(v) > Math.abs(m) ? v : m), 0);
      expect(big).toBeGreaterThan(0);
      row.forEach((v, q) => expect(b.components[j * 6 + q]).toBeCloseTo(v, 12));
    }
    // Negated data, same components: the scores flip.
    for (let i = 0; i < 30; i++) expect(b.scores[i]).toBeCloseTo(-a.scores[i]!, 4);
  });

  it('handles repeated eigenvalues (an isotropic block) with orthonormal vectors', () => {
    const d = 8;
    const a = new Float64Array(d * d);
    const diag = [4, 4, 4, 2, 1, 1, 0.5, 0];
    diag.forEach((v, i) => (a[i * d + i] = v));
    const { values, vectors } = topEigen(a, d, 5);
    expect(Array.from(values)).toEqual([4, 4, 4, 2, 1].map((v) => expect.closeTo(v, 12)));
    for (let i = 0; i < 5; i++) {
      for (let j = 0; j <= i; j++) {
        let dot = 0;
        for (let q = 0; q < d; q++) dot += vectors[i * d + q]! * vectors[j * d + q]!;
        expect(dot).toBeCloseTo(i === j ? 1 : 0, 10);
      }
    }
  });

  it('the tfjs covariance (large inputs) equals the float64 one to float32 precision, in blocks', async () => {
    const d = 24;
    const { x } = anisotropic(9000, d, Array.from({ length: d }, (_, i) => 4 / (i + 1)), 3);
    const mean = new Float64Array(d);
    for (let i = 0; i < 9000; i++) for (let j = 0; j < d; j++) mean[j] = mean[j]! + x[i * d + j]! / 9000;
    const before = tf.memory().numTensors;
    const fast = await covarianceTf(x, 9000, d, mean);
    expect(tf.memory().numTensors).toBe(before);
    const exact = covariance(x, 9000, d, mean);
    let maxAbs = 0;
    for (let i = 0; i < d * d; i++) maxAbs = Math.max(maxAbs, Math.abs(exact[i]!));
    for (let i = 0; i < d * d; i++) expect(Math.abs(fast[i]! - exact[i]!)).toBeLessThan(1e-5 * maxAbs);
  });

  it('rejects inputs that cannot be analysed', async () => {
    await expect(pca(new Float32Array(3), 1, 3, 2)).rejects.toThrow(/at least 2 points/);
    await expect(pca(new Float32Array(5), 2, 3, 2)).rejects.toThrow(/5 values, expected 2×3/);
  });
});
