/** Pieces the kNN, probe and diagnostics evaluations share: the run's context, labelled rows, the baseline table. */
import { noSuch } from '../../core/errors';
import type { Evaluation } from '../../core/types';
import { PretextError } from '../../core/errors';
import { getDataset, type DatasetRow } from '../../store/datasets';
import { type Split } from '../../core/types';
import { toEvaluation, type EvaluationRecord } from '../../store/evaluations';
import { getRun, latestCheckpoint, listRuns, type RunRow } from '../../store/runs';
import type { Workspace } from '../../store/workspace';
import type { RunConfig } from '../train/config';
import type { Embeddings } from './embeddings';

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

/** The rows of an embeddings set that have a label; an error naming the run when there are none. */
export function labelledRows(e: Embeddings, split: Split): { features: Float32Array; labels: Int32Array } {
  let n = 0;
  for (const l of e.labels) if (l >= 0) n++;
  if (n === 0) throw new PretextError(`run ${e.runId}: the ${split} split has no labelled images; kNN and the probe need labels`);
  if (n === e.count) return { features: e.features, labels: e.labels };
  const features = new Float32Array(n * e.dim);
  const labels = new Int32Array(n);
  let j = 0;
  for (let i = 0; i < e.count; i++) {
    if (e.labels[i]! < 0) continue;
    features.set(e.features.subarray(i * e.dim, (i + 1) * e.dim), j * e.dim);
    labels[j++] = e.labels[i]!;
  }
  return { features, labels };
}

/** Top-1 over all rows and per class name (classes absent from the test rows are left out). */
export function perClassAccuracy(pred: Int32Array, labels: Int32Array, classes: string[]): { top1: number; perClass: Record<string, number> } {
  const hit = new Float64Array(classes.length);
  const count = new Float64Array(classes.length);
  let correct = 0;
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i]!;
    count[l]! += 1;
    if (pred[i] === l) {
      hit[l]! += 1;
      correct++;
    }
  }
  const perClass: Record<string, number> = {};
  classes.forEach((name, c) => {
    if (count[c]! > 0) perClass[name] = hit[c]! / count[c]!;
  });
  return { top1: labels.length > 0 ? correct / labels.length : 0, perClass };
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
