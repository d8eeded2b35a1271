/** Pieces the kNN, probe and diagnostics evaluations share: the run's context, the baseline table. */
import { noSuch, PretextError } from '../core/errors';
import type { Evaluation } from '../core/types';
import { getDataset, type DatasetRow } from '../store/datasets';
import { toEvaluation, type EvaluationRecord } from '../store/evaluations';
import { getRun, latestCheckpoint, listRuns, type RunRow } from '../store/runs';
import type { Workspace } from '../store/workspace';
import type { RunConfig } from '../ml/train/config';

export interface RunContext {
  run: RunRow;
  config: RunConfig;
  dataset: DatasetRow;
}

export function runContext(ws: Workspace, runId: string): RunContext {
  const run = getRun(ws, runId);
  if (!run) throw noSuch('run', runId);
  const dataset = getDataset(ws, run.datasetId);
  if (!dataset) throw new PretextError(`run ${runId}: its dataset ${run.datasetId} is gone`);
  return { run, config: run.config, dataset };
}

export interface BaselineRow {
  /** 'run': the run asked for; 'random-init': its config's untrained encoder; 'supervised': the supervised run on the same dataset. */
  role: 'run' | 'random-init' | 'supervised';
  runId: string;
  method: string;
  evaluation: Evaluation;
}

export interface BaselineEvaluators {
  /** Evaluates a run's latest checkpoint (and stores the result). */
  run(runId: string): Promise<Evaluation>;
  /** Evaluates (or reuses) the random-init encoder of a run. */
  random(runId: string): Promise<Evaluation>;
  /** A stored result of a run at an epoch with the same params, if any. */
  stored(runId: string, epoch: number): EvaluationRecord | undefined;
}

/** The newest supervised run on a dataset that has a checkpoint (other than `exclude`). */
export function supervisedBaseline(ws: Workspace, datasetId: string, exclude: string): { run: RunRow; epoch: number } | undefined {
  const runs = listRuns(ws).filter((r) => r.datasetId === datasetId && r.method === 'supervised' && r.id !== exclude);
  for (const run of runs.reverse()) {
    const ckpt = latestCheckpoint(ws, run.id);
    if (ckpt) return { run, epoch: ckpt.epoch + 1 };
  }
  return undefined;
}

/** The table of `eval knn|probe RUN`: the run, its random-init encoder, the supervised baseline when there is one. */
export async function baselineRows(ws: Workspace, runId: string, ev: BaselineEvaluators): Promise<BaselineRow[]> {
  const c = runContext(ws, runId);
  const rows: BaselineRow[] = [{ role: 'run', runId, method: c.run.method, evaluation: await ev.run(runId) }];
  rows.push({ role: 'random-init', runId, method: c.run.method, evaluation: await ev.random(runId) });
  const sup = c.run.method === 'supervised' ? undefined : supervisedBaseline(ws, c.dataset.id, runId);
  if (sup) {
    const stored = ev.stored(sup.run.id, sup.epoch);
    const evaluation = stored ? toEvaluation(stored) : await ev.run(sup.run.id);
    rows.push({ role: 'supervised', runId: sup.run.id, method: 'supervised', evaluation });
  }
  return rows;
}
