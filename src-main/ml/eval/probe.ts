/**
 * Linear probe: multinomial logistic (softmax) regression on frozen backbone features.
 *
 * Protocol. Features are standardised with the mean/std of the (sub-sampled) train rows —
 * standardisation is what makes one L2 strength and one step size fit every encoder. Trained
 * on the train split (few-label protocol: a stratified, seeded fraction F ∈ {0.01, 0.1, 1} of
 * it, at least one image per class), scored on the whole test split: top-1 and top-5.
 *
 * Optimiser: full-batch L-BFGS (ml/maps/lbfgs.ts) on the convex objective
 *   mean_i CE(softmax(W x_i + b), y_i) + (λ/2)‖W‖²   (bias not penalised),
 * the choice of the CLIP paper's linear probes (scikit-learn's L-BFGS logistic regression) and
 * of SimCLR's appendix B.6 (L-BFGS, L2-regularised). Why not Adam: a convex problem of a few
 * thousand parameters has one optimum; L-BFGS reaches it in ~100 full-batch passes without a
 * learning rate or schedule to tune per encoder, so results compare across methods.
 * λ: by default λ = 1/N (N the number of train rows), i.e. scikit-learn's
 * LogisticRegression(C=1) written per sample — strong enough for the 1 % protocol (hundreds of
 * rows in hundreds of dimensions) and weak at 60k rows; pass `l2` to fix it. Not tuned on a
 * validation split (CLIP sweeps C): that would multiply the cost by the grid size.
 * Stopping: at most 200 iterations, or a relative change of the objective below 1e-7 (it is
 * summed in float32), or a gradient below 1e-5, or no decrease along the search direction.
 * Checks (tests/ml/eval/probe.test.ts): 100 % on linearly separable features; 83.6 % on the
 * Fashion-MNIST sample's raw pixels (16 × 16 grayscale at the default λ; 84.4 % at 32 × 32 with λ = 1e-2), in
 * the published logistic-regression range (~84 %).
 * The objective and its gradient (XᵀG with Xᵀ kept, the fast matMul on wasm) run on the
 * engine's tfjs backend; the L-BFGS bookkeeping runs on Float64Arrays.
 */
import type { Control } from '../../core/control';
import * as tf from '@tensorflow/tfjs-core';
import type { LabelFraction } from '../../core/types';
import { CancelledError, PretextError } from '../../core/errors';
import { Rng } from '../augment';
import { lbfgs } from '../maps/lbfgs';
import { labelledRows, perClassAccuracy } from './accuracy';
import type { Embeddings } from './embeddings';

export interface ProbeOptions extends Control {
  /** L2 strength λ on the weights of the mean-loss objective (default 1/N). */
  l2?: number;
  /** L-BFGS iterations at most (default 200). */
  maxIter?: number;
}

export interface ProbeResult {
  top1: number;
  top5: number;
  /** Predicted class of each test row. */
  predictions: Int32Array;
  /** The objective at the end (mean cross-entropy + penalty) and the train accuracy. */
  loss: number;
  trainTop1: number;
  iterations: number;
  /** Objective evaluations (iterations plus line-search retries). */
  evaluations: number;
  stop: 'gradient' | 'change' | 'line-search' | 'max-iter';
  l2: number;
  seconds: number;
}

export const LABEL_FRACTIONS: readonly LabelFraction[] = [0.01, 0.1, 1];

/** Mean and std (biased) of every column of an n × d matrix; a constant column gets std 1. */
function columnStats(x: Float32Array, n: number, d: number): { mean: Float64Array; std: Float64Array } {
  const mean = new Float64Array(d);
  const sq = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const row = i * d;
    for (let j = 0; j < d; j++) mean[j]! += x[row + j]!;
  }
  for (let j = 0; j < d; j++) mean[j]! /= n;
  for (let i = 0; i < n; i++) {
    const row = i * d;
    for (let j = 0; j < d; j++) {
      const v = x[row + j]! - mean[j]!;
      sq[j]! += v * v;
    }
  }
  const std = sq.map((s) => Math.sqrt(s / n)).map((s) => (s > 1e-6 ? s : 1));
  return { mean, std };
}

