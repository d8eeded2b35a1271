/**
 * Exact PCA of an n×d float32 matrix (row-major): the covariance matrix in float64, its
 * Householder tridiagonalisation, the top-k eigenvalues by Sturm bisection and their
 * eigenvectors by inverse iteration on the tridiagonal matrix, carried back through the
 * reflectors. Deterministic sign: each component's largest-magnitude loading is positive.
 *
 * Below ~2·10⁸ multiply-adds the covariance and the projections are computed in float64 on
 * typed arrays; above, by blocked float32 matMuls on the active tfjs backend (XNNPACK on wasm:
 * ~5× faster here), with float64 accumulation across blocks. The eigen-solve is float64 always.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../../core/rng';

export interface PcaResult {
  /** k×d, row-major, orthonormal rows, by decreasing variance. */
  components: Float64Array;
  mean: Float64Array;
  /** Variance along each component (covariance eigenvalue, 1/(n−1) normalised). */
  variance: Float64Array;
  totalVariance: number;
  /** n×k projections of the centred rows (float32). */
  scores: Float32Array;
  k: number;
}

export interface PcaCtl {
  /** Called between stages so a caller can yield or cancel. */
  tick?: () => Promise<void>;
}

/** Covariance (d×d, float64) of the centred rows, with a 4×4 register-blocked kernel. */
export function covariance(x: Float32Array, n: number, d: number, mean: Float64Array): Float64Array {
  // Column-major centred copy, so every dot product runs over contiguous memory.
  const cols = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    const row = i * d;
    for (let j = 0; j < d; j++) cols[j * n + i] = x[row + j]! - mean[j]!;
  }
  const c = new Float64Array(d * d);
  const d4 = d - (d % 4);
  for (let a = 0; a < d; a += 4) {
    for (let b = a; b < d; b += 4) {
      if (a < d4 && b < d4) {
        const a0 = a * n, a1 = a0 + n, a2 = a1 + n, a3 = a2 + n;
        const b0 = b * n, b1 = b0 + n, b2 = b1 + n, b3 = b2 + n;
        let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
        let s20 = 0, s21 = 0, s22 = 0, s23 = 0, s30 = 0, s31 = 0, s32 = 0, s33 = 0;
        for (let i = 0; i < n; i++) {
          const x0 = cols[a0 + i]!, x1 = cols[a1 + i]!, x2 = cols[a2 + i]!, x3 = cols[a3 + i]!;
          const y0 = cols[b0 + i]!, y1 = cols[b1 + i]!, y2 = cols[b2 + i]!, y3 = cols[b3 + i]!;
          s00 += x0 * y0; s01 += x0 * y1; s02 += x0 * y2; s03 += x0 * y3;
          s10 += x1 * y0; s11 += x1 * y1; s12 += x1 * y2; s13 += x1 * y3;
          s20 += x2 * y0; s21 += x2 * y1; s22 += x2 * y2; s23 += x2 * y3;
          s30 += x3 * y0; s31 += x3 * y1; s32 += x3 * y2; s33 += x3 * y3;
        }
        const s = [s00, s01, s02, s03, s10, s11, s12, s13, s20, s21, s22, s23, s30, s31, s32, s33];
        for (let p = 0; p < 4; p++) for (let q = 0; q < 4; q++) c[(a + p) * d + b + q] = s[p * 4 + q]!;
      } else {
        for (let p = a; p < Math.min(a + 4, d); p++) {
          for (let q = b; q < Math.min(b + 4, d); q++) {
            let s = 0;
            for (let i = 0; i < n; i++) s += cols[p * n + i]! * cols[q * n + i]!;
            c[p * d + q] = s;
          }
        }
      }
    }
  }
  const scale = 1 / Math.max(1, n - 1);
  for (let p = 0; p < d; p++) {
    for (let q = p; q < d; q++) {
      const v = (q >= p ? c[p * d + q]! : c[q * d + p]!) * scale;
      c[p * d + q] = v;
      c[q * d + p] = v;
    }
  }
  return c;
}

interface Tridiagonal {
  diag: Float64Array;
  off: Float64Array; // off[i] couples i and i+1
  /** Householder vectors (unit), one per reduced column k, stored in rows of v. */
  v: Float64Array;
  used: Uint8Array;
}

