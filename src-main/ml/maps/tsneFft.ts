/**
 * In-place complex FFTs along axis 0 of square grids on split Float64Arrays (re, im), sizes
 * 2^k (radix-4 passes) and 3·2^k (one radix-3 split on top), and the 2-D convolution of
 * zero-padded grids that the t-SNE repulsion needs (tsneRepulsion.ts). Plans (twiddles and
 * bit-reversal table) are cached per size.
 */

interface Plan {
  n: number;
  cos: Float64Array;
  sin: Float64Array;
  rev: Uint32Array;
}

const plans = new Map<number, Plan>();

function plan(n: number): Plan {
  let p = plans.get(n);
  if (p) return p;
  if (n < 2 || (n & (n - 1)) !== 0) throw new Error(`FFT size must be a power of two ≥ 2, got ${n}`);
  const half = n >> 1;
  const cos = new Float64Array(half);
  const sin = new Float64Array(half);
  for (let i = 0; i < half; i++) {
    cos[i] = Math.cos((2 * Math.PI * i) / n);
    sin[i] = -Math.sin((2 * Math.PI * i) / n);
  }
  const bits = Math.log2(n);
  const rev = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    let r = 0;
    for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
    rev[i] = r;
  }
  p = { n, cos, sin, rev };
  plans.set(n, p);
  return p;
}

/**
 * DFT along axis 0 of an L×L row-major grid (every column transformed over its rows), for the
 * columns [0, width) only. Butterflies pair whole rows, so the inner loop runs over contiguous
 * columns with one twiddle: far faster in JS than strided per-column transforms.
 */
export function fftAxis0(re: Float64Array, im: Float64Array, L: number, width: number, inverse: boolean): void {
  // Column panels of PANEL columns: every stage of a panel runs while it is in cache.
  if ((L & (L - 1)) === 0) {
    for (let c0 = 0; c0 < width; c0 += PANEL) fftPanel(re, im, L, L, 0, c0, Math.min(width, c0 + PANEL), inverse);
    return;
  }
  const M = L / 3;
  if (!Number.isInteger(M) || (M & (M - 1)) !== 0) throw new Error(`FFT size must be 2^k or 3·2^k, got ${L}`);
  for (let c0 = 0; c0 < width; c0 += PANEL) radix3(re, im, L, M, c0, Math.min(width, c0 + PANEL), inverse);
}

/** Smallest supported FFT size (2^k or 3·2^k) ≥ n. */
export function fftSizeAtLeast(n: number): number {
  let p = 2;
  while (p < n) p *= 2;
  const three = (3 * p) / 4;
  return Number.isInteger(three) && three >= n && three >= 3 ? three : p;
}

const r3 = new Map<number, { cos: Float64Array; sin: Float64Array; tr: Float64Array; ti: Float64Array }>();

/**
 * Length L = 3M along axis 0: the rows t ≡ r (mod 3) are gathered into block r, each block is
 * transformed (length M), and X[k + qM] = Σ_r W_L^{rk} W_3^{rq} F_r[k] combines them in place.
 */
