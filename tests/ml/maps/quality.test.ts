import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../../src-main/ml/backend';
import { knnAccuracy2d, mapQuality, subsample, trustworthiness } from '../../../src-main/ml/maps/quality';
import { TEST_BACKEND } from '../../helpers/testData';

interface Fixture {
  generator: string;
  cases: { n: number; d: number; k: number; high: number[]; low: number[]; expected: number }[];
}

beforeAll(async () => {
  await useBackend(TEST_BACKEND);
});

describe('trustworthiness', () => {
  it('is 1 for a map that is the data itself', () => {
    const x = Float32Array.from({ length: 40 }, (_, i) => Math.sin(i * 1.7) * 10);
    expect(trustworthiness(x, x, 20, 2, 2, 5)).toBeCloseTo(1, 12);
  });

  it('matches a hand computation: two points swapped on a line', () => {
    // Positions without distance ties; the map swaps points 0 and 5. With k = 1 the false
    // neighbours are (0→4, rank 4), (1→5, rank 5), (5→1, rank 4): penalty 3 + 4 + 3 = 10,
    // T = 1 − 2·10 / (6·1·(12 − 3 − 1)) = 1 − 20/48.
    const high = Float32Array.from([0, 1, 3, 7, 15, 31]);
    const low = Float32Array.from([31, 0, 1, 0, 3, 0, 7, 0, 15, 0, 0, 0]);
    expect(trustworthiness(high, low, 6, 1, 2, 1)).toBeCloseTo(1 - 20 / 48, 12);
  });

  it('agrees with sklearn.manifold.trustworthiness on generated cases', () => {
    const fx = JSON.parse(readFileSync(join(__dirname, '../../fixtures/trustworthiness-sklearn.json'), 'utf8')) as Fixture;
    expect(fx.cases.length).toBe(3);
    const before = tf.memory().numTensors;
    for (const c of fx.cases) {
      const t = trustworthiness(Float32Array.from(c.high), Float32Array.from(c.low), c.n, c.d, 2, c.k);
      expect(t).toBeCloseTo(c.expected, 9);
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects k ≥ n/2', () => {
    expect(() => trustworthiness(new Float32Array(8), new Float32Array(8), 4, 2, 2, 2)).toThrow(/k < n\/2/);
  });
});

describe('map quality helpers', () => {
  it('subsamples deterministically, sorted, all rows when small', () => {
    expect(Array.from(subsample(5, 10, 3))).toEqual([0, 1, 2, 3, 4]);
    const a = subsample(1000, 50, 7);
    expect(Array.from(a)).toEqual(Array.from(subsample(1000, 50, 7)));
    expect(Array.from(a)).not.toEqual(Array.from(subsample(1000, 50, 8)));
    expect(new Set(a).size).toBe(50);
    expect(Array.from(a)).toEqual(Array.from(a).sort((x, y) => x - y));
  });

  it('2-D kNN accuracy: clean clusters score 1, one stray point is wrong', () => {
    const coords = Float32Array.from([0, 0, 0, 1, 1, 0, 10, 10, 10, 11, 11, 10, 0.5, 0.5]);
    const labels = Int32Array.from([0, 0, 0, 1, 1, 1, 1]); // the last one sits among the 0s
    expect(knnAccuracy2d(coords, labels, 7, 3)).toBeCloseTo(6 / 7, 12);
    expect(knnAccuracy2d(coords.subarray(0, 12), labels.subarray(0, 6), 6, 2)).toBe(1);
  });

  it('mapQuality reports trustworthiness, k, the sample size and kNN accuracy', () => {
    const n = 300;
    const high = new Float32Array(n * 3);
    const labels = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      labels[i] = i % 3;
      high[i * 3 + (i % 3)] = 20 + Math.sin(i);
      high[i * 3 + ((i + 1) % 3)] = Math.cos(i * 0.37);
    }
    const coords = new Float32Array(n * 2);
    for (let i = 0; i < n; i++) {
      coords[2 * i] = high[i * 3]! - high[i * 3 + 2]!;
      coords[2 * i + 1] = high[i * 3 + 1]!;
    }
    const q = mapQuality(high, coords, labels, n, 3, { sample: 100, k: 5 });
    expect(q.sample).toBe(100);
    expect(q.k).toBe(5);
    expect(q.trustworthiness).toBeGreaterThan(0.8);
    expect(q.knn2d).toBe(1);
    expect(mapQuality(high, coords, null, n, 3, { sample: 100, k: 5 }).knn2d).toBeUndefined();
  });
});
