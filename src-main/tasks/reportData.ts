/**
 * Everything the comparison report shows (report/model.ts's ReportData), read from the
 * workspace: runs, their curves (metrics table), evaluations (kNN, probe per label fraction,
 * diagnostics — the `evaluations` table), stored 2-D maps (the `projections` table) and the
 * configuration keys that differ between runs.
 */
import { noSuch, PretextError } from '../core/errors';
import type { MetricPoint, Projection, ProjectionAlgo } from '../core/types';
import { classNames, getDataset } from '../store/datasets';
import { latestEvaluation } from '../store/evaluations';
import { listProjectionRows } from '../store/projections';
import { latestMetrics, resolveRun, runMetrics, type RunRow } from '../store/runs';
import type { Workspace } from '../store/workspace';
import { getProjection } from './project';
import { PRETEXT_VERSION } from '../ml/export/version';
import { configDiff, MAX_CURVE_POINTS, MAX_MAP_POINTS, thin, type Curve, type ReportData, type ReportMap, type ReportRun } from '../report/model';

function curve(points: MetricPoint[], x: (p: MetricPoint) => number): Curve {
  const keep = thin(points.length, MAX_CURVE_POINTS);
  return { x: keep.map((i) => x(points[i]!)), y: keep.map((i) => points[i]!.value) };
}

const round = (v: number) => Number(v.toPrecision(5));

function fractionKey(v: unknown): string | null {
  return typeof v === 'number' && Number.isFinite(v) ? String(v) : null;
}

/** Latest probe top-1 of each label fraction among this run's rows, baseline or not. */
function probesOf(ws: Workspace, runId: string, baseline: boolean): Record<string, number> {
  const rows = ws.db
    .prepare("SELECT params, result FROM evaluations WHERE run_id = ? AND kind = 'probe' ORDER BY created_at, rowid")
    .all(runId) as { params: string; result: string }[];
  const out: Record<string, number> = {};
  for (const row of rows) {
    const params = JSON.parse(row.params) as Record<string, unknown>;
    if ((params['baseline'] === 'random') !== baseline) continue;
    const key = fractionKey(params['labelFraction'] ?? 1);
    const t = (JSON.parse(row.result) as Record<string, unknown>)['top1'];
    if (key !== null && typeof t === 'number') out[key] = t;
  }
  return out;
}

/** top-1 of the newest kNN row of a run: the run's own (baseline false) or its random-init baseline's. */
function latestKnnTop1(ws: Workspace, runId: string, baseline: boolean): number | null {
  const rows = ws.db
    .prepare("SELECT params, result FROM evaluations WHERE run_id = ? AND kind = 'knn' ORDER BY created_at DESC, rowid DESC")
    .all(runId) as { params: string; result: string }[];
  for (const r of rows) {
    if (((JSON.parse(r.params) as Record<string, unknown>)['baseline'] === 'random') !== baseline) continue;
    const t = (JSON.parse(r.result) as Record<string, unknown>)['top1'];
    if (typeof t === 'number') return t;
  }
  return null;
}

/**
 * A run's own evaluation results (kNN top-1, probe top-1 by label fraction) and, apart, those
 * of its random-init baseline stored under it (params.baseline): what the report and
 * `runs show` print, never one for the other.
 */
export function runResults(ws: Workspace, runId: string): { knnTop1: number | null; probeTop1: Record<string, number>; randomInit: { knnTop1: number | null; probeTop1: Record<string, number> } } {
  return {
    knnTop1: latestKnnTop1(ws, runId, false),
    probeTop1: probesOf(ws, runId, false),
    randomInit: { knnTop1: latestKnnTop1(ws, runId, true), probeTop1: probesOf(ws, runId, true) },
  };
}

