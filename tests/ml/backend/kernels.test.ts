/**
 * The project's wasm training kernels against the cpu backend (the reference), on many shapes:
 * strides 1/2/3 and (2,1), same/valid/explicit/numeric padding, odd sizes, 1×1 and non-square
 * filters. Error = max|wasm − cpu| / max|cpu| ≤ 1e-5.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../../src-main/ml/backend';
import { setFilterChunkBytes } from '../../../src-main/ml/backend/wasm/conv';
import { relErr, runOn, seeded } from './helpers';

type Pad = 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];
interface ConvCase {
  x: [number, number, number, number];
  f: [number, number, number, number];
  stride: number | [number, number];
  pad: Pad;
}

const explicit = (t: number, b: number, l: number, r: number): Pad => [[0, 0], [t, b], [l, r], [0, 0]];

const CASES: ConvCase[] = [
  { x: [2, 8, 8, 3], f: [3, 3, 3, 4], stride: 1, pad: 'same' },
  { x: [2, 8, 8, 3], f: [3, 3, 3, 4], stride: 2, pad: 'same' },
  { x: [2, 9, 7, 3], f: [3, 3, 3, 5], stride: 2, pad: 'same' },
  { x: [2, 9, 7, 3], f: [3, 3, 3, 5], stride: 2, pad: 'valid' },
  { x: [1, 11, 10, 2], f: [3, 3, 2, 3], stride: 3, pad: 'same' },
  { x: [1, 11, 10, 2], f: [3, 3, 2, 3], stride: 3, pad: 'valid' },
  { x: [2, 9, 8, 4], f: [3, 3, 4, 2], stride: [2, 1], pad: 'same' },
  { x: [2, 9, 8, 4], f: [3, 2, 4, 2], stride: [2, 1], pad: 'valid' },
  { x: [2, 7, 7, 5], f: [1, 1, 5, 6], stride: 1, pad: 'valid' },
  { x: [2, 8, 8, 5], f: [1, 1, 5, 6], stride: 2, pad: 'valid' },
  { x: [2, 7, 9, 5], f: [1, 1, 5, 6], stride: 2, pad: 'same' },
  { x: [2, 10, 9, 3], f: [2, 3, 3, 4], stride: 1, pad: 'same' },
  { x: [2, 10, 9, 3], f: [5, 2, 3, 4], stride: 2, pad: 'same' },
  { x: [1, 13, 12, 2], f: [5, 5, 2, 3], stride: 2, pad: 'valid' },
  { x: [1, 13, 12, 2], f: [7, 7, 2, 3], stride: 2, pad: explicit(3, 3, 3, 3) },
  { x: [2, 8, 8, 3], f: [3, 3, 3, 4], stride: 2, pad: explicit(1, 1, 1, 1) },
  { x: [2, 8, 9, 3], f: [3, 3, 3, 4], stride: 1, pad: explicit(0, 2, 1, 0) },
  { x: [2, 9, 9, 3], f: [3, 3, 3, 4], stride: 3, pad: explicit(2, 0, 0, 2) },
  { x: [2, 8, 8, 3], f: [3, 3, 3, 4], stride: 1, pad: 1 },
  { x: [2, 9, 8, 3], f: [4, 4, 3, 2], stride: 2, pad: 2 },
  { x: [1, 5, 5, 1], f: [5, 5, 1, 1], stride: 1, pad: 'valid' },
  { x: [3, 6, 5, 16], f: [3, 3, 16, 8], stride: 1, pad: 'same' },
];

/** Run with a tiny dy chunk so that Conv2DBackpropFilter splits these batches (1–3 images). */
const CHUNKED: ConvCase[] = [
  { x: [4, 8, 8, 3], f: [3, 3, 3, 4], stride: 1, pad: 'same' },
  { x: [6, 9, 9, 2], f: [3, 3, 2, 4], stride: 2, pad: 'same' },
  { x: [6, 9, 10, 2], f: [3, 3, 2, 4], stride: 2, pad: 'valid' },
  { x: [6, 7, 7, 5], f: [1, 1, 5, 8], stride: 2, pad: 'valid' },
];

function describeCase(c: ConvCase): string {
  return `x ${c.x.join('×')} f ${c.f.join('×')} stride ${JSON.stringify(c.stride)} pad ${JSON.stringify(c.pad)}`;
}

/** dL/dx and dL/dW of L = Σ conv(x, W) · g for a fixed random g. */
function convGrads(c: ConvCase): () => tf.Tensor[] {
  return () => {
    const x = tf.tensor4d(seeded(c.x.reduce((a, b) => a * b), 1), c.x);
    const w = tf.tensor4d(seeded(c.f.reduce((a, b) => a * b), 2), c.f);
    const y = tf.conv2d(x, w, c.stride, c.pad as 'same');
    const g = tf.tensor(seeded(y.size, 3), y.shape);
    const grads = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, c.pad as 'same'), g)));
    return [y, ...grads([x, w])];
  };
}

