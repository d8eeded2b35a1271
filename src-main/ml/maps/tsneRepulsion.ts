/**
 * The repulsive half of the t-SNE gradient, by FFT-accelerated interpolation (Linderman et al.
 * 2019, "Fast interpolation-based t-SNE"; the scheme openTSNE and FIt-SNE use), on typed arrays.
 *
 * With K(a, b) = 1 / (1 + |a − b|²), the repulsion on point i is Σ_j K(y_i, y_j)² (y_i − y_j)
 * and the normaliser is Z = Σ_{i≠j} K(y_i, y_j). Both follow from four sums over the squared
 * kernel K², with charges q_j ∈ {1, x_j, y_j, x_j² + y_j²}:
 *   φ_c(i) = Σ_j K²(y_i, y_j) q_j,c
 *   rep_i  = y_i φ_1 − (φ_2, φ_3)
 *   Z      = Σ_i [(1 + |y_i|²) φ_1 − 2 (x_i φ_2 + y_i φ_3) + φ_4] − N      (the self terms)
 * The charges are spread onto a uniform grid with cubic Lagrange weights, the grid is
 * convolved with K² by FFT (two charges per complex transform: K² is real and even), and the
 * potentials are interpolated back with the same weights.
 *
 * Grid spacing: at most 0.7 (FIt-SNE's default is 1/3 with quadratic interpolation). The
 * repulsion is then within ~4 % of the exact sums (tests), and on 10,000 clustered 512-d
 * points the final KL divergence was within 1 % and the trustworthiness within 0.001 of a run
 * at spacing 0.35, for a third of the CPU time (measured for bench eval; see the report).
 */
import { convolveGrid, evenKernelSpectrum, fftSizeAtLeast } from './tsneFft';

export interface RepulsionOptions {
  /** Largest grid spacing, in embedding units (the kernel's width is 1). */
  maxSpacing: number;
  /** Smallest FFT size per dimension (2^k or 3·2^k). */
  minFftSize: number;
  /** Interpolation nodes per axis (even): 4 is cubic Lagrange, 6 quintic. */
  order: number;
}

export const defaultRepulsion: RepulsionOptions = { maxSpacing: 0.7, minFftSize: 64, order: 4 };

/** Reusable buffers and the kernel spectrum of the last grid. */
export class RepulsionWorkspace {
  private L = 0;
  private re = new Float64Array(0);
  private im = new Float64Array(0);
  private re2 = new Float64Array(0);
  private im2 = new Float64Array(0);
  private wx: Float64Array;
  private wy: Float64Array;
  private cell: Int32Array;
  private hatKey = '';
  private hat: Float64Array = new Float64Array(0);

  constructor(
    readonly n: number,
    readonly opts: RepulsionOptions = defaultRepulsion,
  ) {
    const P = opts.order;
    if (P < 2 || P % 2 !== 0) throw new Error(`interpolation order must be even and ≥ 2, got ${P}`);
    this.wx = new Float64Array(n * P);
    this.wy = new Float64Array(n * P);
    this.cell = new Int32Array(n * 2);
  }

  private ensure(L: number): void {
    if (this.L === L) return;
    this.L = L;
    this.re = new Float64Array(L * L);
    this.im = new Float64Array(L * L);
    this.re2 = new Float64Array(L * L);
    this.im2 = new Float64Array(L * L);
  }