function mapsOf(ws: Workspace, runId: string, errors: string[]): ReportMap[] {
  const seen = new Set<string>();
  const maps: ReportMap[] = [];
  for (const row of listProjectionRows(ws, runId)) {
    const key = `${row.algo}/${row.split}`;
    if (seen.has(key)) continue; // one map per (algo, split): getProjection gives its newest epoch
    seen.add(key);
    let p: Projection | null;
    try {
      p = getProjection(ws, runId, row.algo, row.split);
    } catch (err) {
      // A damaged map file should not cost the whole report: say so where the map would be.
      errors.push(`${row.algo} ${row.split}: ${(err as Error).message}`);
      continue;
    }
    if (!p) continue;
    const keep = thin(p.x.length, MAX_MAP_POINTS);
    maps.push({
      algo: p.algo,
      split: p.split,
      epoch: p.epoch,
      x: keep.map((i) => round(p.x[i]!)),
      y: keep.map((i) => round(p.y[i]!)),
      labels: keep.map((i) => p.labels[i] ?? -1),
      points: p.x.length,
      quality: p.quality,
    });
  }
  const order: ProjectionAlgo[] = ['pca', 'tsne', 'umap'];
  return maps.sort((a, b) => order.indexOf(a.algo) - order.indexOf(b.algo) || a.split.localeCompare(b.split));
}

function reportRun(ws: Workspace, run: RunRow): ReportRun {
  const mapErrors: string[] = [];
  const latest = latestMetrics(ws, run.id);
  const results = runResults(ws, run.id);
  const evalKnn = results.knnTop1;
  const monitorKnn = latest['knn_top1'];
  const diag = latestEvaluation(ws, run.id, 'diagnostics');
  const rank = diag?.result['effectiveRank'];
  const dataset = getDataset(ws, run.datasetId);
  const config = { ...run.config };
  return {
    id: run.id,
    method: run.method,
    datasetId: run.datasetId,
    dataset: dataset?.name ?? run.datasetId,
    status: run.status,
    backend: run.backend ?? '',
    device: String((run.backendInfo as { device?: unknown }).device ?? ''),
    epochs: typeof config['epochs'] === 'number' ? config['epochs'] : run.epochsDone,
    epochsDone: run.epochsDone,
    trainSeconds: run.trainSeconds,
    finalLoss: latest['loss'] ?? null,
    knnTop1: evalKnn ?? monitorKnn ?? null,
    knnSource: evalKnn !== null ? 'eval' : monitorKnn !== undefined ? 'monitor' : null,
    probeTop1: results.probeTop1,
    effectiveRank: typeof rank === 'number' ? rank : null,
    randomInit: results.randomInit,
    config,
    curves: {
      loss: curve(runMetrics(ws, run.id, 'loss'), (p) => p.step),
      knnTop1: curve(runMetrics(ws, run.id, 'knn_top1'), (p) => p.epoch + 1),
    },
    maps: mapsOf(ws, run.id, mapErrors),
    mapErrors,
  };
}

/** The report's data for these runs (ids or unique prefixes), in the order given. */
export function reportData(ws: Workspace, runRefs: readonly string[]): ReportData {
  if (runRefs.length === 0) throw new PretextError('a report needs at least one run');
  const runs = runRefs.map((ref) => {
    const r = resolveRun(ws, ref);
    if (!r) throw noSuch('run', ref);
    return r;
  });
  const unique = [...new Map(runs.map((r) => [r.id, r])).values()];
  const datasetIds = [...new Set(unique.map((r) => r.datasetId))];
  const rows = unique.map((r) => reportRun(ws, r));
  const fractions = [...new Set(rows.flatMap((r) => [...Object.keys(r.probeTop1), ...Object.keys(r.randomInit.probeTop1)]))].sort((a, b) => Number(a) - Number(b));
  return {
    title: `Pretext comparison: ${[...new Set(rows.map((r) => r.method))].join(' vs ')}`,
    createdAt: new Date().toISOString(),
    pretextVersion: PRETEXT_VERSION,
    datasets: datasetIds.map((id) => ({ id, name: getDataset(ws, id)?.name ?? id, classes: classNames(ws, id) })),
    runs: rows,
    probeFractions: fractions,
    configDiff: configDiff(unique.map((r) => ({ ...r.config }))),
  };
}
