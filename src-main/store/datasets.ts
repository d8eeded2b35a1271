import { randomBytes } from 'node:crypto';
import { readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { PretextError } from '../core/errors';
import type { Split } from '../core/types';
import type { ImportFailure, ItemRecord, SourceKind } from '../data/types';
import type { Workspace } from './workspace';

/** What a dataset is, as the import made it: the fields a new dataset and a stored row share. */
export interface DatasetIdentity {
  name: string;
  source: string;
  sourceKind: SourceKind;
  fingerprint: string;
  imageSize: number;
  channels: 1 | 3;
}

export interface DatasetRow extends DatasetIdentity {
  id: string;
  numItems: number;
  /** Relative to the workspace: a raw uint8 NHWC array of numItems × size × size × channels. */
  pixelsFile: string;
  createdAt: string;
  meta: Record<string, unknown>;
}

export interface NewDataset extends DatasetIdentity {
  classNames: string[];
  items: ItemRecord[];
  failures: ImportFailure[];
  meta?: Record<string, unknown>;
}

export interface DatasetSummary extends DatasetRow {
  classes: string[];
  splits: Record<Split, number>;
  /** Items per class name and split; unlabelled items are counted under '(unlabelled)'. */
  perClass: Record<string, Record<Split, number>>;
  failed: ImportFailure[];
}

interface RawRow {
  id: string;
  name: string;
  source: string;
  source_kind: SourceKind;
  fingerprint: string;
  image_size: number;
  channels: 1 | 3;
  num_items: number;
  pixels_file: string;
  created_at: string;
  meta: string;
}

function fromRaw(r: RawRow): DatasetRow {
  return {
    id: r.id,
    name: r.name,
    source: r.source,
    sourceKind: r.source_kind,
    fingerprint: r.fingerprint,
    imageSize: r.image_size,
    channels: r.channels,
    numItems: r.num_items,
    pixelsFile: r.pixels_file,
    createdAt: r.created_at,
    meta: JSON.parse(r.meta) as Record<string, unknown>,
  };
}

export function newDatasetId(): string {
  return `ds-${randomBytes(4).toString('hex')}`;
}

/** Name of the pixel array file inside a dataset folder (and a staged import folder). */
export const PIXELS_FILE = 'pixels.u8';

/**
 * Commits a dataset staged in `stagedDir` (a folder from ws.makeTmp holding PIXELS_FILE): the
 * folder is renamed to datasets/<id>/ and the rows are inserted in one transaction, so a
 * killed import leaves either the whole dataset or nothing.
 */
export function commitDataset(ws: Workspace, d: NewDataset, stagedDir: string, id = newDatasetId()): DatasetRow {
  const dir = join(ws.datasetsDir, id);
  const pixelsFile = join('datasets', id, PIXELS_FILE);
  const now = new Date().toISOString();
  const insert = ws.db.transaction(() => {
    ws.db
      .prepare(
        `INSERT INTO datasets (id, name, source, source_kind, fingerprint, image_size, channels,
           num_items, pixels_file, created_at, meta)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(id, d.name, d.source, d.sourceKind, d.fingerprint, d.imageSize, d.channels, d.items.length, pixelsFile, now, JSON.stringify(d.meta ?? {}));
    const cls = ws.db.prepare('INSERT INTO classes (dataset_id, idx, name) VALUES (?, ?, ?)');
    d.classNames.forEach((name, i) => cls.run(id, i, name));
    const item = ws.db.prepare(
      'INSERT INTO items (dataset_id, idx, source_path, label, split, content_hash) VALUES (?, ?, ?, ?, ?, ?)',
    );
    d.items.forEach((it, i) => item.run(id, i, it.sourcePath, it.label, it.split, it.contentHash));
    const fail = ws.db.prepare('INSERT INTO import_failures (dataset_id, file, reason) VALUES (?, ?, ?)');
    for (const f of d.failures) fail.run(id, f.file, f.reason);
  });
  // mkdir + rename first: if the process dies before the commit, the folder is an orphan that
  // the next open sweeps; if the commit fails, remove it here.
  rmSync(dir, { recursive: true, force: true });
  renameSync(stagedDir, dir);
  try {
    insert();
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return getDataset(ws, id)!;
}

/** The dataset's pixels: uint8 NHWC, numItems × imageSize × imageSize × channels. */
export function readPixels(ws: Workspace, row: DatasetRow): Uint8Array {
  const buf = readFileSync(ws.path(row.pixelsFile));
  const expected = row.numItems * row.imageSize * row.imageSize * row.channels;
  if (buf.length !== expected) {
    throw new Error(`${ws.path(row.pixelsFile)}: expected ${expected} bytes of pixels, found ${buf.length}`);
  }
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.length);
}

export function findByFingerprint(ws: Workspace, fingerprint: string): DatasetRow | undefined {
  const r = ws.db.prepare('SELECT * FROM datasets WHERE fingerprint = ?').get(fingerprint) as RawRow | undefined;
  return r && fromRaw(r);
}

export function getDataset(ws: Workspace, id: string): DatasetRow | undefined {
  const r = ws.db.prepare('SELECT * FROM datasets WHERE id = ?').get(id) as RawRow | undefined;
  return r && fromRaw(r);
}

/** Finds a dataset by id, unique id prefix or unique name; undefined when none or ambiguous. */
export function resolveDataset(ws: Workspace, ref: string): DatasetRow | undefined {
  // One query for all three; an exact id wins over other prefix and name matches.
  const rows = ws.db
    .prepare("SELECT * FROM datasets WHERE id = ? OR id LIKE ? || '%' OR name = ?")
    .all(ref, ref, ref) as RawRow[];
  const hit = rows.find((r) => r.id === ref) ?? (rows.length === 1 ? rows[0] : undefined);
  return hit && fromRaw(hit);
}

export function listDatasets(ws: Workspace): DatasetRow[] {
  return (ws.db.prepare('SELECT * FROM datasets ORDER BY created_at').all() as RawRow[]).map(fromRaw);
}

export function classNames(ws: Workspace, id: string): string[] {
  return (ws.db.prepare('SELECT name FROM classes WHERE dataset_id = ? ORDER BY idx').all(id) as { name: string }[]).map(
    (r) => r.name,
  );
}

export function datasetItems(ws: Workspace, id: string): (ItemRecord & { idx: number })[] {
  const rows = ws.db
    .prepare('SELECT idx, source_path, label, split, content_hash FROM items WHERE dataset_id = ? ORDER BY idx')
    .all(id) as { idx: number; source_path: string; label: number | null; split: Split; content_hash: string }[];
  return rows.map((r) => ({ idx: r.idx, sourcePath: r.source_path, label: r.label, split: r.split, contentHash: r.content_hash }));
}

export function summarizeDataset(ws: Workspace, row: DatasetRow): DatasetSummary {
  const classes = classNames(ws, row.id);
  const splits: Record<Split, number> = { train: 0, test: 0 };
  const perClass: Record<string, Record<Split, number>> = {};
  const counts = ws.db
    .prepare('SELECT label, split, COUNT(*) AS n FROM items WHERE dataset_id = ? GROUP BY label, split')
    .all(row.id) as { label: number | null; split: Split; n: number }[];
  for (const c of counts) {
    splits[c.split] += c.n;
    const key = c.label === null ? '(unlabelled)' : (classes[c.label] ?? String(c.label));
    perClass[key] ??= { train: 0, test: 0 };
    perClass[key][c.split] += c.n;
  }
  const failed = ws.db
    .prepare('SELECT file, reason FROM import_failures WHERE dataset_id = ? ORDER BY rowid')
    .all(row.id) as ImportFailure[];
  return { ...row, classes, splits, perClass, failed };
}

/**
 * Deletes the rows (one transaction) and then the dataset's files. A dataset that runs still
 * use is refused with a PretextError (the runs keep their dataset), checked here so that the
 * CLI and the API say the same.
 */
export function deleteDataset(ws: Workspace, id: string): boolean {
  const remove = ws.db.transaction(() => {
    const { n } = ws.db.prepare('SELECT COUNT(*) AS n FROM runs WHERE dataset_id = ?').get(id) as { n: number };
    if (n > 0) throw new PretextError(`dataset '${id}': runs still use it; delete those runs first`);
    return ws.db.prepare('DELETE FROM datasets WHERE id = ?').run(id).changes;
  });
  if (remove() === 0) return false;
  rmSync(join(ws.datasetsDir, id), { recursive: true, force: true });
  return true;
}
