/**
 * `pretext bench eval`: seconds of the evaluation stages at the sizes on synthetic,
 * clustered features (10 Gaussian classes in 512-d sharing a 16-d low-rank spread, plus
 * isotropic noise: the shape of real embeddings, not uniform noise):
 *   kNN     10k test × 60k train, 512-d (knnTop1: cosine, k 200, T 0.1); overlapping classes
 *           for kNN and the probe (a probe reaches about 80 %, as on real SSL features)
 *   probe   linear probe on 60k × 512 (trainProbe, full-batch L-BFGS), scored on 10k
 *   maps    PCA, t-SNE and UMAP of 10k points, each with its trustworthiness (k 10, 2,000-point
 *           subsample) and 2-D kNN accuracy
 * The load average and the process's CPU seconds are printed next to the wall times: the
 * machine may be shared.
 */
import os from 'node:os';
import { benchArgs, type BenchContext } from './context';
import { PretextError, throwIfAborted } from '../core/errors';
import { Rng } from '../core/rng';
import { describeBackend, initBackend } from '../ml/backend';
import { computeMap } from '../ml/maps/computeMap';
import { mapQuality } from '../ml/maps/quality';

const USAGE = `Usage: pretext bench eval [--only knn,probe,pca,tsne,umap] [--points 10000] [--train 60000] [--test 10000] [--dim 512] [--seed 0]`;
/** Class centres: per-dimension std 0.24 (kNN is easy, PCA mixes the classes, t-SNE must work). */
const CENTRE_SCALE = 2;
/** kNN and the probe get overlapping classes (a linear probe reaches about 80 %, as on a real SSL
 *  encoder's features): separable data let L-BFGS stop after a handful of iterations. */
const OVERLAP_CENTRE_SCALE = 0.5;
const STAGES = ['knn', 'probe', 'pca', 'tsne', 'umap'] as const;
type Stage = (typeof STAGES)[number];

export interface ClusteredFeatures {
  x: Float32Array;
  labels: Int32Array;
}

/** n points of `classes` clusters in d dims: class centre + shared low-rank (16-d) spread + noise. */
export function clusteredFeatures(n: number, d: number, classes: number, seed: number, centreScale = CENTRE_SCALE): ClusteredFeatures {
  const rng = new Rng(seed);
  const g = () => Math.sqrt(-2 * Math.log(Math.max(rng.next(), 1e-300))) * Math.cos(2 * Math.PI * rng.next());
  const rank = 16;
  // Deterministic structure (same centres for the train and test calls with the same seed).
  const structure = new Rng(0xc1a55e5);
  const gs = () => Math.sqrt(-2 * Math.log(Math.max(structure.next(), 1e-300))) * Math.cos(2 * Math.PI * structure.next());
  const centres = Float32Array.from({ length: classes * d }, () => 0.12 * gs());
  const basis = Float32Array.from({ length: rank * d }, () => 0.1 * gs());
  const x = new Float32Array(n * d);
  const labels = new Int32Array(n);
  const z = new Float64Array(rank);
  for (let i = 0; i < n; i++) {
    const c = Math.floor(rng.next() * classes);
    labels[i] = c;
    for (let r = 0; r < rank; r++) z[r] = g();
    const o = i * d;
    for (let j = 0; j < d; j++) {
      let v = centres[c * d + j]! * centreScale + 0.5 * g();
      for (let r = 0; r < rank; r++) v += z[r]! * basis[r * d + j]!;
      x[o + j] = v;
    }
  }
  return { x, labels };
}

function int(name: string, v: string | undefined, fallback: number, min: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < min) throw new PretextError(`--${name} must be an integer ≥ ${min}, got '${v}'\n${USAGE}`, { field: 'usage' });
  return n;
}

const load = () => os.loadavg().map((v) => v.toFixed(2)).join(' ');

/** Wall seconds and CPU seconds (all threads of this process) of an async stage. */
async function timed<T>(f: () => Promise<T>): Promise<{ value: T; seconds: number; cpuSeconds: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = await f();
  const c = process.cpuUsage(c0);
  return { value, seconds: (performance.now() - t0) / 1000, cpuSeconds: (c.user + c.system) / 1e6 };
}

