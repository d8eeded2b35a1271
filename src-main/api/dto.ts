/** Store rows → the contract's DTOs (plain JSON). */
import type { DatasetInfo, DatasetItem, ExternalInfo, RunInfo } from './contract';
import { recipeUnsupported } from '../tasks/recipe/export';
import { thumbnailPng } from '../tasks/thumbnail';
import { classNames, datasetItems, getDataset, summarizeDataset, type DatasetRow } from '../store/datasets';
import { latestMetrics, updateRun, type RunRow } from '../store/runs';
import { isAlive, type Workspace } from '../store/workspace';

export function datasetInfo(ws: Workspace, row: DatasetRow): DatasetInfo {
  const s = summarizeDataset(ws, row);
  return {
    id: s.id,
    name: s.name,
    source: s.source,
    sourceKind: s.sourceKind,
    imageSize: s.imageSize,
    channels: s.channels,
    numItems: s.numItems,
    createdAt: s.createdAt,
    classes: s.classes,
    splits: s.splits,
    perClass: s.perClass,
    failed: s.failed,
  };
}

export const pngDataUrl = (png: Buffer) => `data:image/png;base64,${png.toString('base64')}`;

/** Thumbnails are scaled up (nearest) to at least 64 px so small images stay visible. */
export function thumbScale(imageSize: number): number {
  return Math.max(1, Math.floor(64 / imageSize));
}

export async function datasetItemsPage(
  ws: Workspace,
  row: DatasetRow,
  q: { split?: 'train' | 'test'; label?: number; offset?: number; limit?: number },
): Promise<{ total: number; items: DatasetItem[] }> {
  const classes = classNames(ws, row.id);
  const all = datasetItems(ws, row.id).filter((it) => (q.split === undefined || it.split === q.split) && (q.label === undefined || it.label === q.label));
  const offset = Math.max(0, Math.floor(q.offset ?? 0));
  const limit = Math.min(500, Math.max(0, Math.floor(q.limit ?? 100)));
  const page = all.slice(offset, offset + limit);
  const scale = thumbScale(row.imageSize);
  const items: DatasetItem[] = [];
  for (const it of page) {
    items.push({
      index: it.idx,
      split: it.split,
      label: it.label,
      className: it.label === null ? null : (classes[it.label] ?? String(it.label)),
      sourcePath: it.sourcePath,
      thumb: pngDataUrl(await thumbnailPng(ws, row, it.idx, scale)),
    });
  }
  return { total: all.length, items };
}

/** A 'running' run whose process is gone was killed: it is stored and shown as interrupted. */
export function liveRun(ws: Workspace, run: RunRow, ownPids: ReadonlySet<number> = new Set()): RunRow {
  if (run.status === 'running' && (run.pid === null || run.pid <= 0 || (!isAlive(run.pid) && !ownPids.has(run.pid)))) {
    updateRun(ws, run.id, { status: 'interrupted', pid: null });
    return { ...run, status: 'interrupted', pid: null };
  }
  return run;
}

/** What runs.import stored in an imported run's backendInfo (tasks/recipe/import.ts); null for a run trained here. */
export function externalInfo(backendInfo: Record<string, unknown>): ExternalInfo | null {
  const b = backendInfo;
  if (b['external'] !== true) return null;
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
  return {
    where: typeof b['where'] === 'string' ? b['where'] : 'unknown',
    processes: num(b['processes']),
    device: typeof b['device'] === 'string' ? b['device'] : 'unknown',
    wallSeconds: num(b['wallSeconds']),
    importedFrom: typeof b['importedFrom'] === 'string' ? b['importedFrom'] : '',
  };
}

export function runInfo(ws: Workspace, run: RunRow, extra: { jobId: string | null; totalSteps: number | null }): RunInfo {
  return {
    id: run.id,
    datasetId: run.datasetId,
    datasetName: getDataset(ws, run.datasetId)?.name ?? run.datasetId,
    method: run.method,
    config: { ...run.config },
    backend: run.backend,
    backendInfo: run.backendInfo,
    modelInfo: run.modelInfo,
    status: run.status,
    epochs: run.config.epochs,
    epochsDone: run.epochsDone,
    stepsDone: run.stepsDone,
    totalSteps: extra.totalSteps,
    trainSeconds: run.trainSeconds,
    createdAt: run.createdAt,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    error: run.error,
    latest: latestMetrics(ws, run.id),
    jobId: extra.jobId,
    groupId: run.groupId,
    sweep: run.sweep,
    tags: run.tags,
    notes: run.notes,
    recipeUnsupported: recipeUnsupported(run.config.method, run.config.backbone),
    external: externalInfo(run.backendInfo),
  };
}