beforeAll(async () => {
  await useBackend('wasm');
});

describe('wasm Conv2DBackpropInput / Conv2DBackpropFilter vs cpu', () => {
  for (const c of CASES) {
    it(describeCase(c), async () => {
      const ref = await runOn('cpu', convGrads(c));
      const got = await runOn('wasm', convGrads(c));
      expect(got[0]!.length).toBe(ref[0]!.length);
      const names = ['forward', 'dx', 'dW'];
      for (let i = 0; i < 3; i++) expect(relErr(got[i]!, ref[i]!), names[i]).toBeLessThanOrEqual(1e-5);
    });
  }
});

describe('wasm Conv2DBackpropFilter, batch split into chunks, vs cpu', () => {
  for (const c of CHUNKED) {
    it(describeCase(c), async () => {
      const prev = setFilterChunkBytes(400);
      try {
        const ref = await runOn('cpu', convGrads(c));
        const got = await runOn('wasm', convGrads(c));
        expect(relErr(got[2]!, ref[2]!)).toBeLessThanOrEqual(1e-5);
      } finally {
        setFilterChunkBytes(prev);
      }
    });
  }
});

describe('wasm BatchMatMul / _FusedMatMul with transposes vs cpu', () => {
  const shapes: [number[], number[], boolean, boolean][] = [
    [[5, 7], [7, 3], false, false],
    [[7, 5], [7, 3], true, false],
    [[5, 7], [3, 7], false, true],
    [[7, 5], [3, 7], true, true],
    [[2, 7, 5], [2, 3, 7], true, true],
    [[3, 4, 6], [3, 4, 5], true, false],
    [[3, 6, 4], [1, 5, 4], false, true],
  ];
  for (const [sa, sb, ta, tb] of shapes) {
    it(`matMul ${sa.join('×')}${ta ? 'ᵀ' : ''} · ${sb.join('×')}${tb ? 'ᵀ' : ''}`, async () => {
      const fn = () => {
        const a = tf.tensor(seeded(sa.reduce((p, q) => p * q), 4), sa);
        const b = tf.tensor(seeded(sb.reduce((p, q) => p * q), 5), sb);
        const plain = tf.matMul(a, b, ta, tb);
        const out = [plain];
        if (sa.length === 2) {
          const bias = tf.tensor1d(seeded(plain.shape[1]!, 6));
          out.push(tf.fused.matMul({ a: a as tf.Tensor2D, b: b as tf.Tensor2D, transposeA: ta, transposeB: tb, bias, activation: 'relu' }));
        }
        return out;
      };
      const ref = await runOn('cpu', fn);
      const got = await runOn('wasm', fn);
      for (let i = 0; i < ref.length; i++) expect(relErr(got[i]!, ref[i]!)).toBeLessThanOrEqual(1e-5);
    });
  }

  it('matMul gradients (transposed operands inside) agree', async () => {
    const fn = () => {
      const a = tf.tensor2d(seeded(6 * 9, 7), [6, 9]);
      const b = tf.tensor2d(seeded(9 * 4, 8), [9, 4]);
      const g = tf.tensor2d(seeded(6 * 4, 9), [6, 4]);
      return tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.mul(tf.matMul(p as tf.Tensor2D, q as tf.Tensor2D), g)))([a, b]);
    };
    const ref = await runOn('cpu', fn);
    const got = await runOn('wasm', fn);
    for (let i = 0; i < ref.length; i++) expect(relErr(got[i]!, ref[i]!)).toBeLessThanOrEqual(1e-5);
  });
});