  /**
   * Writes the unnormalised repulsion of every point into `rep` (n×2, interleaved) and
   * returns Z. `y` is n×2 interleaved.
   */
  compute(y: Float64Array, rep: Float64Array): number {
    const n = this.n;
    const P = this.opts.order;
    const half = P / 2;
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < 2 * n; i++) {
      const v = y[i]!;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const extent = Math.max(hi - lo, 1e-12);
    // Nodes needed at spacing maxSpacing, plus the stencil's margin; the FFT size is the next
    // 2^k or 3·2^k of 2m, and the grid then uses the finest spacing that size allows.
    const L = Math.max(this.opts.minFftSize, fftSizeAtLeast(2 * (Math.ceil(extent / this.opts.maxSpacing) + P + 1)));
    const m = L / 2;
    // The spacing is rounded up to a ladder of 16 steps per octave below maxSpacing, so the
    // kernel spectrum changes (and is recomputed) only every few iterations.
    const step = Math.max(0, Math.floor(-16 * Math.log2(extent / (m - P - 1) / this.opts.maxSpacing)));
    const h = this.opts.maxSpacing * 2 ** (-step / 16);
    const origin = lo - (half - 0.5) * h;
    this.ensure(L);
    if (this.hatKey !== `${L}:${step}`) {
      this.hatKey = `${L}:${step}`;
      this.hat = evenKernelSpectrum(L, m, (d2) => {
        const k = 1 / (1 + h * h * d2);
        return k * k;
      });
    }
    const hat = this.hat;
    const { re, im, re2, im2, wx, wy, cell } = this;
    re.fill(0);
    im.fill(0);
    re2.fill(0);
    im2.fill(0);

    // Stencil of each point: nodes j0..j0+P−1 with j0 = floor(u) − (P/2 − 1), u in grid units.
    for (let i = 0; i < n; i++) {
      const ux = (y[2 * i]! - origin) / h;
      const uy = (y[2 * i + 1]! - origin) / h;
      const jx = Math.floor(ux) - (half - 1);
      const jy = Math.floor(uy) - (half - 1);
      cell[2 * i] = jx;
      cell[2 * i + 1] = jy;
      lagrange(ux - jx, P, wx, i * P);
      lagrange(uy - jy, P, wy, i * P);
    }

    // Spread: pair A = (1, x) in re/im, pair B = (y, x² + y²) in re2/im2.
    for (let i = 0; i < n; i++) {
      const x = y[2 * i]!;
      const yy = y[2 * i + 1]!;
      const r2 = x * x + yy * yy;
      const jx = cell[2 * i]!;
      const jy = cell[2 * i + 1]!;
      const wo = i * P;
      for (let b = 0; b < P; b++) {
        const wyb = wy[wo + b]!;
        let o = (jy + b) * L + jx;
        for (let a = 0; a < P; a++, o++) {
          const w = wyb * wx[wo + a]!;
          re[o] += w;
          im[o] += w * x;
          re2[o] += w * yy;
          im2[o] += w * r2;
        }
      }
    }

    convolveGrid(re, im, L, m, hat);
    convolveGrid(re2, im2, L, m, hat);

    // Interpolate the four potentials back and assemble rep and Z.
    let z = 0;
    for (let i = 0; i < n; i++) {
      const jx = cell[2 * i]!;
      const jy = cell[2 * i + 1]!;
      const wo = i * P;
      let p1 = 0;
      let p2 = 0;
      let p3 = 0;
      let p4 = 0;
      for (let b = 0; b < P; b++) {
        const wyb = wy[wo + b]!;
        let o = (jy + b) * L + jx;
        let q1 = 0;
        let q2 = 0;
        let q3 = 0;
        let q4 = 0;
        for (let a = 0; a < P; a++, o++) {
          const w = wx[wo + a]!;
          q1 += w * re[o]!;
          q2 += w * im[o]!;
          q3 += w * re2[o]!;
          q4 += w * im2[o]!;
        }
        p1 += wyb * q1;
        p2 += wyb * q2;
        p3 += wyb * q3;
        p4 += wyb * q4;
      }
      const x = y[2 * i]!;
      const yy = y[2 * i + 1]!;
      rep[2 * i] = x * p1 - p2;
      rep[2 * i + 1] = yy * p1 - p3;
      z += (1 + x * x + yy * yy) * p1 - 2 * (x * p2 + yy * p3) + p4;
    }
    return z - n;
  }
}

/** Lagrange weights of nodes 0..P−1 at position t (t ∈ [P/2 − 1, P/2)). */
function lagrange(t: number, P: number, out: Float64Array, o: number): void {
  for (let a = 0; a < P; a++) {
    let w = 1;
    for (let b = 0; b < P; b++) if (b !== a) w *= (t - b) / (a - b);
    out[o + a] = w;
  }
}

/** The same quantities by the exact O(N²) sums: the reference for tests and small N. */
export function exactRepulsion(y: Float64Array, n: number, rep: Float64Array): number {
  let z = 0;
  rep.fill(0, 0, 2 * n);
  for (let i = 0; i < n; i++) {
    const xi = y[2 * i]!;
    const yi = y[2 * i + 1]!;
    let fx = 0;
    let fy = 0;
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      const dx = xi - y[2 * j]!;
      const dy = yi - y[2 * j + 1]!;
      const k = 1 / (1 + dx * dx + dy * dy);
      z += k;
      fx += k * k * dx;
      fy += k * k * dy;
    }
    rep[2 * i] = fx;
    rep[2 * i + 1] = fy;
  }
  return z;
}