/** Householder reduction of a symmetric d×d matrix (destroyed) to tridiagonal form. */
function tridiagonalise(a: Float64Array, d: number): Tridiagonal {
  const v = new Float64Array(d * d);
  const used = new Uint8Array(d);
  const p = new Float64Array(d);
  const w = new Float64Array(d);
  for (let k = 0; k < d - 2; k++) {
    let norm = 0;
    for (let i = k + 1; i < d; i++) norm += a[i * d + k]! ** 2;
    norm = Math.sqrt(norm);
    const x0 = a[(k + 1) * d + k]!;
    if (norm === 0) continue;
    const alpha = x0 > 0 ? -norm : norm;
    const vk = v.subarray(k * d, (k + 1) * d);
    vk[k + 1] = x0 - alpha;
    for (let i = k + 2; i < d; i++) vk[i] = a[i * d + k]!;
    let vn = 0;
    for (let i = k + 1; i < d; i++) vn += vk[i]! ** 2;
    vn = Math.sqrt(vn);
    if (vn === 0) continue;
    for (let i = k + 1; i < d; i++) vk[i] = vk[i]! / vn;
    used[k] = 1;
    // p = A v on the trailing block; w = p − (vᵀp) v; A ← A − 2 v wᵀ − 2 w vᵀ.
    let vp = 0;
    for (let i = k + 1; i < d; i++) {
      let s = 0;
      const row = i * d;
      for (let j = k + 1; j < d; j++) s += a[row + j]! * vk[j]!;
      p[i] = s;
      vp += vk[i]! * s;
    }
    for (let i = k + 1; i < d; i++) w[i] = p[i]! - vp * vk[i]!;
    for (let i = k + 1; i < d; i++) {
      const row = i * d;
      const vi = 2 * vk[i]!;
      const wi = 2 * w[i]!;
      for (let j = k + 1; j < d; j++) a[row + j] = a[row + j]! - vi * w[j]! - wi * vk[j]!;
    }
    a[(k + 1) * d + k] = alpha;
    a[k * d + k + 1] = alpha;
    for (let i = k + 2; i < d; i++) {
      a[i * d + k] = 0;
      a[k * d + i] = 0;
    }
  }
  const diag = new Float64Array(d);
  const off = new Float64Array(Math.max(0, d - 1));
  for (let i = 0; i < d; i++) diag[i] = a[i * d + i]!;
  for (let i = 0; i < d - 1; i++) off[i] = a[(i + 1) * d + i]!;
  return { diag, off, v, used };
}

/** Number of eigenvalues of the tridiagonal matrix below x (Sturm count). */
function countBelow(diag: Float64Array, off: Float64Array, x: number): number {
  let count = 0;
  let q = diag[0]! - x;
  if (q < 0) count++;
  for (let i = 1; i < diag.length; i++) {
    const e = off[i - 1]!;
    const prev = q === 0 ? Number.EPSILON * (Math.abs(e) + 1) : q;
    q = diag[i]! - x - (e * e) / prev;
    if (q < 0) count++;
  }
  return count;
}

/** The j-th smallest eigenvalue (0-based) by bisection to machine precision. */
function eigenvalue(diag: Float64Array, off: Float64Array, j: number, lo: number, hi: number): number {
  for (let it = 0; it < 200; it++) {
    const mid = 0.5 * (lo + hi);
    if (mid <= lo || mid >= hi) break;
    if (countBelow(diag, off, mid) > j) hi = mid;
    else lo = mid;
  }
  return 0.5 * (lo + hi);
}

