import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { Optimizer, type OptimizerConfig } from '../../../src-main/ml/train/optimizers';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Deterministic pseudo-random numbers for test data. */
function rand(seed: number, n: number): number[] {
  let s = seed >>> 0;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  });
}

interface Param {
  name: string;
  shape: number[];
  init: number[];
}

const params: Param[] = [
  { name: 'w', shape: [3, 4], init: rand(1, 12) },
  { name: 'b', shape: [4], init: rand(2, 4) },
  { name: 'zero', shape: [2, 2], init: [0, 0, 0, 0] },
];
const lrs = [0.1, 0.3, 0.05, 0.2, 0.15];
const grads = lrs.map((_, step) => params.map((p, i) => rand(100 + 10 * step + i, p.init.length).map((g) => 2 * g)));

const norm = (a: number[]) => Math.sqrt(a.reduce((s, x) => s + x * x, 0));

/** Plain float64 loops of torch.optim.SGD / solo-learn LARS / torch.optim.AdamW. */
function reference(c: OptimizerConfig): number[][] {
  const values = params.map((p) => [...p.init]);
  const buf: (number[] | undefined)[] = params.map(() => undefined);
  const m = params.map((p) => p.init.map(() => 0));
  const v = params.map((p) => p.init.map(() => 0));
  const momentum = c.momentum ?? 0;
  const damp = c.dampening ?? 0;
  const exclude = c.excludeBiasAndNorm ?? c.name === 'lars';
  lrs.forEach((lr, step) => {
    params.forEach((p, i) => {
      const x = values[i]!;
      const g = grads[step]![i]!;
      const excluded = exclude && p.shape.length === 1;
      const wd = excluded ? 0 : c.weightDecay;
      if (c.name === 'adamw') {
        const b1 = c.beta1 ?? 0.9;
        const b2 = c.beta2 ?? 0.999;
        const t = step + 1;
        for (let j = 0; j < x.length; j++) {
          x[j]! *= 1 - lr * wd;
          m[i]![j] = b1 * m[i]![j]! + (1 - b1) * g[j]!;
          v[i]![j] = b2 * v[i]![j]! + (1 - b2) * g[j]! ** 2;
          const denom = Math.sqrt(v[i]![j]!) / Math.sqrt(1 - b2 ** t) + (c.eps ?? 1e-8);
          x[j]! -= (lr / (1 - b1 ** t)) * (m[i]![j]! / denom);
        }
        return;
      }
      let d = [...g];
      if (c.name === 'lars') {
        const pn = norm(x);
        const gn = norm(g);
        if (!excluded && pn !== 0 && gn !== 0) {
          let trust = ((c.eta ?? 1e-3) * pn) / (gn + pn * wd + (c.eps ?? 1e-8));
          if (c.clipLr) trust = Math.min(trust / lr, 1);
          d = d.map((dj, j) => (dj + wd * x[j]!) * trust);
        }
      } else if (wd > 0) d = d.map((dj, j) => dj + wd * x[j]!);
      if (momentum !== 0) {
        const prev = buf[i];
        const b = prev ? prev.map((bj, j) => momentum * bj + (1 - damp) * d[j]!) : [...d];
        buf[i] = b;
        d = c.nesterov ? d.map((dj, j) => dj + momentum * b[j]!) : b;
      }
      for (let j = 0; j < x.length; j++) x[j]! -= lr * d[j]!;
    });
  });
  return values;
}

async function runOptimizer(c: OptimizerConfig, checkpointAt?: number): Promise<number[][]> {
  const vars = params.map((p) => tf.tidy(() => tf.variable(tf.tensor(p.init, p.shape), true, `${p.name}-${Math.random()}`)));
  let opt = new Optimizer(vars, c);
  for (let step = 0; step < lrs.length; step++) {
    if (step === checkpointAt) {
      // A checkpoint round trip in the middle must not change the trajectory.
      const state = JSON.parse(JSON.stringify(await opt.getState(), (_k, v) => (v instanceof Float32Array ? Array.from(v) : v)));
      opt.dispose();
      opt = new Optimizer(vars, c);
      opt.setState(state);
    }
    const g: tf.NamedTensorMap = {};
    params.forEach((p, i) => (g[vars[i]!.name] = tf.tensor(grads[step]![i]!, p.shape)));
    opt.apply(g, lrs[step]!);
    tf.dispose(Object.values(g));
  }
  const out = await Promise.all(vars.map(async (v) => Array.from(await v.data())));
  opt.dispose();
  tf.dispose(vars);
  return out;
}

