/**
 * The Evaluate view's reading of stored evaluations: which rows are the run's own results and
 * which are baselines (the random-init encoder of the run's config, stored under the run at
 * epoch 0 with params.baseline 'random'; the supervised run of the same dataset), the confusion
 * matrix and per-class accuracy of a result (rows stored before confusion matrices were kept
 * have none), and the per-class difference between two runs.
 */
import type { Confusion, Evaluation, RunInfo } from '../../../../src-main/api/contract';
import { fractionOf } from './metricsTable';

/** 'run': the run's own result; the others are baselines, never read as the run's result. */
export type EvalRole = 'run' | 'random-init' | 'supervised';

export function evaluationRole(e: Evaluation, runId: string): EvalRole {
  if (e.params['baseline'] === 'random') return 'random-init';
  return e.runId === runId ? 'run' : 'supervised';
}

export const ROLE_LABELS: Record<EvalRole, string> = {
  run: 'this run',
  'random-init': 'random-init (baseline)',
  supervised: 'supervised (baseline)',
};

/** "kNN" or "probe 10%": the protocol of an evaluation. */
export function protocolOf(e: Evaluation): string {
  return e.kind === 'knn' ? 'kNN' : `probe ${fractionOf(e) * 100}%`;
}

const isCounts = (v: unknown, n: number): v is number[][] =>
  Array.isArray(v) && v.length === n && v.every((r) => Array.isArray(r) && r.length === n && r.every((x) => typeof x === 'number' && Number.isFinite(x)));

/** The stored confusion matrix of a result, or null (an older row, or a malformed one). */
export function confusionOf(e: Evaluation): Confusion | null {
  const c = e.result['confusion'] as Partial<Confusion> | undefined;
  if (!c || !Array.isArray(c.classes) || !c.classes.every((x) => typeof x === 'string')) return null;
  return isCounts(c.counts, c.classes.length) ? { classes: c.classes, counts: c.counts } : null;
}

/** Accuracy per class name (0..1), or null when the row has none. */
export function perClassOf(e: Evaluation): Record<string, number> | null {
  const p = e.result['perClass'];
  if (!p || typeof p !== 'object') return null;
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(p as Record<string, unknown>)) if (typeof v === 'number' && Number.isFinite(v)) out[k] = v;
  return out;
}

/** The latest of the run's own results (baselines left out) with this protocol. */
export function latestOwn(evals: readonly Evaluation[], runId: string, protocol: string): Evaluation | undefined {
  let best: Evaluation | undefined;
  for (const e of evals) {
    if (evaluationRole(e, runId) !== 'run' || protocolOf(e) !== protocol) continue;
    if (!best || e.createdAt >= best.createdAt) best = e;
  }
  return best;
}

export interface ClassDiff {
  className: string;
  a: number;
  b: number;
  /** a − b: positive where A gets a class that B misses. */
  diff: number;
}

/** Per-class accuracy of A minus B over the classes both have, in A's order. */
export function perClassDifference(a: Record<string, number>, b: Record<string, number>): ClassDiff[] {
  return Object.keys(a)
    .filter((k) => Object.hasOwn(b, k))
    .map((k) => ({ className: k, a: a[k]!, b: b[k]!, diff: a[k]! - b[k]! }));
}

/** The supervised baseline the engine uses for a run: the newest trained supervised run of its dataset. */
export function supervisedBaselineOf(runs: readonly RunInfo[], run: RunInfo | undefined): RunInfo | undefined {
  if (!run || run.method === 'supervised') return undefined;
  return runs
    .filter((r) => r.method === 'supervised' && r.datasetId === run.datasetId && r.id !== run.id && r.epochsDone > 0)
    .sort((x, y) => (x.createdAt < y.createdAt ? 1 : -1))[0];
}

/** Row-normalised confusion (each true class sums to 1), for the heatmap's colour. */
export function rowShares(c: Confusion): number[][] {
  return c.counts.map((row) => {
    const n = row.reduce((s, v) => s + v, 0);
    return row.map((v) => (n > 0 ? v / n : 0));
  });
}
