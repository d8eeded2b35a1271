/**
 * Eigenvalues of a real symmetric matrix: Householder reduction to tridiagonal form, then the
 * implicit QL algorithm with Wilkinson-style shifts (Golub & Van Loan §8.3; the tred2/tqli pair
 * of Numerical Recipes §11.2–11.3 without eigenvectors). O(n³), float64, in place on a copy.
 */

/** Eigenvalues (ascending) of the symmetric n × n matrix `a` (row-major; only read). */
export function symmetricEigenvalues(a: Float64Array, n: number): Float64Array {
  if (a.length !== n * n) throw new Error(`symmetricEigenvalues: ${a.length} values is not a ${n} × ${n} matrix`);
  const m = Float64Array.from(a);
  const at = (i: number, j: number) => i * n + j;
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  // Householder tridiagonalisation (rows from the bottom up).
  for (let i = n - 1; i > 0; i--) {
    const l = i - 1;
    let h = 0;
    if (l > 0) {
      let scale = 0;
      for (let k = 0; k <= l; k++) scale += Math.abs(m[at(i, k)]!);
      if (scale === 0) {
        e[i] = m[at(i, l)]!;
      } else {
        for (let k = 0; k <= l; k++) {
          m[at(i, k)]! /= scale;
          h += m[at(i, k)]! ** 2;
        }
        let f = m[at(i, l)]!;
        let g = f >= 0 ? -Math.sqrt(h) : Math.sqrt(h);
        e[i] = scale * g;
        h -= f * g;
        m[at(i, l)] = f - g;
        f = 0;
        for (let j = 0; j <= l; j++) {
          g = 0;
          for (let k = 0; k <= j; k++) g += m[at(j, k)]! * m[at(i, k)]!;
          for (let k = j + 1; k <= l; k++) g += m[at(k, j)]! * m[at(i, k)]!;
          e[j] = g / h;
          f += e[j]! * m[at(i, j)]!;
        }
        const hh = f / (h + h);
        for (let j = 0; j <= l; j++) {
          const fj = m[at(i, j)]!;
          const gj = e[j]! - hh * fj;
          e[j] = gj;
          for (let k = 0; k <= j; k++) m[at(j, k)]! -= fj * e[k]! + gj * m[at(i, k)]!;
        }
      }
    } else {
      e[i] = m[at(i, l)]!;
    }
    d[i] = h;
  }
  for (let i = 0; i < n; i++) d[i] = m[at(i, i)]!;
  // Implicit QL on the tridiagonal (d, e).
  for (let i = 1; i < n; i++) e[i - 1] = e[i]!;
  if (n > 0) e[n - 1] = 0;
  for (let l = 0; l < n; l++) {
    let iter = 0;
    for (;;) {
      let mm = l;
      for (; mm < n - 1; mm++) {
        const dd = Math.abs(d[mm]!) + Math.abs(d[mm + 1]!);
        if (Math.abs(e[mm]!) <= Number.EPSILON * dd) break;
      }
      if (mm === l) break;
      if (iter++ === 60) throw new Error('symmetricEigenvalues: no convergence');
      let g = (d[l + 1]! - d[l]!) / (2 * e[l]!);
      let r = Math.hypot(g, 1);
      g = d[mm]! - d[l]! + e[l]! / (g + (g >= 0 ? Math.abs(r) : -Math.abs(r)));
      let s = 1;
      let c = 1;
      let p = 0;
      let i = mm - 1;
      for (; i >= l; i--) {
        const f = s * e[i]!;
        const b = c * e[i]!;
        r = Math.hypot(f, g);
        e[i + 1] = r;
        if (r === 0) {
          d[i + 1]! -= p;
          e[mm] = 0;
          break;
        }
        s = f / r;
        c = g / r;
        g = d[i + 1]! - p;
        r = (d[i]! - g) * s + 2 * c * b;
        p = s * r;
        d[i + 1] = g + p;
        g = c * r - b;
      }
      if (r === 0 && i >= l) continue;
      d[l]! -= p;
      e[l] = g;
      e[mm] = 0;
    }
  }
  return d.sort();
}
