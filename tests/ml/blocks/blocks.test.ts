/**
 * The stateful blocks (ml/blocks): MoCo's queue, the memory bank updated by index, NNCLR's
 * support set; each keeps its state in one variable and leaves no tensor behind.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { useBackend } from '../../../src-main/ml/backend';
import { MemoryBank, Queue, SupportSet } from '../../../src-main/ml/blocks';

beforeAll(async () => {
  await useBackend('cpu');
});
let baseline = 0;
beforeEach(() => (baseline = tf.memory().numTensors));
afterEach(() => expect(tf.memory().numTensors, 'tensors leaked').toBe(baseline));

const rowNorms = (x: tf.Tensor2D) => tf.tidy(() => Array.from(tf.norm(x, 'euclidean', 1).dataSync()));

describe('Queue', () => {
  it('starts as seeded unit vectors and keeps the last K rows, newest first', () => {
    const q = new Queue(4, 3, 11);
    const same = new Queue(4, 3, 11);
    expect(Array.from(q.rows.dataSync())).toEqual(Array.from(same.rows.dataSync()));
    for (const n of rowNorms(q.rows)) expect(n).toBeCloseTo(1, 5);
    const first = q.rows.arraySync() as number[][];
    const batch = tf.tensor2d([[1, 0, 0], [0, 1, 0]]);
    q.push(batch);
    expect(q.rows.arraySync()).toEqual([[1, 0, 0], [0, 1, 0], first[0], first[1]]);
    expect(() => tf.tidy(() => q.push(tf.zeros([5, 3]) as tf.Tensor2D))).toThrow(/does not fit/);
    tf.dispose([q.state, same.state, batch]);
  });
});

describe('MemoryBank', () => {
  it('moves the indexed rows by momentum and renormalises them; the other rows keep their exact values', () => {
    const bank = new MemoryBank(5, 2, 3);
    const before = bank.rows.arraySync() as number[][];
    const idx = tf.tensor1d([3, 1], 'int32');
    const values = tf.tensor2d([[1, 0], [0, 1]]);
    bank.update(idx, values, 0.5);
    const after = bank.rows.arraySync() as number[][];
    for (const i of [0, 2, 4]) expect(after[i]).toEqual(before[i]);
    const expectRow = (old: number[], v: number[]) => {
      const m = old.map((o, k) => 0.5 * o + 0.5 * v[k]!);
      const n = Math.hypot(...m);
      return m.map((x) => x / n);
    };
    expectRow(before[3]!, [1, 0]).forEach((x, k) => expect(after[3]![k]).toBeCloseTo(x, 6));
    expectRow(before[1]!, [0, 1]).forEach((x, k) => expect(after[1]![k]).toBeCloseTo(x, 6));
    const got = bank.gather(idx);
    expect(got.arraySync()).toEqual([after[3], after[1]]);
    expect(() => bank.update(idx, values, 2)).toThrow(/momentum/);
    tf.dispose([bank.state, idx, values, got]);
  });
});

describe('SupportSet', () => {
  it("returns each row's nearest neighbour by cosine and enqueues normalised rows", () => {
    const set = new SupportSet(3, 2, 5);
    const rows = tf.tensor2d([[2, 0], [0, 3], [-1, 0]]);
    set.add(rows);
    expect(set.rows.arraySync()).toEqual([[1, 0], [0, 1], [-1, 0]]);
    const z = tf.tensor2d([[0.1, 5], [-3, 0.2]]);
    const nn = set.nearest(z);
    expect(nn.arraySync()).toEqual([[0, 1], [-1, 0]]);
    tf.dispose([set.state, rows, z, nn]);
  });
});
