/**
 * The projection job: a run's embeddings (cached by tasks/embeddings.ts) → a 2-D map (PCA, t-SNE or
 * UMAP) → its trustworthiness → stored with the run (store/projections.ts). Returns the API
 * contract's Projection DTO; getProjection reads a stored one back.
 */
import type { Control } from '../core/control';
import { noSuch, PretextError } from '../core/errors';
import type { Projection, ProjectionAlgo, Split } from '../core/types';
import { computeMap, PROJECTION_ALGOS } from '../ml/maps/computeMap';
import { gatherRows, mapQuality, subsample } from '../ml/maps/quality';
import { classNames } from '../store/datasets';
import { loadProjection, saveProjection, type StoredProjection, type ProjectionRow } from '../store/projections';
import { getRun } from '../store/runs';
import type { Workspace } from '../store/workspace';
import { runEmbeddings } from './embeddings';

export interface ProjectOptions {
  algo: ProjectionAlgo;
  split?: Split;
  seed?: number;
  /** Larger splits are mapped on a seeded subsample of this many points. */
  maxPoints?: number;
}

function toDto(ws: Workspace, row: ProjectionRow, data: StoredProjection): Projection {
  const run = getRun(ws, row.runId);
  const x: number[] = new Array(data.count);
  const y: number[] = new Array(data.count);
  for (let i = 0; i < data.count; i++) {
    x[i] = data.coords[2 * i]!;
    y[i] = data.coords[2 * i + 1]!;
  }
  return {
    runId: row.runId,
    epoch: row.epoch,
    split: row.split,
    algo: row.algo,
    indices: Array.from(data.indices),
    x,
    y,
    labels: Array.from(data.labels, (l) => (l < 0 ? null : l)),
    classes: run ? classNames(ws, run.datasetId) : [],
    quality: row.quality,
    seconds: row.seconds,
    createdAt: row.createdAt,
  };
}

/** Computes, stores and returns the map of a run's embeddings. */
export async function createProjection(ws: Workspace, runId: string, opts: ProjectOptions, ctl: Control = {}): Promise<Projection> {
  if (!PROJECTION_ALGOS.includes(opts.algo)) {
    throw new PretextError(`unknown projection algorithm '${String(opts.algo)}': expected one of ${PROJECTION_ALGOS.join(', ')}`, { field: 'algo' });
  }
  const split = opts.split ?? 'test';
  if (split !== 'train' && split !== 'test') throw new PretextError(`unknown split '${String(split)}': expected train or test`, { field: 'split' });
  const seed = opts.seed ?? 0;
  if (!Number.isSafeInteger(seed) || seed < 0) throw new PretextError(`seed must be a non-negative integer, got ${seed}`, { field: 'seed' });
  if (!getRun(ws, runId)) throw noSuch('run', runId);
  const emb = await runEmbeddings(ws, runId, split, ctl);
  const maxPoints = opts.maxPoints ?? 20_000;
  const rows = subsample(emb.count, maxPoints, seed);
  const n = rows.length;
  const min = opts.algo === 'pca' ? 2 : 20;
  if (n < min) throw new PretextError(`run ${runId}: the ${split} split has ${n} embeddings; ${opts.algo} needs at least ${min}`);
  const features = n === emb.count ? emb.features : gatherRows(emb.features, emb.dim, rows);
  const indices = Int32Array.from(rows, (r) => emb.indices[r]!);
  const labels = Int32Array.from(rows, (r) => emb.labels[r]!);

  const t0 = performance.now();
  const map = await computeMap(opts.algo, features, n, emb.dim, seed, ctl);
  const seconds = (performance.now() - t0) / 1000;
  const q = mapQuality(features, map.coords, labels, n, emb.dim, { seed });
  const quality: Record<string, number> = { trustworthiness: q.trustworthiness, k: q.k, sample: q.sample, ...map.extra };
  if (q.knn2d !== undefined) quality['knn2d'] = q.knn2d;
  const data: StoredProjection = { runId, epoch: emb.epoch, split, algo: opts.algo, count: n, coords: map.coords, indices, labels };
  const row = saveProjection(ws, data, {
    params: { ...map.params, seed, points: n, of: emb.count },
    quality,
    seconds,
  });
  return toDto(ws, row, data);
}

/** The stored map of (run, algo, split) at the newest epoch it was made for, or null. */
export function getProjection(ws: Workspace, runId: string, algo: ProjectionAlgo, split: Split = 'test'): Projection | null {
  const found = loadProjection(ws, runId, split, algo);
  return found ? toDto(ws, found.row, found.data) : null;
}
