/**
 * The embeddings cache: one file per (run, epoch, split) under runs/<id>/embeddings/, one row
 * in `embeddings` pointing at it. An array file (arrayFile.ts) with the header
 * {runId, epoch, split, dim, count}, then float32 features (count × dim, row-major), int32
 * dataset item indices (count), int32 labels (count, −1 unlabelled). Written atomically (temp
 * file, then rename) before its row, so a row always points at a whole file.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readArrayFile, writeArrayFile } from './arrayFile';
import type { Split } from '../core/types';
import type { Embeddings } from '../ml/eval/embeddings';
import { camelRow } from './rows';
import type { Workspace } from './workspace';

const MAGIC = 'PRTXEMB1';

/** The cached set is ml/eval's Embeddings as it is. */
export type StoredEmbeddings = Embeddings;

export interface EmbeddingsRow {
  runId: string;
  epoch: number;
  split: Split;
  dim: number;
  count: number;
  /** Relative to the workspace. */
  path: string;
  seconds: number;
  createdAt: string;
}

const fromRaw = (r: object): EmbeddingsRow => camelRow<EmbeddingsRow>(r);

export function embeddingsPath(runId: string, epoch: number, split: Split): string {
  return join('runs', runId, 'embeddings', `e${String(epoch).padStart(4, '0')}-${split}.emb`);
}

export function getEmbeddingsRow(ws: Workspace, runId: string, epoch: number, split: Split): EmbeddingsRow | undefined {
  const r = ws.db.prepare('SELECT * FROM embeddings WHERE run_id = ? AND epoch = ? AND split = ?').get(runId, epoch, split) as object | undefined;
  return r && fromRaw(r);
}

export function listEmbeddingsRows(ws: Workspace, runId: string): EmbeddingsRow[] {
  return (ws.db.prepare('SELECT * FROM embeddings WHERE run_id = ? ORDER BY epoch, split').all(runId) as object[]).map(fromRaw);
}

/** Writes the file, then its row (replacing an older one for the same key). */
export function saveEmbeddings(ws: Workspace, e: StoredEmbeddings, seconds: number): EmbeddingsRow {
  if (e.features.length !== e.count * e.dim || e.indices.length !== e.count || e.labels.length !== e.count) {
    throw new Error(`embeddings of run ${e.runId}: ${e.features.length} features, ${e.indices.length} indices, ${e.labels.length} labels for ${e.count} × ${e.dim}`);
  }
  const rel = embeddingsPath(e.runId, e.epoch, e.split);
  writeArrayFile(join(ws.dir, rel), MAGIC, { runId: e.runId, epoch: e.epoch, split: e.split, dim: e.dim, count: e.count }, [e.features, e.indices, e.labels]);
  const createdAt = new Date().toISOString();
  ws.db
    .prepare('INSERT OR REPLACE INTO embeddings (run_id, epoch, split, dim, count, path, seconds, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
    .run(e.runId, e.epoch, e.split, e.dim, e.count, rel, seconds, createdAt);
  return { runId: e.runId, epoch: e.epoch, split: e.split, dim: e.dim, count: e.count, path: rel, seconds, createdAt };
}

/** Reads a cached file; throws naming the file when it is not a whole embeddings file. */
export function readEmbeddingsFile(file: string): StoredEmbeddings {
  type Header = Omit<StoredEmbeddings, 'features' | 'indices' | 'labels'>;
  const { header: h, arrays } = readArrayFile<Header>(file, MAGIC, 'embeddings file', (h) => [
    { type: 'f32', length: h.count * h.dim },
    { type: 'i32', length: h.count },
    { type: 'i32', length: h.count },
  ]);
  const [features, indices, labels] = arrays as [Float32Array, Int32Array, Int32Array];
  return { ...h, features, indices, labels };
}

/** The cached embeddings of (run, epoch, split), or undefined when there are none (or the file is gone). */
export function loadCachedEmbeddings(ws: Workspace, runId: string, epoch: number, split: Split): StoredEmbeddings | undefined {
  const row = getEmbeddingsRow(ws, runId, epoch, split);
  if (!row) return undefined;
  const file = join(ws.dir, row.path);
  if (!existsSync(file)) return undefined;
  const e = readEmbeddingsFile(file);
  if (e.dim !== row.dim || e.count !== row.count) throw new Error(`${file}: holds ${e.count} × ${e.dim} embeddings, its row says ${row.count} × ${row.dim}`);
  return e;
}
