/**
 * The statistics of `pretext bench quality`: per method, the mean and spread of kNN top-1 over
 * seeds for Pretext and for the PyTorch peer, the gap between the means and its standard error,
 * and the verdict of issue 17: the gap is within max(0.5 pt, 2·SE).
 */

export interface SampleStats {
  n: number;
  mean: number;
  /** Sample standard deviation (n − 1); null for a single seed. */
  std: number | null;
}

export interface GapStats {
  pretext: SampleStats;
  torch: SampleStats;
  /** Pretext's mean − PyTorch's, in the unit of the inputs. */
  gap: number;
  /** √(s₁²/n₁ + s₂²/n₂); null when either side has a single seed. */
  se: number | null;
  /** max(tolerance, 2·SE) (the tolerance alone without an SE). */
  bound: number;
  within: boolean;
}

export function sampleStats(xs: readonly number[]): SampleStats {
  if (xs.length === 0) throw new Error('sampleStats: no values');
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const std = n < 2 ? null : Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1));
  return { n, mean, std };
}

/**
 * Compares two sets of per-seed accuracies (in points, 0..100). `tolerance` is issue 17's
 * 0.5 pt: a gap is accepted when |gap| ≤ max(tolerance, 2·SE).
 */
export function gapStats(pretext: readonly number[], torch: readonly number[], tolerance = 0.5): GapStats {
  const a = sampleStats(pretext);
  const b = sampleStats(torch);
  const se = a.std === null || b.std === null ? null : Math.sqrt(a.std ** 2 / a.n + b.std ** 2 / b.n);
  const gap = a.mean - b.mean;
  const bound = Math.max(tolerance, se === null ? 0 : 2 * se);
  return { pretext: a, torch: b, gap, se, bound, within: Math.abs(gap) <= bound };
}

const pt = (x: number): string => x.toFixed(2);
const spread = (s: SampleStats): string => `${pt(s.mean)} ± ${s.std === null ? '—' : pt(s.std)}`;

/** The table the bench prints: one row per method, kNN top-1 in points after the last epoch. */
export function formatGapTable(rows: { method: string; stats: GapStats }[]): string {
  const head = `${'method'.padEnd(8)} ${'seeds'.padStart(5)} ${'Pretext'.padStart(15)} ${'PyTorch'.padStart(15)} ${'gap'.padStart(7)} ${'SE'.padStart(6)} ${'bound'.padStart(6)}  verdict`;
  const lines = rows.map(({ method, stats: s }) =>
    [
      method.padEnd(8),
      String(Math.min(s.pretext.n, s.torch.n)).padStart(5),
      spread(s.pretext).padStart(15),
      spread(s.torch).padStart(15),
      `${s.gap >= 0 ? '+' : ''}${pt(s.gap)}`.padStart(7),
      (s.se === null ? '—' : pt(s.se)).padStart(6),
      pt(s.bound).padStart(6),
      ` ${s.within ? 'within' : 'OUTSIDE'}${s.se === null ? ' (1 seed: 0.5 pt only)' : ''}`,
    ].join(' '),
  );
  return [head, ...lines].join('\n');
}