function standardise(x: Float32Array, d: number, s: { mean: Float64Array; std: Float64Array }): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const j = i % d;
    out[i] = (x[i]! - s.mean[j]!) / s.std[j]!;
  }
  return out;
}

/** Rows of a stratified, seeded subset: round(F · n_c) of each class c, at least 1; sorted. */
export function stratifiedSubset(labels: Int32Array, fraction: number, seed: number): Int32Array {
  if (!(fraction > 0 && fraction <= 1)) throw new PretextError(`label fraction must be in (0, 1], got ${fraction}`);
  const byClass = new Map<number, number[]>();
  labels.forEach((l, i) => {
    if (l >= 0) (byClass.get(l) ?? byClass.set(l, []).get(l)!).push(i);
  });
  const rng = new Rng(seed);
  const picked: number[] = [];
  for (const c of [...byClass.keys()].sort((a, b) => a - b)) {
    const rows = byClass.get(c)!;
    const take = Math.max(1, Math.round(fraction * rows.length));
    const perm = rng.permutation(rows.length);
    for (let i = 0; i < take; i++) picked.push(rows[perm[i]!]!);
  }
  return Int32Array.from(picked.sort((a, b) => a - b));
}

/**
 * Trains the probe on (trainF, trainL) and scores it on (testF, testL). Features are
 * row-major with trainF.length / trainL.length columns; labels in [0, numClasses).
 */
export async function trainProbe(
  trainF: Float32Array,
  trainL: Int32Array,
  testF: Float32Array,
  testL: Int32Array,
  numClasses: number,
  opts: ProbeOptions = {},
): Promise<ProbeResult> {
  const t0 = performance.now();
  const n = trainL.length;
  if (n === 0) throw new Error('probe: no train rows');
  const d = trainF.length / n;
  const m = testL.length;
  if (!Number.isInteger(d) || testF.length !== m * d) throw new Error(`probe: ${trainF.length} train and ${testF.length} test values do not make ${n} and ${m} rows of one width`);
  const C = numClasses;
  const l2 = opts.l2 ?? 1 / n;
  if (!(l2 >= 0)) throw new Error(`probe: l2 must be ≥ 0, got ${l2}`);
  const stats = columnStats(trainF, n, d);
  const [X, XT, Y] = tf.tidy(() => {
    const x = tf.tensor2d(standardise(trainF, d, stats), [n, d]);
    const y = tf.cast(tf.equal(tf.expandDims(tf.tensor1d(trainL, 'int32'), 1), tf.range(0, C, 1, 'int32')), 'float32');
    return [x, tf.transpose(x), y] as const;
  });
  const objective = async (theta: Float64Array) => {
    const wv = Float32Array.from(theta.subarray(0, d * C));
    const [ce, dW, db] = tf.tidy(() => {
      const W = tf.tensor2d(wv, [d, C]);
      const b = tf.tensor1d(Float32Array.from(theta.subarray(d * C)));
      const logp = tf.logSoftmax(tf.add(tf.matMul(X, W), b));
      const G = tf.div(tf.sub(tf.exp(logp), Y), n);
      return [tf.div(tf.sum(tf.mul(Y, logp)), -n), tf.matMul(XT, G), tf.sum(G, 0)];
    });
    try {
      const [cev, dWv, dbv] = await Promise.all([ce.data(), dW.data(), db.data()]);
      const g = new Float64Array(d * C + C);
      let penalty = 0;
      for (let i = 0; i < d * C; i++) {
        g[i] = dWv[i]! + l2 * theta[i]!;
        penalty += theta[i]! * theta[i]!;
      }
      g.set(dbv, d * C);
      return { f: cev[0]! + 0.5 * l2 * penalty, g };
    } finally {
      tf.dispose([ce, dW, db]);
    }
  };
  const maxIter = opts.maxIter ?? 200;
  opts.progress?.start('probe (L-BFGS)', maxIter, 'iter');
  let fit: Awaited<ReturnType<typeof lbfgs>>;
  try {
    fit = await lbfgs(objective, new Float64Array(d * C + C), {
      maxIter,
      gradTol: 1e-5,
      // The objective is summed in float32: relative changes below ~1e-7 are rounding.
      changeTol: 1e-7,
      onIter: async (iter, f) => {
        opts.progress?.update(iter, `loss ${f.toFixed(4)}`);
        if (opts.signal?.aborted) throw new CancelledError();
        await new Promise<void>((r) => setImmediate(r));
      },
    });
  } finally {
    tf.dispose([X, XT, Y]);
  }
  opts.progress?.finish(`${fit.iterations} iterations`);
  const scored = scoreLinear(fit.x, d, C, standardise(testF, d, stats), testL);
  const trainScored = scoreLinear(fit.x, d, C, standardise(trainF, d, stats), trainL);
  return {
    top1: scored.top1,
    top5: scored.top5,
    predictions: scored.predictions,
    loss: fit.f,
    trainTop1: trainScored.top1,
    iterations: fit.iterations,
    evaluations: fit.evaluations,
    stop: fit.stop,
    l2,
    seconds: (performance.now() - t0) / 1000,
  };
}

