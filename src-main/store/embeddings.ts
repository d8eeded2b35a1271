/**
 * The embeddings cache: one file per (run, epoch, split) under runs/<id>/embeddings/, one row
 * in `embeddings` pointing at it. File layout: 8-byte magic, u32 header length, JSON header
 * {runId, epoch, split, dim, count}, then float32 features (count × dim, row-major), int32
 * dataset item indices (count), int32 labels (count, −1 unlabelled). Written atomically (temp
 * file, then rename) before its row, so a row always points at a whole file.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Split } from './datasets';
import type { Workspace } from './workspace';

const MAGIC = 'PRTXEMB1';

export interface StoredEmbeddings {
  runId: string;
  epoch: number;
  split: Split;
  dim: number;
  count: number;
  features: Float32Array;
  indices: Int32Array;
  labels: Int32Array;
}

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

interface RawRow {
  run_id: string;
  epoch: number;
  split: Split;
  dim: number;
  count: number;
  path: string;
  seconds: number;
  created_at: string;
}

const fromRaw = (r: RawRow): EmbeddingsRow => ({
  runId: r.run_id,
  epoch: r.epoch,
  split: r.split,
  dim: r.dim,
  count: r.count,
  path: r.path,
  seconds: r.seconds,
  createdAt: r.created_at,
});

export function embeddingsPath(runId: string, epoch: number, split: Split): string {
  return join('runs', runId, 'embeddings', `e${String(epoch).padStart(4, '0')}-${split}.emb`);
}

export function getEmbeddingsRow(ws: Workspace, runId: string, epoch: number, split: Split): EmbeddingsRow | undefined {
  const r = ws.db.prepare('SELECT * FROM embeddings WHERE run_id = ? AND epoch = ? AND split = ?').get(runId, epoch, split) as RawRow | undefined;
  return r && fromRaw(r);
}

export function listEmbeddingsRows(ws: Workspace, runId: string): EmbeddingsRow[] {
  return (ws.db.prepare('SELECT * FROM embeddings WHERE run_id = ? ORDER BY epoch, split').all(runId) as RawRow[]).map(fromRaw);
}

const bytesOf = (a: Float32Array | Int32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** Writes the file, then its row (replacing an older one for the same key). */
export function saveEmbeddings(ws: Workspace, e: StoredEmbeddings, seconds: number): EmbeddingsRow {
  if (e.features.length !== e.count * e.dim || e.indices.length !== e.count || e.labels.length !== e.count) {
    throw new Error(`embeddings of run ${e.runId}: ${e.features.length} features, ${e.indices.length} indices, ${e.labels.length} labels for ${e.count} × ${e.dim}`);
  }
  const rel = embeddingsPath(e.runId, e.epoch, e.split);
  const file = join(ws.dir, rel);
  mkdirSync(dirname(file), { recursive: true });
  const header = Buffer.from(JSON.stringify({ runId: e.runId, epoch: e.epoch, split: e.split, dim: e.dim, count: e.count }));
  const prefix = Buffer.alloc(12);
  prefix.write(MAGIC, 0, 'ascii');
  prefix.writeUInt32LE(header.length, 8);
  const tmp = `${file}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w');
  try {
    for (const part of [prefix, header, bytesOf(e.features), bytesOf(e.indices), bytesOf(e.labels)]) writeSync(fd, part);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
  const createdAt = new Date().toISOString();
  ws.db
    .prepare('INSERT OR REPLACE INTO embeddings (run_id, epoch, split, dim, count, path, seconds, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
    .run(e.runId, e.epoch, e.split, e.dim, e.count, rel, seconds, createdAt);
  return { runId: e.runId, epoch: e.epoch, split: e.split, dim: e.dim, count: e.count, path: rel, seconds, createdAt };
}

/** Reads a cached file; throws naming the file when it is not a whole embeddings file. */
export function readEmbeddingsFile(file: string): StoredEmbeddings {
  const buf = readFileSync(file);
  if (buf.length < 12 || buf.toString('ascii', 0, 8) !== MAGIC) throw new Error(`${file}: not a Pretext embeddings file`);
  const headerLength = buf.readUInt32LE(8);
  const h = JSON.parse(buf.toString('utf8', 12, 12 + headerLength)) as Omit<StoredEmbeddings, 'features' | 'indices' | 'labels'>;
  const start = 12 + headerLength;
  const expected = start + 4 * (h.count * h.dim + 2 * h.count);
  if (buf.length !== expected) throw new Error(`${file}: expected ${expected} bytes for ${h.count} × ${h.dim} embeddings, found ${buf.length}`);
  // Copy into aligned typed arrays (the Buffer's offset need not be a multiple of 4).
  const copy = <T extends Float32Array | Int32Array>(out: T, at: number): T => {
    new Uint8Array(out.buffer).set(buf.subarray(at, at + out.byteLength));
    return out;
  };
  const features = copy(new Float32Array(h.count * h.dim), start);
  const indices = copy(new Int32Array(h.count), start + features.byteLength);
  const labels = copy(new Int32Array(h.count), start + features.byteLength + indices.byteLength);
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
