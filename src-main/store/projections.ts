/**
 * Stored 2-D maps: one file per (run, epoch, split, algo) under runs/<id>/projections/, one row
 * in `projections` (schema v3) pointing at it, with the parameters, the quality scores and the
 * seconds. An array file (arrayFile.ts) with the header {runId, epoch, split, algo, count},
 * then float32 coordinates (count × 2, x then y per point), int32 dataset item
 * indices (count), int32 labels (count, −1 unlabelled). Written atomically (temp file, fsync,
 * rename) before its row, so a row always points at a whole file.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readArrayFile, writeArrayFile } from './arrayFile';
import type { Split } from '../core/types';
import { camelRow } from './rows';
import type { Workspace } from './workspace';

const MAGIC = 'PRTXPRJ1';

export type ProjectionAlgo = 'pca' | 'tsne' | 'umap';

export interface StoredProjection {
  runId: string;
  epoch: number;
  split: Split;
  algo: ProjectionAlgo;
  count: number;
  /** count × 2, interleaved. */
  coords: Float32Array;
  indices: Int32Array;
  labels: Int32Array;
}

export interface ProjectionRow {
  runId: string;
  epoch: number;
  split: Split;
  algo: ProjectionAlgo;
  params: Record<string, unknown>;
  /** Relative to the workspace. */
  path: string;
  quality: Record<string, number>;
  seconds: number;
  createdAt: string;
}

const fromRaw = (r: object): ProjectionRow => camelRow<ProjectionRow>(r, ['params', 'quality']);

export function projectionPath(runId: string, epoch: number, split: Split, algo: ProjectionAlgo): string {
  return join('runs', runId, 'projections', `e${String(epoch).padStart(4, '0')}-${split}-${algo}.prj`);
}

/** The newest epoch's row for (run, split, algo), or a given epoch's. */
export function getProjectionRow(ws: Workspace, runId: string, split: Split, algo: ProjectionAlgo, epoch?: number): ProjectionRow | undefined {
  const r = (
    epoch === undefined
      ? ws.db.prepare('SELECT * FROM projections WHERE run_id = ? AND split = ? AND algo = ? ORDER BY epoch DESC LIMIT 1').get(runId, split, algo)
      : ws.db.prepare('SELECT * FROM projections WHERE run_id = ? AND split = ? AND algo = ? AND epoch = ?').get(runId, split, algo, epoch)
  ) as object | undefined;
  return r && fromRaw(r);
}

export function listProjectionRows(ws: Workspace, runId: string): ProjectionRow[] {
  return (ws.db.prepare('SELECT * FROM projections WHERE run_id = ? ORDER BY epoch, split, algo').all(runId) as object[]).map(fromRaw);
}

/** Writes the file, then its row (replacing an older one for the same key). */
export function saveProjection(
  ws: Workspace,
  p: StoredProjection,
  meta: { params: Record<string, unknown>; quality: Record<string, number>; seconds: number },
): ProjectionRow {
  if (p.coords.length !== 2 * p.count || p.indices.length !== p.count || p.labels.length !== p.count) {
    throw new Error(`projection of run ${p.runId}: ${p.coords.length} coordinates, ${p.indices.length} indices, ${p.labels.length} labels for ${p.count} points`);
  }
  const rel = projectionPath(p.runId, p.epoch, p.split, p.algo);
  writeArrayFile(join(ws.dir, rel), MAGIC, { runId: p.runId, epoch: p.epoch, split: p.split, algo: p.algo, count: p.count }, [p.coords, p.indices, p.labels]);
  const createdAt = new Date().toISOString();
  ws.db
    .prepare(
      'INSERT OR REPLACE INTO projections (run_id, epoch, split, algo, params, path, quality, seconds, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    )
    .run(p.runId, p.epoch, p.split, p.algo, JSON.stringify(meta.params), rel, JSON.stringify(meta.quality), meta.seconds, createdAt);
  return { runId: p.runId, epoch: p.epoch, split: p.split, algo: p.algo, params: meta.params, path: rel, quality: meta.quality, seconds: meta.seconds, createdAt };
}

/** Reads a projection file; throws naming the file when it is not a whole projection file. */
export function readProjectionFile(file: string): StoredProjection {
  type Header = Omit<StoredProjection, 'coords' | 'indices' | 'labels'>;
  const { header: h, arrays } = readArrayFile<Header>(file, MAGIC, 'projection file', (h) => [
    { type: 'f32', length: 2 * h.count },
    { type: 'i32', length: h.count },
    { type: 'i32', length: h.count },
  ]);
  const [coords, indices, labels] = arrays as [Float32Array, Int32Array, Int32Array];
  return { ...h, coords, indices, labels };
}

/** The stored projection and its row, or undefined when there is none (or its file is gone). */
export function loadProjection(
  ws: Workspace,
  runId: string,
  split: Split,
  algo: ProjectionAlgo,
  epoch?: number,
): { row: ProjectionRow; data: StoredProjection } | undefined {
  const row = getProjectionRow(ws, runId, split, algo, epoch);
  if (!row) return undefined;
  const file = join(ws.dir, row.path);
  if (!existsSync(file)) return undefined;
  const data = readProjectionFile(file);
  if (data.count !== data.indices.length) throw new Error(`${file}: inconsistent point count`);
  return { row, data };
}