const secs = (t: { seconds: number; cpuSeconds: number }) => `${t.seconds.toFixed(2)} s (cpu ${t.cpuSeconds.toFixed(2)} s)`;

export async function run(args: string[], ctx: BenchContext): Promise<unknown> {
  const values: Record<string, string | undefined> = benchArgs(args, { only: { type: 'string' }, points: { type: 'string' }, train: { type: 'string' }, test: { type: 'string' }, dim: { type: 'string' }, seed: { type: 'string' } }, USAGE);
  const only = (values['only'] ?? STAGES.join(',')).split(',').map((s) => s.trim());
  for (const s of only) if (!(STAGES as readonly string[]).includes(s)) throw new PretextError(`unknown stage '${s}' in --only: expected ${STAGES.join(', ')}`, { field: 'usage' });
  const stages = new Set(only as Stage[]);
  const points = int('points', values['points'], 10_000, 50);
  const nTrain = int('train', values['train'], 60_000, 10);
  const nTest = int('test', values['test'], 10_000, 10);
  const dim = int('dim', values['dim'], 512, 2);
  const seed = int('seed', values['seed'], 0, 0);

  const backend = await initBackend({ ...(ctx.backend ? { prefer: ctx.backend } : {}) });
  ctx.print(`backend ${backend.name} (${backend.device}); ${os.cpus().length} CPUs; load average ${load()}`);
  const result: Record<string, unknown> = { backend: describeBackend().name, cpus: os.cpus().length, loadBefore: os.loadavg() };
  const ctl = { signal: ctx.signal, progress: ctx.progress };

  if (stages.has('knn') || stages.has('probe')) {
    const train = clusteredFeatures(nTrain, dim, 10, seed + 1, OVERLAP_CENTRE_SCALE);
    const test = clusteredFeatures(nTest, dim, 10, seed + 2, OVERLAP_CENTRE_SCALE);
    if (stages.has('knn')) {
      throwIfAborted(ctx.signal);
      const { knnTop1 } = await import('../ml/eval/knnEval');
      const t = await timed(() => knnTop1(train.x, train.labels, test.x, test.labels, 10, 200, 0.1, ctl));
      ctx.print(`kNN     ${nTest} × ${nTrain}, ${dim}-d: ${secs(t)}, top-1 ${(100 * t.value).toFixed(1)} %  load ${load()}`);
      result['knn'] = { seconds: t.seconds, cpuSeconds: t.cpuSeconds, top1: t.value, test: nTest, train: nTrain, dim, load: os.loadavg() };
    }
    if (stages.has('probe')) {
      throwIfAborted(ctx.signal);
      const { trainProbe } = await import('../ml/eval/probe');
      const t = await timed(() => trainProbe(train.x, train.labels, test.x, test.labels, 10, ctl));
      const r = t.value;
      ctx.print(`probe   ${nTrain} × ${dim} (L-BFGS, ${r.iterations} it): ${secs(t)}, top-1 ${(100 * r.top1).toFixed(1)} %  load ${load()}`);
      result['probe'] = { seconds: t.seconds, cpuSeconds: t.cpuSeconds, top1: r.top1, top5: r.top5, iterations: r.iterations, train: nTrain, dim, load: os.loadavg() };
    }
  }

  const mapStages = STAGES.filter((s): s is 'pca' | 'tsne' | 'umap' => (s === 'pca' || s === 'tsne' || s === 'umap') && stages.has(s));
  if (mapStages.length > 0) {
    const data = clusteredFeatures(points, dim, 10, seed + 3);
    for (const algo of mapStages) {
      throwIfAborted(ctx.signal);
      const t = await timed(() => computeMap(algo, data.x, points, dim, seed, ctl));
      const map = t.value;
      const q = mapQuality(data.x, map.coords, data.labels, points, dim, { seed });
      ctx.print(
        `${algo.padEnd(7)} ${points} points, ${dim}-d: ${secs(t)}, trustworthiness(k=${q.k}) ${q.trustworthiness.toFixed(4)}, ` +
          `2-D kNN ${(100 * (q.knn2d ?? 0)).toFixed(1)} %  load ${load()}`,
      );
      result[algo] = { seconds: t.seconds, cpuSeconds: t.cpuSeconds, points, dim, quality: q, ...map.extra, timings: map.timings, load: os.loadavg() };
    }
  }
  return result;
}