function radix3(re: Float64Array, im: Float64Array, L: number, M: number, c0: number, c1: number, inverse: boolean): void {
  let t = r3.get(L);
  if (!t) {
    const cos = new Float64Array(2 * M);
    const sin = new Float64Array(2 * M);
    for (let j = 0; j < 2 * M; j++) {
      cos[j] = Math.cos((2 * Math.PI * j) / L);
      sin[j] = -Math.sin((2 * Math.PI * j) / L);
    }
    t = { cos, sin, tr: new Float64Array(L * PANEL), ti: new Float64Array(L * PANEL) };
    r3.set(L, t);
  }
  const { cos, sin, tr, ti } = t;
  const w = c1 - c0;
  for (let row = 0; row < L; row++) {
    const dst = ((row % 3) * M + Math.floor(row / 3)) * PANEL;
    const src = row * L + c0;
    for (let c = 0; c < w; c++) {
      tr[dst + c] = re[src + c]!;
      ti[dst + c] = im[src + c]!;
    }
  }
  for (let row = 0; row < L; row++) {
    const src = row * PANEL;
    const dst = row * L + c0;
    for (let c = 0; c < w; c++) {
      re[dst + c] = tr[src + c]!;
      im[dst + c] = ti[src + c]!;
    }
  }
  for (let r = 0; r < 3; r++) fftPanel(re, im, L, M, r * M, c0, c1, inverse);
  const sg = inverse ? -1 : 1;
  const s3 = (sg * Math.sqrt(3)) / 2;
  for (let k = 0; k < M; k++) {
    const w1r = cos[k]!;
    const w1i = sg * sin[k]!;
    const w2r = cos[2 * k]!;
    const w2i = sg * sin[2 * k]!;
    const o0 = k * L;
    const o1 = (k + M) * L;
    const o2 = (k + 2 * M) * L;
    for (let c = c0; c < c1; c++) {
      const f0r = re[o0 + c]!;
      const f0i = im[o0 + c]!;
      const f1r = re[o1 + c]!;
      const f1i = im[o1 + c]!;
      const f2r = re[o2 + c]!;
      const f2i = im[o2 + c]!;
      const a1r = f1r * w1r - f1i * w1i;
      const a1i = f1r * w1i + f1i * w1r;
      const a2r = f2r * w2r - f2i * w2i;
      const a2i = f2r * w2i + f2i * w2r;
      const sr = a1r + a2r;
      const si = a1i + a2i;
      const dr = a1r - a2r;
      const di = a1i - a2i;
      re[o0 + c] = f0r + sr;
      im[o0 + c] = f0i + si;
      // W_3 = −1/2 − i·(√3/2) forward: X1 = F0 − S/2 − i s3 D, X2 = F0 − S/2 + i s3 D.
      const hr = f0r - 0.5 * sr;
      const hi = f0i - 0.5 * si;
      re[o1 + c] = hr + s3 * di;
      im[o1 + c] = hi - s3 * dr;
      re[o2 + c] = hr - s3 * di;
      im[o2 + c] = hi + s3 * dr;
    }
  }
}

const PANEL = 32;

/** FFT of length n over rows base..base+n−1 (row stride L) of the columns [c0, c1). */
function fftPanel(re: Float64Array, im: Float64Array, L: number, n: number, base: number, c0: number, c1: number, inverse: boolean): void {
  const { cos, sin, rev } = plan(n);
  for (let i = 0; i < n; i++) {
    const j = rev[i]!;
    if (j <= i) continue;
    const a = (base + i) * L;
    const b = (base + j) * L;
    for (let c = c0; c < c1; c++) {
      const tr = re[a + c]!;
      re[a + c] = re[b + c]!;
      re[b + c] = tr;
      const ti = im[a + c]!;
      im[a + c] = im[b + c]!;
      im[b + c] = ti;
    }
  }
  const s = inverse ? -1 : 1;
  const stages = Math.log2(n);
  let h = 1;
  if (stages % 2 === 1) {
    // One radix-2 stage (twiddle 1), then radix-4 passes.
    for (let start = 0; start < n; start += 2) {
      const a = (base + start) * L;
      const b = a + L;
      for (let c = c0; c < c1; c++) {
        const br = re[b + c]!;
        const bi = im[b + c]!;
        const ar = re[a + c]!;
        const ai = im[a + c]!;
        re[a + c] = ar + br;
        im[a + c] = ai + bi;
        re[b + c] = ar - br;
        im[b + c] = ai - bi;
      }
    }
    h = 2;
  }
  // Each pass merges two radix-2 stages (sizes 2h and 4h): half the passes over memory.
  for (; h < n; h *= 4) {
    const s2 = n / (2 * h);
    const s4 = n / (4 * h);
    for (let k = 0; k < h; k++) {
      const w1r = cos[k * s2]!;
      const w1i = s * sin[k * s2]!;
      const w2r = cos[k * s4]!;
      const w2i = s * sin[k * s4]!;
      const w3r = cos[(k + h) * s4]!;
      const w3i = s * sin[(k + h) * s4]!;
      for (let start = 0; start < n; start += 4 * h) {
        const r0 = (base + start + k) * L;
        const r1 = r0 + h * L;
        const r2 = r1 + h * L;
        const r3 = r2 + h * L;
        for (let c = c0; c < c1; c++) {
          const x0r = re[r0 + c]!;
          const x0i = im[r0 + c]!;
          const x1r = re[r1 + c]!;
          const x1i = im[r1 + c]!;
          const x2r = re[r2 + c]!;
          const x2i = im[r2 + c]!;
          const x3r = re[r3 + c]!;
          const x3i = im[r3 + c]!;
          const t1r = x1r * w1r - x1i * w1i;
          const t1i = x1r * w1i + x1i * w1r;
          const t3r = x3r * w1r - x3i * w1i;
          const t3i = x3r * w1i + x3i * w1r;
          const b0r = x0r + t1r;
          const b0i = x0i + t1i;
          const b1r = x0r - t1r;
          const b1i = x0i - t1i;
          const b2r = x2r + t3r;
          const b2i = x2i + t3i;
          const b3r = x2r - t3r;
          const b3i = x2i - t3i;
          const u2r = b2r * w2r - b2i * w2i;
          const u2i = b2r * w2i + b2i * w2r;
          const u3r = b3r * w3r - b3i * w3i;
          const u3i = b3r * w3i + b3i * w3r;
          re[r0 + c] = b0r + u2r;
          im[r0 + c] = b0i + u2i;
          re[r2 + c] = b0r - u2r;
          im[r2 + c] = b0i - u2i;
          re[r1 + c] = b1r + u3r;
          im[r1 + c] = b1i + u3i;
          re[r3 + c] = b1r - u3r;
          im[r3 + c] = b1i - u3i;
        }
      }
    }
  }
}

