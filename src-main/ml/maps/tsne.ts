/**
 * t-SNE on typed arrays, following openTSNE's defaults (Poličar et al.; Belkina et al. 2019;
 * Linderman et al. 2019):
 *  1. PCA to 50 dimensions (exact, pca.ts);
 *  2. exact kNN with k = 3·perplexity (ml/eval/knn.ts, blocked products on the tfjs backend);
 *  3. perplexity-calibrated Gaussian affinities, symmetrised and normalised (tsneAffinity.ts);
 *  4. initialisation: the first two principal components scaled to std 1e-4;
 *  5. gradient descent with momentum and gains (openTSNE's `gradient_descent`): early
 *     exaggeration 12 for 250 iterations at momentum 0.5, then 500 iterations at momentum 0.8,
 *     learning rate max(200, N/12), update norm clipped at 5 per point. The gradient omits the
 *     constant factor 4, as openTSNE's does (its learning rate is scaled for that).
 *     Attraction: the sparse P; repulsion: FFT-accelerated interpolation (tsneRepulsion.ts).
 */
import type { Control } from '../../core/control';
import { Rng } from '../../core/rng';
import { abortCheck, iterate, reducedKnn, stageTimer, type MapCoords } from './stages';
import { bfsOrder, conditionalP, permute, symmetrise, type Csr } from './tsneAffinity';
import { defaultRepulsion, exactRepulsion, RepulsionWorkspace, type RepulsionOptions } from './tsneRepulsion';

export interface TsneOptions {
  perplexity?: number;
  /** Seed of the random initialisation; the PCA initialisation (default) and everything else
   *  are deterministic, so the same input always gives the same map. */
  seed?: number;
  /** PCA dimensions before the kNN search (skipped when the input has fewer). */
  pcaDims?: number;
  exaggeration?: number;
  earlyIterations?: number;
  iterations?: number;
  learningRate?: number;
  /** 'pca' (openTSNE's default) or 'random' (seeded Gaussian, std 1e-4). */
  init?: 'pca' | 'random';
  repulsion?: RepulsionOptions;
  /** Repulsion by FFT interpolation, or the exact O(N²) sums; 'auto' (default): exact up to
   *  1,500 points, where it is the faster of the two. */
  gradient?: 'fft' | 'exact' | 'auto';
}

export interface TsneResult extends MapCoords {
  /** KL(P‖Q) of the final embedding (its Z from the interpolated normaliser). */
  kl: number;
}

export async function tsne(x: Float32Array, n: number, d: number, opts: TsneOptions = {}, ctl: Control = {}): Promise<TsneResult> {
  const perplexity = opts.perplexity ?? 30;
  if (n < 5) throw new Error(`t-SNE needs at least 5 points, got ${n}`);
  const k = Math.min(n - 1, Math.floor(3 * perplexity));
  const earlyIters = opts.earlyIterations ?? 250;
  const iters = opts.iterations ?? 500;
  const exaggeration = opts.exaggeration ?? 12;
  const lr = opts.learningRate ?? Math.max(200, n / 12);
  const check = abortCheck(ctl);
  const { timings, lap } = stageTimer();

  // 1–2. PCA (also the initialisation), then kNN.
  const dims = Math.min(opts.pcaDims ?? 50, d, n - 1);
  const { reduced, graph } = await reducedKnn(x, n, d, { dims, k, label: 't-SNE neighbours' }, ctl, lap);
  lap('knn');
  // 3. Affinities.
  // Points relabelled in breadth-first order of P's graph: the sweeps over P then touch
  // nearby memory (undone on output).
  const P0 = symmetrise(graph, conditionalP(graph, perplexity));
  const order = bfsOrder(P0);
  const P = permute(P0, order);
  lap('affinities');
  check();

  // 4. Initialisation.
  const y = new Float64Array(2 * n);
  if ((opts.init ?? 'pca') === 'pca' && dims >= 2) {
    for (let i = 0; i < n; i++) {
      y[2 * i] = reduced.scores[order[i]! * dims]!;
      y[2 * i + 1] = reduced.scores[order[i]! * dims + 1]!;
    }
  } else {
    const rng = new Rng(opts.seed ?? 0);
    for (let i = 0; i < 2 * n; i++) {
      const u = Math.max(rng.next(), 1e-300);
      y[i] = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
    }
  }
  let mean = 0;
  for (let i = 0; i < n; i++) mean += y[2 * i]!;
  mean /= n;
  let sd = 0;
  for (let i = 0; i < n; i++) sd += (y[2 * i]! - mean) ** 2;
  sd = Math.sqrt(sd / n) || 1;
  for (let i = 0; i < 2 * n; i++) y[i] = (y[i]! * 1e-4) / sd;

  // 5. Optimisation.
  const mode = opts.gradient ?? 'auto';
  const fft = new RepulsionWorkspace(n, opts.repulsion ?? defaultRepulsion);
  const repulsion: Repulsion =
    mode === 'exact' || (mode === 'auto' && n <= 1500) ? (yy, out) => exactRepulsion(yy, n, out) : (yy, out) => fft.compute(yy, out);
  const opt = new Optimizer(n, upperTriangle(P), repulsion);
  const total = earlyIters + iters;
  await iterate('t-SNE', total, 'it', 10, (it) => {
    const early = it < earlyIters;
    opt.step(y, early ? exaggeration : 1, early ? 0.5 : 0.8, lr);
  }, ctl);
  lap('optimize');

  const coords = new Float32Array(2 * n);
  for (let r = 0; r < n; r++) {
    coords[2 * order[r]!] = y[2 * r]!;
    coords[2 * order[r]! + 1] = y[2 * r + 1]!;
  }
  // Z of the final embedding (by the same repulsion method) for its KL divergence.
  const z = repulsion(y, new Float64Array(2 * n));
  return { coords, kl: klDivergence(P, y, z), timings };
}

