/**
 * The per-epoch monitor's samples (issue 17): uniformity and alignment are measured on a
 * seeded random sample of the split, not its first rows, so a split ordered by class is
 * measured over all its classes.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../../src-main/ml/backend';
import { featureUniformity, monitorSample, sampleOf } from '../../../src-main/ml/eval/monitor';
import { uniformity } from '../../../src-main/ml/losses';

beforeAll(async () => {
  await useBackend('cpu');
});

describe('monitor samples', () => {
  it('draws distinct ascending positions, the same every time, all of them when there are few', () => {
    const s = monitorSample(5000, 256);
    expect(s).toHaveLength(256);
    expect(new Set(s).size).toBe(256);
    expect(s.every((v, i) => v >= 0 && v < 5000 && (i === 0 || v > s[i - 1]!))).toBe(true);
    expect(monitorSample(5000, 256)).toEqual(s);
    expect(s[255]).toBeGreaterThan(4000); // spread over the split, not its head
    expect(monitorSample(10, 256)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(sampleOf([7, 8, 9], 2).every((v) => [7, 8, 9].includes(v))).toBe(true);
  });

  it('uniformity of a class-ordered split covers every class, and leaves no tensor', async () => {
    // 2048 rows: the first half one point, the second half another; the first 1,024 rows are one class.
    const rows = Array.from({ length: 2048 }, (_, i) => (i < 1024 ? [1, 0] : [0, 1]));
    const features = tf.tensor2d(rows);
    const before = tf.memory().numTensors;
    const u = await featureUniformity(features, 2, 1024);
    expect(tf.memory().numTensors).toBe(before);
    // The first rows alone are all equal (uniformity 0); a sample of both classes is below it.
    expect(u).toBeLessThan(-0.6); // about log(½ + ½·e⁻⁴)
    const picked = tf.gather(features, tf.tensor1d(monitorSample(2048, 1024), 'int32'));
    expect(u).toBeCloseTo(uniformity(picked, 2).dataSync()[0]!, 5);
    tf.dispose([features, picked]);
  });
});