const configs: [string, OptimizerConfig][] = [
  ['sgd', { name: 'sgd', weightDecay: 0 }],
  ['sgd + momentum + wd', { name: 'sgd', momentum: 0.9, weightDecay: 5e-4 }],
  ['sgd nesterov, wd excluding bias/norm', { name: 'sgd', momentum: 0.9, nesterov: true, weightDecay: 1e-2, excludeBiasAndNorm: true }],
  ['sgd dampening', { name: 'sgd', momentum: 0.9, dampening: 0.1, weightDecay: 1e-3 }],
  ['lars (solo-learn CIFAR)', { name: 'lars', momentum: 0.9, weightDecay: 1e-5, eta: 0.02 }],
  ['lars clip lr, bias included', { name: 'lars', momentum: 0.9, weightDecay: 1e-4, eta: 0.02, clipLr: true, excludeBiasAndNorm: false }],
  ['adamw', { name: 'adamw', weightDecay: 0.05 }],
  ['adamw betas, excluded bias', { name: 'adamw', weightDecay: 0.04, beta1: 0.8, beta2: 0.99, excludeBiasAndNorm: true }],
];

describe('optimizers follow the torch update rules', () => {
  for (const [label, c] of configs) {
    it(label, async () => {
      const before = tf.memory().numTensors;
      const got = await runOptimizer(c);
      const want = reference(c);
      got.forEach((vals, i) => vals.forEach((x, j) => expect(x).toBeCloseTo(want[i]![j]!, 5)));
      expect(tf.memory().numTensors).toBe(before);
    });
    it(`${label}: resumes exactly from saved state`, async () => {
      const straight = await runOptimizer(c);
      const resumed = await runOptimizer(c, 3);
      expect(resumed).toEqual(straight);
    });
  }

  it('moves parameters (the reference is not trivially equal to the start)', () => {
    const want = reference({ name: 'lars', momentum: 0.9, weightDecay: 1e-5, eta: 0.02 });
    expect(want[0]).not.toEqual(params[0]!.init);
  });

  it('lars: a zero parameter takes a plain SGD step, a non-zero one the trust-scaled step', async () => {
    const zero = tf.tidy(() => tf.variable(tf.zeros([2, 2])));
    const w = tf.tidy(() => tf.variable(tf.fill([2, 2], 3)));
    const opt = new Optimizer([zero, w], { name: 'lars', momentum: 0.9, weightDecay: 0, eta: 0.02 });
    const g = tf.tensor([1, 2, 2, 4], [2, 2]);
    opt.apply({ [zero.name]: g, [w.name]: g }, 0.5);
    expect(Array.from(await zero.data())).toEqual([-0.5, -1, -1, -2]);
    const trust = (0.02 * 6) / (5 + 1e-8); // η‖w‖/‖g‖ with ‖w‖ = 6, ‖g‖ = 5
    const got = Array.from(await w.data());
    [1, 2, 2, 4].forEach((gj, j) => expect(got[j]).toBeCloseTo(3 - 0.5 * trust * gj, 6));
    g.dispose();
    opt.dispose();
    tf.dispose([zero, w]);
  });

  it('rejects a gradient for an unknown variable and a state of another optimiser', async () => {
    const v = tf.tidy(() => tf.variable(tf.zeros([2])));
    const opt = new Optimizer([v], { name: 'sgd', weightDecay: 0 });
    const g = tf.ones([2]);
    expect(() => opt.apply({ nope: g }, 0.1)).toThrow(/unknown variable nope/);
    expect(() => opt.setState({ name: 'adamw', step: 0, buffers: {} })).toThrow(/adamw state/);
    g.dispose();
    opt.dispose();
    v.dispose();
  });
});
