/**
 * Compare's seed statistics on fixed numbers (issue 16): mean ± sample std, Welch's t-test
 * (p checked against scipy.stats.ttest_ind(equal_var=False)), the "within seed spread" mark,
 * grouping runs that differ only in their seed, bands on curves and the sweep's line.
 */
import { describe, expect, it } from 'vitest';
import { bandOf, formatSpread, incompleteBeta, meanStd, seedGroups, spreadVerdict, sweepLines, welchTest } from '../../src-renderer/src/lib/logic/seedStats';
import { run } from './fixtures';

describe('meanStd', () => {
  it('is the mean and the sample (n − 1) std of the finite values', () => {
    const s = meanStd([0.8, 0.82, 0.81, null, Number.NaN])!;
    expect(s.n).toBe(3);
    expect(s.mean).toBeCloseTo(0.81, 12);
    expect(s.std).toBeCloseTo(0.01, 12);
    expect(meanStd([0.5])).toEqual({ mean: 0.5, std: 0, n: 1 });
    expect(meanStd([null])).toBeNull();
  });
  it('formats as mean ± std in percent, a single seed as its value', () => {
    expect(formatSpread(meanStd([0.8, 0.82, 0.81]), 100)).toBe('81.0 ± 1.0');
    expect(formatSpread(meanStd([0.805]), 100)).toBe('80.5');
    expect(formatSpread(null)).toBe('—');
  });
});

describe('Welch t-test', () => {
  it('matches scipy on fixed numbers', () => {
    const t1 = welchTest(meanStd([0.8, 0.82, 0.81])!, meanStd([0.79, 0.81, 0.8])!)!;
    expect(t1.t).toBeCloseTo(1.2247448713915787, 10);
    expect(t1.df).toBeCloseTo(4, 10);
    expect(t1.p).toBeCloseTo(0.28786413472669403, 10);
    expect(welchTest(meanStd([0.7, 0.71, 0.72])!, meanStd([0.8, 0.81, 0.83])!)!.p).toBeCloseTo(0.0012271513537295627, 10);
    expect(welchTest(meanStd([1, 2, 3, 4])!, meanStd([2, 4, 6])!)!.p).toBeCloseTo(0.33382370007750106, 10);
    expect(incompleteBeta(0.3, 2.5, 0.5)).toBeCloseTo(0.018927124071945658, 12);
    expect(welchTest(meanStd([1])!, meanStd([2, 3])!)).toBeNull();
  });
});

describe('within seed spread', () => {
  it('marks a difference the t-test cannot tell from the seeds (p > 0.05), and not one it can', () => {
    const within = spreadVerdict(meanStd([0.8, 0.82, 0.81])!, meanStd([0.79, 0.81, 0.8])!, 100, ' pp');
    expect(within.within).toBe(true);
    expect(within.reason).toBe('Δ 1.00 pp, Welch t-test p = 0.288 > 0.05: within seed spread (n = 3 and 3)');
    const apart = spreadVerdict(meanStd([0.7, 0.71, 0.72])!, meanStd([0.8, 0.81, 0.83])!, 100, ' pp');
    expect(apart.within).toBe(false);
    expect(apart.reason).toBe('Δ -10.33 pp, Welch t-test p = 0.001 ≤ 0.05 (n = 3 and 3)');
  });
  it('with one seed on a side compares |Δmean| with the larger std', () => {
    const one = meanStd([0.805])!;
    expect(spreadVerdict(one, meanStd([0.79, 0.81, 0.8])!, 100, ' pp')).toMatchObject({ within: true, p: null, reason: 'Δ 0.50 pp < the larger std 1.00 pp: within seed spread (n = 1 and 3)' });
    expect(spreadVerdict(meanStd([0.9])!, meanStd([0.79, 0.81, 0.8])!, 100, ' pp').within).toBe(false);
    // One seed each: nothing says how large the spread is, so never "within".
    expect(spreadVerdict(meanStd([0.8])!, meanStd([0.8])!).within).toBe(false);
  });
});

describe('seedGroups', () => {
  const cfg = (seed: number, over: Record<string, unknown> = {}) => ({ backbone: 'small', width: 0.25, seed, params: { temperature: 0.2 }, ...over });
  it('groups runs that differ only in their seed, and tells apart groups that read alike', () => {
    const runs = [
      run('run-a1', { method: 'simclr', config: cfg(0) }),
      run('run-b1', { method: 'byol', config: cfg(0) }),
      run('run-a2', { method: 'simclr', config: { seed: 1, width: 0.25, backbone: 'small', params: { temperature: 0.2 } } }),
      run('run-a3', { method: 'simclr', config: cfg(2) }),
      run('run-c1', { method: 'simclr', config: cfg(0, { width: 0.5 }) }),
      run('run-s1', { method: 'simclr', config: cfg(0, { params: { temperature: 0.5 } }), sweep: { key: 'temperature', value: 0.5 } }),
    ];
    const groups = seedGroups(runs);
    expect(groups.map((g) => [g.label, g.runs.map((r) => r.id), g.seeds])).toEqual([
      ['simclr (a1)', ['run-a1', 'run-a2', 'run-a3'], [0, 1, 2]],
      ['byol', ['run-b1'], [0]],
      ['simclr (c1)', ['run-c1'], [0]],
      ['simclr temperature=0.5', ['run-s1'], [0]],
    ]);
  });
});

describe('bandOf', () => {
  it('is the point-by-point mean ± std of the runs, and the count where a run is shorter', () => {
    const b = bandOf([
      { x: [1, 2, 3], y: [10, 20, 30] },
      { x: [1, 2, 3], y: [12, 22, 34] },
      { x: [1, 2], y: [14, 24] },
    ]);
    expect(b.x).toEqual([1, 2, 3]);
    expect(b.mean).toEqual([12, 22, 32]);
    expect(b.hi.map((v, i) => v - b.mean[i]!)).toEqual([2, 2, 2 * Math.SQRT2].map((v) => expect.closeTo(v, 12)));
    expect(b.lo[0]).toBeCloseTo(10, 12);
    expect(b.n).toEqual([3, 3, 2]);
  });
});

describe('sweepLines', () => {
  it('is one line per method of the metric against the swept value, mean ± std over seeds', () => {
    const sw = (id: string, method: string, value: number, seed: number, knn: number) =>
      run(id, { method, config: { seed, params: { temperature: value } }, sweep: { key: 'temperature', value }, latest: { knn_top1: knn } });
    const runs = [sw('r1', 'simclr', 0.5, 0, 0.7), sw('r2', 'simclr', 0.1, 0, 0.8), sw('r3', 'simclr', 0.1, 1, 0.82), run('plain')];
    const lines = sweepLines(runs, (r) => r.latest['knn_top1'] ?? null);
    expect(lines).toHaveLength(1);
    expect(lines[0]!.key).toBe('temperature');
    expect(lines[0]!.points.map((p) => [p.value, p.spread.n])).toEqual([[0.1, 2], [0.5, 1]]);
    expect(lines[0]!.points[0]!.spread.mean).toBeCloseTo(0.81, 12);
    expect(sweepLines([runs[3]!], () => 1)).toEqual([]);
  });
});