/** Solves (T − λI) x = b for a symmetric tridiagonal T (Gaussian elimination, partial pivoting). */
function solveShifted(diag: Float64Array, off: Float64Array, lambda: number, b: Float64Array): void {
  const n = diag.length;
  // U of the LU factorisation: diagonal c, super-diagonals u and u2 (u2 comes from pivoting).
  const c = new Float64Array(n);
  const u = new Float64Array(n);
  const u2 = new Float64Array(n);
  const tiny = Number.EPSILON * (Math.abs(lambda) + 1e-300) + 1e-300;
  for (let i = 0; i < n; i++) c[i] = diag[i]! - lambda;
  for (let i = 0; i < n - 1; i++) u[i] = off[i]!;
  for (let i = 0; i < n - 1; i++) {
    // Row i holds (c[i], u[i]) at columns i, i+1; row i+1 holds (l, c[i+1], u[i+1]).
    const l = off[i]!;
    if (Math.abs(l) > Math.abs(c[i]!)) {
      // Swap rows i and i+1.
      const ci = c[i]!, ui = u[i]!, u2i = u2[i]!, bi = b[i]!;
      c[i] = l;
      u[i] = c[i + 1]!;
      u2[i] = i + 1 < n - 1 ? u[i + 1]! : 0;
      b[i] = b[i + 1]!;
      const f = ci / c[i]!;
      c[i + 1] = ui - f * u[i]!;
      u[i + 1] = u2i - f * u2[i]!;
      b[i + 1] = bi - f * b[i]!;
    } else {
      const piv = c[i]! === 0 ? tiny : c[i]!;
      c[i] = piv;
      const f = l / piv;
      c[i + 1] = c[i + 1]! - f * u[i]!;
      b[i + 1] = b[i + 1]! - f * b[i]!;
    }
  }
  if (c[n - 1] === 0) c[n - 1] = tiny;
  b[n - 1] = b[n - 1]! / c[n - 1]!;
  if (n > 1) b[n - 2] = (b[n - 2]! - u[n - 2]! * b[n - 1]!) / (c[n - 2]! === 0 ? tiny : c[n - 2]!);
  for (let i = n - 3; i >= 0; i--) {
    b[i] = (b[i]! - u[i]! * b[i + 1]! - u2[i]! * b[i + 2]!) / (c[i]! === 0 ? tiny : c[i]!);
  }
}

/**
 * The top-k eigenpairs of a symmetric d×d matrix (destroyed): values descending, vectors as
 * rows of a k×d matrix.
 */
export function topEigen(a: Float64Array, d: number, k: number): { values: Float64Array; vectors: Float64Array } {
  const t = tridiagonalise(a, d);
  const { diag, off } = t;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < d; i++) {
    const r = (i > 0 ? Math.abs(off[i - 1]!) : 0) + (i < d - 1 ? Math.abs(off[i]!) : 0);
    lo = Math.min(lo, diag[i]! - r);
    hi = Math.max(hi, diag[i]! + r);
  }
  const pad = (hi - lo) * 1e-12 + 1e-300;
  lo -= pad;
  hi += pad;
  const values = new Float64Array(k);
  const vectors = new Float64Array(k * d);
  const rng = new Rng(0x5ca1ab1e);
  const scale = Math.max(Math.abs(lo), Math.abs(hi), 1e-300);
  for (let j = 0; j < k; j++) {
    const lambda = eigenvalue(diag, off, d - 1 - j, lo, hi);
    values[j] = lambda;
    const x = new Float64Array(d);
    for (let i = 0; i < d; i++) x[i] = rng.uniform(-1, 1);
    const shift = lambda + scale * 1e-14;
    for (let it = 0; it < 3; it++) {
      solveShifted(diag, off, shift, x);
      // Orthogonalise against the earlier vectors (needed where eigenvalues are close).
      for (let p = 0; p < j; p++) {
        let dot = 0;
        for (let i = 0; i < d; i++) dot += x[i]! * vectors[p * d + i]!;
        for (let i = 0; i < d; i++) x[i] = x[i]! - dot * vectors[p * d + i]!;
      }
      let norm = 0;
      for (let i = 0; i < d; i++) norm += x[i]! ** 2;
      norm = Math.sqrt(norm) || 1;
      for (let i = 0; i < d; i++) x[i] = x[i]! / norm;
    }
    vectors.set(x, j * d);
  }
  // Back to the original basis: q = H_0 H_1 ... H_{d−3} x, applied right to left.
  for (let j = 0; j < k; j++) {
    const x = vectors.subarray(j * d, (j + 1) * d);
    for (let s = d - 3; s >= 0; s--) {
      if (!t.used[s]) continue;
      const v = t.v.subarray(s * d, (s + 1) * d);
      let dot = 0;
      for (let i = s + 1; i < d; i++) dot += v[i]! * x[i]!;
      for (let i = s + 1; i < d; i++) x[i] = x[i]! - 2 * dot * v[i]!;
    }
  }
  return { values, vectors };
}