describe('FusedBatchNorm gradient (project formulation)', () => {
  /** Batch norm written with primitive ops: its gradient is tfjs-core's own autodiff. */
  function bnPrimitive(x: tf.Tensor, mean: tf.Tensor, variance: tf.Tensor, scale: tf.Tensor, offset: tf.Tensor) {
    return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, 1e-3))), scale), offset);
  }
  const inputs = () => {
    const x = tf.tensor4d(seeded(2 * 5 * 4 * 3, 10), [2, 5, 4, 3]);
    const mean = tf.tensor1d(seeded(3, 11));
    const variance = tf.add(tf.abs(tf.tensor1d(seeded(3, 12))), 0.5);
    const scale = tf.tensor1d(seeded(3, 13));
    const offset = tf.tensor1d(seeded(3, 14));
    const g = tf.tensor4d(seeded(2 * 5 * 4 * 3, 15), [2, 5, 4, 3]);
    return [x, mean, variance, scale, offset, g] as const;
  };
  const grads = (f: typeof bnPrimitive) => () => {
    const [x, mean, variance, scale, offset, g] = inputs();
    return tf.grads((a: tf.Tensor, m: tf.Tensor, v: tf.Tensor, s: tf.Tensor, o: tf.Tensor) => tf.sum(tf.mul(f(a, m, v, s, o), g)))([x, mean, variance, scale, offset]);
  };
  const fused = (x: tf.Tensor, m: tf.Tensor, v: tf.Tensor, s: tf.Tensor, o: tf.Tensor) =>
    tf.batchNorm(x as tf.Tensor4D, m as tf.Tensor1D, v as tf.Tensor1D, o as tf.Tensor1D, s as tf.Tensor1D, 1e-3);

  it('matches autodiff of the primitive formula, on cpu and on wasm', async () => {
    const ref = await runOn('cpu', grads(bnPrimitive));
    for (const backend of ['cpu', 'wasm'] as const) {
      const got = await runOn(backend, grads(fused));
      const names = ['x', 'mean', 'variance', 'scale', 'offset'];
      for (let i = 0; i < ref.length; i++) expect(relErr(got[i]!, ref[i]!), `${backend} d${names[i]}`).toBeLessThanOrEqual(1e-5);
    }
  });
});

describe('tensor discipline', () => {
  it('project kernels leave no tensors behind', async () => {
    await useBackend('wasm');
    const before = tf.memory().numTensors;
    for (const c of CASES.slice(0, 6)) tf.dispose(tf.tidy(convGrads(c)));
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('wasm Transpose / Sum / Mean / Identity / Cast vs cpu', () => {
  const perms: [number[], number[]][] = [
    [[4, 5], [1, 0]],
    [[2, 3, 4], [2, 1, 0]],
    [[2, 3, 4], [1, 0, 2]],
    [[2, 3, 4], [0, 2, 1]],
    [[3, 1, 4, 5], [3, 1, 2, 0]],
    [[3, 4, 5, 6], [1, 2, 0, 3]],
    [[3, 4, 5, 6], [2, 0, 3, 1]],
    [[2, 3, 1, 5, 2], [4, 0, 3, 2, 1]],
    [[37, 70], [1, 0]],
  ];
  for (const [shape, perm] of perms) {
    it(`transpose ${shape.join('×')} by [${perm.join(',')}]`, async () => {
      const fn = () => {
        const x = tf.tensor(seeded(shape.reduce((a, b) => a * b), 20), shape);
        return [tf.transpose(x, perm), tf.cast(tf.transpose(tf.cast(tf.mul(x, 100), 'int32'), perm), 'float32')];
      };
      const ref = await runOn('cpu', fn);
      const got = await runOn('wasm', fn);
      expect(got[0]).toEqual(ref[0]);
      expect(got[1]).toEqual(ref[1]);
    });
  }

  const reductions: [number[], number[], boolean][] = [
    [[8, 16, 16, 5], [0, 1, 2], false],
    [[8, 16, 16, 5], [0, 1, 2], true],
    [[4096, 3], [0], false],
    [[2, 1024, 7], [1, 0], true],
    [[8, 16, 16, 5], [1, 2], false],
    [[8, 16, 16, 5], [3], true],
    [[2000], [0], false],
  ];
  for (const [shape, axes, keep] of reductions) {
    it(`sum and mean of ${shape.join('×')} over [${axes.join(',')}]${keep ? ' keepDims' : ''}`, async () => {
      const fn = () => {
        const x = tf.tensor(seeded(shape.reduce((a, b) => a * b), 21), shape);
        return [tf.sum(x, axes, keep), tf.mean(x, axes, keep)];
      };
      const ref = await runOn('cpu', fn);
      const got = await runOn('wasm', fn);
      for (let i = 0; i < 2; i++) expect(relErr(got[i]!, ref[i]!)).toBeLessThanOrEqual(1e-5);
      await useBackend('wasm');
      const t = tf.tidy(() => tf.sum(tf.ones(shape), axes, keep));
      await useBackend('cpu');
      const r = tf.tidy(() => tf.sum(tf.ones(shape), axes, keep));
      expect(t.shape).toEqual(r.shape);
      tf.dispose([t, r]);
    });
  }

  it('identity and same-dtype cast share data and free it once', async () => {
    await useBackend('wasm');
    const before = tf.memory().numTensors;
    const x = tf.tensor1d([1, 2, 3]);
    const y = tf.clone(x);
    const z = tf.cast(x, 'float32');
    x.dispose();
    expect(Array.from(await y.data())).toEqual([1, 2, 3]);
    y.dispose();
    expect(Array.from(await z.data())).toEqual([1, 2, 3]);
    z.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