/** Top-1 and top-k (k = min(5, C)) accuracy of the linear classifier theta = [W (d × C), b]. */
function scoreLinear(theta: Float64Array, d: number, C: number, x: Float32Array, labels: Int32Array) {
  const m = labels.length;
  const logits = tf.tidy(() => tf.add(tf.matMul(tf.tensor2d(x, [m, d]), tf.tensor2d(Float32Array.from(theta.subarray(0, d * C)), [d, C])), tf.tensor1d(Float32Array.from(theta.subarray(d * C)))));
  const z = logits.dataSync() as Float32Array;
  logits.dispose();
  const predictions = new Int32Array(m);
  let top1 = 0;
  let top5 = 0;
  for (let i = 0; i < m; i++) {
    const row = z.subarray(i * C, (i + 1) * C);
    const truth = row[labels[i]!]!;
    let above = 0;
    let best = 0;
    for (let c = 0; c < C; c++) {
      if (row[c]! > truth) above++;
      if (row[c]! > row[best]!) best = c;
    }
    predictions[i] = best;
    if (best === labels[i]) top1++;
    if (above < Math.min(5, C)) top5++;
  }
  return { top1: m ? top1 / m : 0, top5: m ? top5 / m : 0, predictions };
}

export interface ProbeParams {
  labelFraction?: number;
  seed?: number;
}

export function checkProbeParams(p: ProbeParams): { labelFraction: LabelFraction; seed: number } {
  const labelFraction = (p.labelFraction ?? 1) as LabelFraction;
  const seed = p.seed ?? 0;
  if (!LABEL_FRACTIONS.includes(labelFraction)) throw new PretextError(`--label-fraction must be one of ${LABEL_FRACTIONS.join(', ')}, got ${p.labelFraction}`);
  if (!Number.isInteger(seed) || seed < 0) throw new PretextError(`--seed must be a non-negative integer, got ${seed}`);
  return { labelFraction, seed };
}

/** The probe on a pair of embeddings: subset, train, score per class. */
export async function scoreProbe(train: Embeddings, test: Embeddings, classes: string[], p: { labelFraction: number; seed: number }, ctl: Control = {}) {
  const tr = labelledRows(train, 'train');
  const te = labelledRows(test, 'test');
  const rows = stratifiedSubset(tr.labels, p.labelFraction, p.seed);
  const d = train.dim;
  const subF = new Float32Array(rows.length * d);
  rows.forEach((r, i) => subF.set(tr.features.subarray(r * d, (r + 1) * d), i * d));
  const subL = Int32Array.from(rows, (r) => tr.labels[r]!);
  const fit = await trainProbe(subF, subL, te.features, te.labels, classes.length, ctl);
  const { perClass, confusion } = perClassAccuracy(fit.predictions, te.labels, classes);
  return {
    top1: fit.top1,
    top5: fit.top5,
    perClass,
    confusion,
    trainTop1: fit.trainTop1,
    loss: fit.loss,
    iterations: fit.iterations,
    stop: fit.stop,
    l2: fit.l2,
    seconds: fit.seconds,
    trainCount: rows.length,
    testCount: te.labels.length,
  };
}