/** Rows per matMul block of the tfjs path. */
const BLOCK = 4096;
/** Multiply-adds above which the tfjs path is taken. */
const TF_THRESHOLD = 2e8;

/** Covariance by blocked matMuls on the tfjs backend (float32 blocks, float64 sum). */
export async function covarianceTf(x: Float32Array, n: number, d: number, mean: Float64Array): Promise<Float64Array> {
  const c = new Float64Array(d * d);
  const mu = tf.tensor1d(Float32Array.from(mean));
  try {
    for (let start = 0; start < n; start += BLOCK) {
      const rows = Math.min(BLOCK, n - start);
      const block = tf.tidy(() => {
        const xc = tf.sub(tf.tensor2d(x.subarray(start * d, (start + rows) * d), [rows, d]), mu);
        return tf.matMul(tf.transpose(xc), xc);
      });
      const part = (await block.data()) as Float32Array;
      block.dispose();
      for (let i = 0; i < d * d; i++) c[i] = c[i]! + part[i]!;
    }
  } finally {
    mu.dispose();
  }
  const scale = 1 / Math.max(1, n - 1);
  for (let p = 0; p < d; p++) {
    for (let q = p; q < d; q++) {
      const v = 0.5 * (c[p * d + q]! + c[q * d + p]!) * scale;
      c[p * d + q] = v;
      c[q * d + p] = v;
    }
  }
  return c;
}

/** Projections of the centred rows on the k components, on the tfjs backend. */
async function projectTf(x: Float32Array, n: number, d: number, mean: Float64Array, comps: Float64Array, k: number): Promise<Float32Array> {
  const out = tf.tidy(() => {
    const xc = tf.sub(tf.tensor2d(x, [n, d]), tf.tensor1d(Float32Array.from(mean)));
    return tf.matMul(xc, tf.tensor2d(Float32Array.from(comps), [k, d]), false, true);
  });
  try {
    return Float32Array.from((await out.data()) as Float32Array);
  } finally {
    out.dispose();
  }
}

/** Exact PCA to k components. */
export async function pca(x: Float32Array, n: number, d: number, k: number, ctl: PcaCtl = {}): Promise<PcaResult> {
  if (n < 2) throw new Error(`PCA needs at least 2 points, got ${n}`);
  if (x.length !== n * d) throw new Error(`PCA input has ${x.length} values, expected ${n}×${d}`);
  k = Math.min(k, d);
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] = mean[j]! + x[i * d + j]!;
  for (let j = 0; j < d; j++) mean[j] = mean[j]! / n;
  const big = n * d * d > TF_THRESHOLD;
  const cov = big ? await covarianceTf(x, n, d, mean) : covariance(x, n, d, mean);
  let totalVariance = 0;
  for (let j = 0; j < d; j++) totalVariance += cov[j * d + j]!;
  await ctl.tick?.();
  const { values, vectors } = topEigen(cov, d, k);
  await ctl.tick?.();
  for (let j = 0; j < k; j++) {
    let best = 0;
    for (let i = 0; i < d; i++) if (Math.abs(vectors[j * d + i]!) > Math.abs(vectors[j * d + best]!)) best = i;
    if (vectors[j * d + best]! < 0) for (let i = 0; i < d; i++) vectors[j * d + i] = -vectors[j * d + i]!;
  }
  const variance = new Float64Array(k);
  for (let j = 0; j < k; j++) variance[j] = Math.max(0, values[j]!);
  if (big) return { components: vectors, mean, variance, totalVariance, scores: await projectTf(x, n, d, mean, vectors, k), k };
  const scores = new Float32Array(n * k);
  const centred = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let q = 0; q < d; q++) centred[q] = x[i * d + q]! - mean[q]!;
    for (let j = 0; j < k; j++) {
      let s = 0;
      const o = j * d;
      for (let q = 0; q < d; q++) s += centred[q]! * vectors[o + q]!;
      scores[i * k + j] = s;
    }
  }
  return { components: vectors, mean, variance, totalVariance, scores, k };
}
