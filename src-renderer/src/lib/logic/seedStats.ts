/**
 * Repeats of a run over seeds, as Compare shows them: runs that differ only in their seed form
 * a group (same dataset, method and config but the seed: the runs of `train --seeds`, or the
 * same settings trained again); each group's mean ± sample std (n − 1) per metric and per
 * point of a curve; and whether the difference between two groups is within their seed spread
 * (Welch's t-test p > 0.05 with two seeds or more on each side, else |Δmean| < the larger std).
 */

/** Mean, sample standard deviation (0 for one value) and count of finite values. */
export interface Spread {
  mean: number;
  std: number;
  n: number;
}

export function meanStd(values: readonly (number | null | undefined)[]): Spread | null {
  const v = values.filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
  if (v.length === 0) return null;
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const ss = v.reduce((a, b) => a + (b - mean) ** 2, 0);
  return { mean, std: v.length > 1 ? Math.sqrt(ss / (v.length - 1)) : 0, n: v.length };
}

/** ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9: about 15 digits). */
function lnGamma(x: number): number {
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
  const z = x - 1;
  let a = c[0]!;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** The continued fraction of the incomplete beta function (modified Lentz). */
function betaFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-15) break;
  }
  return h;
}

/** The regularised incomplete beta function I_x(a, b). */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(lnGamma(a + b) - lnGamma(a) - lnGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  return x < (a + 1) / (a + b + 2) ? (front * betaFraction(x, a, b)) / a : 1 - (front * betaFraction(1 - x, b, a)) / b;
}

/** Welch's unequal-variance t-test of two groups' means: t, the Welch–Satterthwaite df and the two-sided p. */
export function welchTest(a: Spread, b: Spread): { t: number; df: number; p: number } | null {
  if (a.n < 2 || b.n < 2) return null;
  const va = (a.std * a.std) / a.n;
  const vb = (b.std * b.std) / b.n;
  const se2 = va + vb;
  if (se2 === 0) return { t: a.mean === b.mean ? 0 : Infinity, df: a.n + b.n - 2, p: a.mean === b.mean ? 1 : 0 };
  const t = (a.mean - b.mean) / Math.sqrt(se2);
  const df = (se2 * se2) / ((va * va) / (a.n - 1) + (vb * vb) / (b.n - 1));
  return { t, df, p: incompleteBeta(df / (df + t * t), df / 2, 0.5) };
}

/** Whether two groups' difference is within their seed spread, and the words that say why. */
export interface SpreadVerdict {
  within: boolean;
  delta: number;
  p: number | null;
  reason: string;
}

/**
 * Δ = a − b. With two seeds or more on each side: Welch's t-test, within when p > 0.05. With
 * fewer: within when |Δ| < the larger std (never, with one seed on both sides: nothing to
 * compare against). `scale` and `unit` only word the reason (100 and ' pp' for fractions).
 */
export function spreadVerdict(a: Spread, b: Spread, scale = 1, unit = ''): SpreadVerdict {
  const delta = a.mean - b.mean;
  const d = `Δ ${(delta * scale).toFixed(2)}${unit}`;
  const test = welchTest(a, b);
  if (test) {
    const within = test.p > 0.05;
    return { within, delta, p: test.p, reason: `${d}, Welch t-test p = ${test.p.toFixed(3)} ${within ? '> 0.05: within seed spread' : '≤ 0.05'} (n = ${a.n} and ${b.n})` };
  }
  const spread = Math.max(a.std, b.std);
  const within = spread > 0 && Math.abs(delta) < spread;
  return { within, delta, p: null, reason: `${d} ${within ? '<' : '≥'} the larger std ${(spread * scale).toFixed(2)}${unit}${within ? ': within seed spread' : ''} (n = ${a.n} and ${b.n})` };
}

/** A value with its spread as a table shows it: '80.5 ± 1.2' (scaled, fixed digits); one seed: '80.5'. */
export function formatSpread(s: Spread | null, scale = 1, digits = 1): string {
  if (!s) return '—';
  const m = (s.mean * scale).toFixed(digits);
  return s.n > 1 ? `${m} ± ${(s.std * scale).toFixed(digits)}` : m;
}

// ---------------------------------------------------------------- groups of seeds

export interface GroupableRun {
  id: string;
  datasetId: string;
  method: string;
  config: Record<string, unknown>;
  sweep?: { key: string; value: number | string | boolean } | null;
}

