/**
 * The Compare view's metrics table: one row per run with what tells it apart (id, seed, width,
 * epochs), its last kNN top-1 (the run's own monitor, or the latest kNN evaluation), linear-probe
 * top-1 at each label fraction (the latest evaluation of each), training time, and the
 * backbone's parameter count. A baseline stored under a run (its random-init encoder,
 * params.baseline) is never read as the run's own result.
 */
import type { Evaluation, LabelFraction, RunInfo } from '../../../../src-main/api/contract';
import { LABEL_FRACTIONS as PROBE_FRACTIONS } from '../../../../src-main/api/schema/requests';

/** The probe's label fractions (the eval.probe request's choices). */
export const LABEL_FRACTIONS: readonly LabelFraction[] = PROBE_FRACTIONS;

export interface MetricsRow {
  runId: string;
  method: string;
  dataset: string;
  backbone: string;
  seed: number | null;
  width: number | null;
  epochs: number;
  knn: number | null;
  probe: Record<string, number | null>;
  seconds: number;
  /** Trainable parameters of the backbone (what is evaluated and exported); null before training. */
  params: number | null;
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** The label fraction an evaluation was made with; 1 when it does not say. */
export function fractionOf(e: Evaluation): number {
  const p = e.params as Record<string, unknown>;
  return num(p['labelFraction']) ?? num(p['label_fraction']) ?? 1;
}

export function top1Of(e: Evaluation): number | null {
  return num(e.result['top1']) ?? num(e.result['accuracy']);
}

/** A baseline evaluated for a run and stored under it (the random-init encoder of its config), not the run's result. */
export function isBaseline(e: Evaluation): boolean {
  const b = (e.params as Record<string, unknown>)['baseline'];
  return b !== undefined && b !== null && b !== false;
}

/** The latest evaluation matching a predicate (by createdAt, then list order). */
function latest(evals: readonly Evaluation[], pred: (e: Evaluation) => boolean): Evaluation | undefined {
  let best: Evaluation | undefined;
  for (const e of evals) if (pred(e) && (!best || e.createdAt >= best.createdAt)) best = e;
  return best;
}

export function metricsRows(runs: readonly RunInfo[], evals: readonly Evaluation[]): MetricsRow[] {
  return runs.map((r) => {
    const mine = evals.filter((e) => e.runId === r.id && !isBaseline(e));
    const knnEval = latest(mine, (e) => e.kind === 'knn');
    const probe: Record<string, number | null> = {};
    for (const f of LABEL_FRACTIONS) {
      const e = latest(mine, (x) => x.kind === 'probe' && Math.abs(fractionOf(x) - f) < 1e-9);
      probe[String(f)] = e ? top1Of(e) : null;
    }
    const cfg = r.config as Record<string, unknown>;
    return {
      runId: r.id,
      method: r.method,
      dataset: r.datasetName,
      backbone: typeof cfg['backbone'] === 'string' ? cfg['backbone'] : '—',
      seed: num(cfg['seed']),
      width: num(cfg['width']),
      epochs: r.epochs,
      knn: (knnEval ? top1Of(knnEval) : null) ?? num(r.latest['knn_top1']),
      probe,
      seconds: r.trainSeconds,
      params: num(r.modelInfo?.['backboneParams']),
    };
  });
}