/** Writes the unnormalised repulsion into `out` and returns Z. */
type Repulsion = (y: Float64Array, out: Float64Array) => number;

/** Gradient descent with momentum and per-coordinate gains, as openTSNE's. */
class Optimizer {
  private readonly update: Float64Array;
  private readonly gains: Float64Array;
  private readonly grad: Float64Array;
  private readonly repF: Float64Array;

  constructor(
    private readonly n: number,
    /** The upper triangle of P. */
    private readonly P: Csr,
    private readonly rep: Repulsion,
  ) {
    this.update = new Float64Array(2 * n);
    this.gains = new Float64Array(2 * n).fill(1);
    this.grad = new Float64Array(2 * n);
    this.repF = new Float64Array(2 * n);
  }

  /** One step; returns the normaliser Z of the embedding before the step. */
  step(y: Float64Array, exaggeration: number, momentum: number, lr: number): number {
    const { n, P, update, gains, grad, repF } = this;
    const z = this.rep(y, repF);
    attraction(P, y, grad);
    const invZ = 1 / z;
    for (let i = 0; i < 2 * n; i++) grad[i] = exaggeration * grad[i]! - repF[i]! * invZ;
    let mx = 0;
    let my = 0;
    for (let i = 0; i < n; i++) {
      let ux = 0;
      let uy = 0;
      for (let c = 0; c < 2; c++) {
        const o = 2 * i + c;
        const g = grad[o]!;
        const u = update[o]!;
        let gain = (g > 0) !== (u > 0) ? gains[o]! + 0.2 : gains[o]! * 0.8;
        if (gain < 0.01) gain = 0.01;
        gains[o] = gain;
        const nu = momentum * u - lr * gain * g;
        if (c === 0) ux = nu;
        else uy = nu;
      }
      const norm = Math.sqrt(ux * ux + uy * uy);
      if (norm > 5) {
        ux *= 5 / norm;
        uy *= 5 / norm;
      }
      update[2 * i] = ux;
      update[2 * i + 1] = uy;
      y[2 * i] = y[2 * i]! + ux;
      y[2 * i + 1] = y[2 * i + 1]! + uy;
      mx += y[2 * i]!;
      my += y[2 * i + 1]!;
    }
    mx /= n;
    my /= n;
    for (let i = 0; i < n; i++) {
      y[2 * i] = y[2 * i]! - mx;
      y[2 * i + 1] = y[2 * i + 1]! - my;
    }
    return z;
  }
}

/** The strict upper triangle (j > i) of a symmetric CSR matrix: each pair once. */
export function upperTriangle(P: Csr): Csr {
  const { n, rowPtr, cols, vals } = P;
  const ptr = new Int32Array(n + 1);
  let w = 0;
  const outCols = new Int32Array(cols.length);
  const outVals = new Float64Array(cols.length);
  for (let i = 0; i < n; i++) {
    ptr[i] = w;
    for (let e = rowPtr[i]!; e < rowPtr[i + 1]!; e++) {
      if (cols[e]! <= i) continue;
      outCols[w] = cols[e]!;
      outVals[w++] = vals[e]!;
    }
  }
  ptr[n] = w;
  return { n, rowPtr: ptr, cols: outCols.slice(0, w), vals: outVals.slice(0, w) };
}

/**
 * Attractive forces Σ_j p_ij (y_i − y_j) / (1 + |y_i − y_j|²) into `out` (n×2), from the
 * upper triangle of the symmetric P: each pair is evaluated once and acts on both points.
 */
export function attraction(upper: Csr, y: Float64Array, out: Float64Array): void {
  const { n, rowPtr, cols, vals } = upper;
  out.fill(0);
  for (let i = 0; i < n; i++) {
    const xi = y[2 * i]!;
    const yi = y[2 * i + 1]!;
    let fx = 0;
    let fy = 0;
    const end = rowPtr[i + 1]!;
    for (let e = rowPtr[i]!; e < end; e++) {
      const j = cols[e]!;
      const dx = xi - y[2 * j]!;
      const dy = yi - y[2 * j + 1]!;
      const w = vals[e]! / (1 + dx * dx + dy * dy);
      const wx = w * dx;
      const wy = w * dy;
      fx += wx;
      fy += wy;
      out[2 * j] = out[2 * j]! - wx;
      out[2 * j + 1] = out[2 * j + 1]! - wy;
    }
    out[2 * i] = out[2 * i]! + fx;
    out[2 * i + 1] = out[2 * i + 1]! + fy;
  }
}

/** KL(P‖Q) = Σ p log p − Σ p log K + log Z over the non-zeros of P. */
function klDivergence(P: Csr, y: Float64Array, z: number): number {
  let kl = 0;
  for (let i = 0; i < P.n; i++) {
    for (let e = P.rowPtr[i]!; e < P.rowPtr[i + 1]!; e++) {
      const p = P.vals[e]!;
      if (p <= 0) continue;
      const j = P.cols[e]!;
      const dx = y[2 * i]! - y[2 * j]!;
      const dy = y[2 * i + 1]! - y[2 * j + 1]!;
      kl += p * (Math.log(p) + Math.log(1 + dx * dx + dy * dy));
    }
  }
  return kl + Math.log(z);
}