export interface SeedGroup<R extends GroupableRun> {
  key: string;
  method: string;
  /** 'simclr', or 'simclr temperature=0.2' in a sweep; a run id added where two groups would read alike. */
  label: string;
  runs: R[];
  seeds: number[];
}

/** JSON with sorted keys: two configs that differ only in key order are the same. */
function stable(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stable).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    return `{${Object.keys(v as object).sort().map((k) => `${JSON.stringify(k)}:${stable((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** What makes runs repeats of each other: the dataset and the whole config but the seed. */
export function seedGroupKey(r: GroupableRun): string {
  const { seed: _seed, ...rest } = r.config;
  void _seed;
  return `${r.datasetId}\u0000${r.method}\u0000${stable(rest)}`;
}

/** The runs grouped by seedGroupKey, in the order of their first run. */
export function seedGroups<R extends GroupableRun>(runs: readonly R[]): SeedGroup<R>[] {
  const byKey = new Map<string, R[]>();
  for (const r of runs) {
    const k = seedGroupKey(r);
    byKey.set(k, [...(byKey.get(k) ?? []), r]);
  }
  const groups = [...byKey].map(([key, rs]) => {
    const sweep = rs[0]!.sweep;
    return {
      key,
      method: rs[0]!.method,
      label: `${rs[0]!.method}${sweep ? ` ${sweep.key}=${String(sweep.value)}` : ''}`,
      runs: rs,
      seeds: rs.map((r) => r.config['seed']).filter((s): s is number => typeof s === 'number'),
    };
  });
  const count = new Map<string, number>();
  for (const g of groups) count.set(g.label, (count.get(g.label) ?? 0) + 1);
  for (const g of groups) if (count.get(g.label)! > 1) g.label = `${g.label} (${g.runs[0]!.id.replace(/^run-/, '').slice(0, 6)})`;
  return groups;
}

// ---------------------------------------------------------------- bands on curves

export interface Band {
  x: number[];
  mean: number[];
  lo: number[];
  hi: number[];
  /** How many runs have a point at each x. */
  n: number[];
}

/**
 * Mean ± std of several runs' curves, point by point: the i-th points of the runs are repeats
 * of each other (same steps or epochs, the config being the same), their x the mean of theirs
 * (the same x on the step and epoch axes; on the wall clock, the runs' mean time).
 */
export function bandOf(curves: readonly { x: readonly number[]; y: readonly number[] }[]): Band {
  const len = Math.max(0, ...curves.map((c) => c.x.length));
  const band: Band = { x: [], mean: [], lo: [], hi: [], n: [] };
  for (let i = 0; i < len; i++) {
    const at = curves.filter((c) => i < c.x.length);
    const s = meanStd(at.map((c) => c.y[i]));
    const x = meanStd(at.map((c) => c.x[i]));
    if (!s || !x) continue;
    band.x.push(x.mean);
    band.mean.push(s.mean);
    band.lo.push(s.mean - s.std);
    band.hi.push(s.mean + s.std);
    band.n.push(s.n);
  }
  return band;
}

// ---------------------------------------------------------------- a sweep

export interface SweepLine {
  method: string;
  key: string;
  points: { value: number | string | boolean; spread: Spread }[];
}

/**
 * The swept runs among `runs` as one line per method: the metric (`valueOf`, e.g. the final
 * kNN top-1) against the swept value, mean ± std over the seeds of each value, values in
 * ascending order. Only the most common swept option, and only with two values or more.
 */
export function sweepLines<R extends GroupableRun>(runs: readonly R[], valueOf: (r: R) => number | null): SweepLine[] {
  const swept = runs.filter((r) => r.sweep);
  const keys = new Map<string, number>();
  for (const r of swept) keys.set(r.sweep!.key, (keys.get(r.sweep!.key) ?? 0) + 1);
  const key = [...keys].sort((a, b) => b[1] - a[1])[0]?.[0];
  if (key === undefined) return [];
  const lines: SweepLine[] = [];
  for (const method of [...new Set(swept.map((r) => r.method))]) {
    const mine = swept.filter((r) => r.method === method && r.sweep!.key === key);
    const values = [...new Set(mine.map((r) => r.sweep!.value))].sort((a, b) => (typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b))));
    const points = values.flatMap((value) => {
      const spread = meanStd(mine.filter((r) => r.sweep!.value === value).map(valueOf));
      return spread ? [{ value, spread }] : [];
    });
    if (values.length >= 2) lines.push({ method, key, points });
  }
  return lines;
}