/** In-place transpose of an L×L grid, in 32×32 tiles. */
function transpose(a: Float64Array, L: number): void {
  const T = 32;
  for (let r0 = 0; r0 < L; r0 += T) {
    for (let c0 = r0; c0 < L; c0 += T) {
      const r1 = Math.min(L, r0 + T);
      const c1 = Math.min(L, c0 + T);
      for (let r = r0; r < r1; r++) {
        for (let c = c0 === r0 ? r + 1 : c0; c < c1; c++) {
          const x = a[r * L + c]!;
          a[r * L + c] = a[c * L + r]!;
          a[c * L + r] = x;
        }
      }
    }
  }
}

/**
 * Circular 2-D convolution of an L×L complex grid with a real kernel that is even and
 * symmetric in its two axes, given by its (real) spectrum `kernelHat`, in place. Only the
 * top-left `m`×`m` block of the input may be non-zero, and only that block of the output is
 * meaningful. With L ≥ 2m − 1 the result equals the linear convolution.
 */
export function convolveGrid(re: Float64Array, im: Float64Array, L: number, m: number, kernelHat: Float64Array): void {
  fftAxis0(re, im, L, m, false);
  transpose(re, L);
  transpose(im, L);
  fftAxis0(re, im, L, L, false);
  const scale = 1 / (L * L);
  for (let i = 0; i < L * L; i++) {
    const k = kernelHat[i]! * scale;
    re[i] = re[i]! * k;
    im[i] = im[i]! * k;
  }
  fftAxis0(re, im, L, L, true);
  transpose(re, L);
  transpose(im, L);
  fftAxis0(re, im, L, m, true);
}

/** The real spectrum of an even kernel k(dx, dy) = f(dx² + dy²) sampled on an L×L torus. */
export function evenKernelSpectrum(L: number, m: number, f: (d2: number) => number): Float64Array {
  const re = new Float64Array(L * L);
  const im = new Float64Array(L * L);
  for (let dy = -(m - 1); dy <= m - 1; dy++) {
    const row = ((dy + L) % L) * L;
    for (let dx = -(m - 1); dx <= m - 1; dx++) re[row + ((dx + L) % L)] = f(dx * dx + dy * dy);
  }
  fftAxis0(re, im, L, L, false);
  transpose(re, L);
  transpose(im, L);
  fftAxis0(re, im, L, L, false);
  return re;
}
