/**
 * Limited-memory BFGS (Nocedal & Wright, Numerical Optimization, Alg. 7.4/7.5) on a Float64Array
 * of parameters, for smooth convex objectives such as the linear probe. Two-loop recursion with
 * m pairs and the scaling γ = sᵀy / yᵀy; a backtracking line search on the Armijo condition
 * (c1 = 1e-4, step halved); the first step is min(1, 1/‖g‖₁) along −g as in PyTorch's LBFGS.
 * The objective is async so its evaluation can run on the engine's backend and yield.
 */
export type Objective = (x: Float64Array) => Promise<{ f: number; g: Float64Array }>;

export interface LbfgsOptions {
  maxIter: number;
  /** Stop when the largest gradient entry is below this. */
  gradTol: number;
  /** Stop when the objective changes by less than this, relative to max(1, |f|). */
  changeTol: number;
  history?: number;
  /** Called after every iteration; throw from it to stop (cancellation). */
  onIter?(iter: number, f: number): Promise<void> | void;
}

export interface LbfgsResult {
  x: Float64Array;
  f: number;
  iterations: number;
  evaluations: number;
  /** Why it stopped: a small gradient or change (converged), no decrease found along the
   *  direction (the objective's float32 precision reached), or the iteration limit. */
  stop: 'gradient' | 'change' | 'line-search' | 'max-iter';
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

export async function lbfgs(objective: Objective, x0: Float64Array, o: LbfgsOptions): Promise<LbfgsResult> {
  const m = o.history ?? 10;
  const n = x0.length;
  let x = Float64Array.from(x0);
  let { f, g } = await objective(x);
  let evaluations = 1;
  const S: Float64Array[] = [];
  const Y: Float64Array[] = [];
  const rho: number[] = [];
  const d = new Float64Array(n);
  const alpha = new Float64Array(m);
  let iter = 0;
  let stop: LbfgsResult['stop'] = 'max-iter';
  while (iter < o.maxIter) {
    if (g.reduce((mx, v) => Math.max(mx, Math.abs(v)), 0) < o.gradTol) {
      stop = 'gradient';
      break;
    }
    // Search direction d = −H g by the two-loop recursion.
    for (let i = 0; i < n; i++) d[i] = -g[i]!;
    for (let j = S.length - 1; j >= 0; j--) {
      alpha[j] = rho[j]! * dot(S[j]!, d);
      const y = Y[j]!;
      for (let i = 0; i < n; i++) d[i]! -= alpha[j]! * y[i]!;
    }
    if (S.length > 0) {
      const last = S.length - 1;
      const gamma = dot(S[last]!, Y[last]!) / dot(Y[last]!, Y[last]!);
      for (let i = 0; i < n; i++) d[i]! *= gamma;
    }
    for (let j = 0; j < S.length; j++) {
      const beta = rho[j]! * dot(Y[j]!, d);
      const s = S[j]!;
      for (let i = 0; i < n; i++) d[i]! += (alpha[j]! - beta) * s[i]!;
    }
    let slope = dot(g, d);
    if (!(slope < 0)) {
      // Not a descent direction (rounding in float32 objectives): restart from steepest descent.
      S.length = Y.length = rho.length = 0;
      for (let i = 0; i < n; i++) d[i] = -g[i]!;
      slope = dot(g, d);
    }
    let t = S.length === 0 ? Math.min(1, 1 / g.reduce((s, v) => s + Math.abs(v), 0)) : 1;
    let next: { f: number; g: Float64Array } | undefined;
    const trial = new Float64Array(n);
    for (let halvings = 0; halvings < 30; halvings++) {
      for (let i = 0; i < n; i++) trial[i] = x[i]! + t * d[i]!;
      const r = await objective(trial);
      evaluations++;
      if (Number.isFinite(r.f) && r.f <= f + 1e-4 * t * slope) {
        next = r;
        break;
      }
      t /= 2;
    }
    iter++;
    if (!next) {
      stop = 'line-search';
      break;
    }
    const s = new Float64Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      s[i] = trial[i]! - x[i]!;
      y[i] = next.g[i]! - g[i]!;
    }
    const sy = dot(s, y);
    if (sy > 1e-10) {
      if (S.length === m) {
        S.shift();
        Y.shift();
        rho.shift();
      }
      S.push(s);
      Y.push(y);
      rho.push(1 / sy);
    }
    const change = Math.abs(f - next.f);
    x = trial;
    f = next.f;
    g = next.g;
    await o.onIter?.(iter, f);
    if (change < o.changeTol * Math.max(1, Math.abs(f))) {
      stop = 'change';
      break;
    }
  }
  return { x, f, iterations: iter, evaluations, stop };
}
