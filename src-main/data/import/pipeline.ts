import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, extname, join } from 'node:path';
import { PretextError } from '../../core/errors';
import type { ProgressSink } from '../../core/progress';
import { commitDataset, findByFingerprint, listDatasets, PIXELS_FILE, summarizeDataset, type DatasetSummary, type ImportFailure, type ItemRecord } from '../../store/datasets';
import { type Split } from '../../core/types';
import type { Workspace } from '../../store/workspace';
import { DEFAULT_MAX_PIXELS } from '../formats/decode';
import { decodeAll } from './decodeAll';
import { hashEntries } from './hash';
import { WorkerPool } from './workerPool';
import { SPLIT_SEED, stratifiedSplit, TEST_FRACTION } from './split';
import type { ImportOptions, Source } from '../types';

export const DEFAULT_IMPORT_OPTIONS: ImportOptions = {
  size: 32,
  grayscale: false,
  maxPixels: DEFAULT_MAX_PIXELS,
  concurrency: 4,
};

/** Sources with at least this many encoded images are decoded on worker threads. */
export const WORKERS_FROM = 2000;

/**
 * Worker threads for a source. Our PNG decoder and resize are JS, so in-process decoding of
 * small images is bound to one core; workers spread it over all of them. Starting them costs
 * about half a second (tsx and sharp load in each), so small sources stay in-process.
 * Measured on the 2-core target (busy, load 7–9): 10,000 64×64 PNGs 1,456/s in-process vs
 * 2,447/s with 2 workers; 2,000 640×480 JPEGs 294/s vs 384/s; but 300 JPEGs 199/s vs 123/s.
 */
export function defaultWorkers(encoded: number, cores = availableParallelism()): number {
  return encoded >= WORKERS_FROM && cores >= 2 ? Math.min(cores, 8) : 0;
}

export interface ImportResult {
  id: string;
  name: string;
  /** True when the same content was imported before: nothing new was written. */
  existing: boolean;
  /** The id of the earlier import when `existing`. */
  duplicateOf?: string;
  /** Images in the dataset. */
  imported: number;
  failed: ImportFailure[];
  splits: Record<Split, number>;
  classes: string[];
  perClass: Record<string, Record<Split, number>>;
  imageSize: number;
  channels: 1 | 3;
  source: string;
  sourceKind: string;
  fingerprint: string;
  seconds: number;
}

function toResult(s: DatasetSummary, existing: boolean, seconds: number): ImportResult {
  return {
    id: s.id,
    name: s.name,
    existing,
    ...(existing ? { duplicateOf: s.id } : {}),
    imported: s.numItems,
    failed: s.failed,
    splits: s.splits,
    classes: s.classes,
    perClass: s.perClass,
    imageSize: s.imageSize,
    channels: s.channels,
    source: s.source,
    sourceKind: s.sourceKind,
    fingerprint: s.fingerprint,
    seconds,
  };
}

/**
 * The dataset's identity: decoding options plus, for every image of the source, the hash of
 * its bytes, its class name and the split the source gave it — sorted, so renaming or moving
 * the source does not make it new. Seeded splits follow from these, so they are left out.
 */
export function fingerprintOf(size: number, channels: number, items: { hash: string; className: string | null; split: Split | null }[]): string {
  const lines = items.map((i) => `${i.hash}\t${i.className ?? ''}\t${i.split ?? ''}`).sort();
  const h = createHash('sha256').update(`pretext-dataset-v1 size=${size} channels=${channels}\n`);
  for (const l of lines) h.update(`${l}\n`);
  return h.digest('hex');
}

/** A default name that no other dataset has: the source's, then with its size, then numbered. */
function uniqueName(ws: Workspace, base: string, size: number, channels: number): string {
  const taken = new Set(listDatasets(ws).map((d) => d.name));
  const sized = `${base}-${size}px${channels === 1 ? '-gray' : ''}`;
  if (!taken.has(base)) return base;
  if (!taken.has(sized)) return sized;
  let n = 2;
  while (taken.has(`${sized}-${n}`)) n++;
  return `${sized}-${n}`;
}

function summarizeFailures(failures: ImportFailure[], max = 5): string {
  const shown = failures.slice(0, max).map((f) => `  ${f.file}: ${f.reason}`);
  if (failures.length > max) shown.push(`  … and ${failures.length - max} more`);
  return shown.join('\n');
}

/**
 * Decodes a source into a new dataset of the workspace. The pixels are staged in a private
 * tmp folder and committed with the rows in one step, so a cancelled or killed import leaves
 * nothing behind. Re-importing the same content returns the existing dataset.
 */
export async function importSource(
  ws: Workspace,
  source: Source,
  options: Partial<ImportOptions>,
  progress: ProgressSink,
  signal?: AbortSignal,
  kindOverride?: DatasetSummary['sourceKind'],
): Promise<ImportResult> {
  const encoded = source.entries.filter((e) => e.kind === 'encoded').length;
  const workers = options.workers ?? defaultWorkers(encoded);
  let pool: WorkerPool | undefined;
  if (workers > 0 && encoded > 0) {
    pool = await WorkerPool.start(workers).catch((err: Error) => {
      progress.log(`decoding in this thread: worker threads did not start (${err.message})`);
      return undefined;
    });
  }
  try {
    return await importOpened(ws, source, options, progress, signal, kindOverride, pool);
  } finally {
    await pool?.close();
    await source.close?.();
  }
}

async function importOpened(
  ws: Workspace,
  source: Source,
  options: Partial<ImportOptions>,
  progress: ProgressSink,
  signal: AbortSignal | undefined,
  kindOverride: DatasetSummary['sourceKind'] | undefined,
  pool: WorkerPool | undefined,
): Promise<ImportResult> {
  const started = performance.now();
  const opts = { ...DEFAULT_IMPORT_OPTIONS, ...options };
  if (!Number.isInteger(opts.size) || opts.size < 4 || opts.size > 1024) {
    throw new PretextError(`--size ${opts.size}: must be a whole number of pixels from 4 to 1024`, { field: 'size' });
  }
  const channels: 1 | 3 = opts.grayscale ? 1 : 3;
  const { entries } = source;
  if (entries.length === 0) {
    const why = source.failures.length > 0 ? `; ${source.failures.length} files could not be used:\n${summarizeFailures(source.failures)}` : '';
    throw new PretextError(`${source.path}: holds no image Pretext can import${why}`);
  }
  // Identity first, from a cheap read-and-hash pass: a re-import returns before decoding.
  const { hashes, take } = await hashEntries(entries, opts.concurrency * (pool?.size ?? 1), progress, signal, pool);
  const fingerprint = fingerprintOf(
    opts.size,
    channels,
    entries.map((e, i) => ({ hash: hashes[i]!, className: e.className, split: e.split })),
  );
  const existing = findByFingerprint(ws, fingerprint);
  if (existing) return toResult(summarizeDataset(ws, existing), true, (performance.now() - started) / 1000);

  const staged = ws.makeTmp('import');
  let committed = false;
  try {
    const decoded = await decodeAll(entries, { ...opts, channels }, join(staged, PIXELS_FILE), progress, signal, pool, take);
    const failures = [...source.failures, ...decoded.failed.map((f) => ({ file: entries[f.index]!.file, reason: f.reason }))];
    if (decoded.ok.length === 0) {
      throw new PretextError(`${source.path}: none of its ${entries.length} images could be decoded:\n${summarizeFailures(failures)}`);
    }
    const okEntries = decoded.ok.map((i) => entries[i]!);
    const classNames =
      source.classNames ?? [...new Set(okEntries.map((e) => e.className).filter((c): c is string => c !== null))].sort();
    const labelOf = new Map(classNames.map((c, i) => [c, i]));
    const labels = okEntries.map((e) => (e.className === null ? null : labelOf.get(e.className)!));

    // Splits: the source's own where it gives one; a seeded stratified split for the rest.
    const missing = okEntries.map((e, i) => (e.split === null ? i : -1)).filter((i) => i >= 0);
    const seeded = stratifiedSplit(missing.map((i) => labels[i]!));
    const splits: Split[] = okEntries.map((e) => e.split ?? 'train');
    missing.forEach((i, j) => (splits[i] = seeded[j]!));
    const splitOrigin =
      missing.length === 0
        ? 'source'
        : `seeded stratified ${Math.round(100 * (1 - TEST_FRACTION))}/${Math.round(100 * TEST_FRACTION)} (seed ${SPLIT_SEED})${missing.length < okEntries.length ? ' for items without one' : ''}`;
    const seconds = (performance.now() - started) / 1000;

    const items: ItemRecord[] = okEntries.map((e, i) => ({
      sourcePath: e.file,
      label: labels[i]!,
      split: splits[i]!,
      contentHash: hashes[decoded.ok[i]!]!,
    }));
    const name = opts.name ?? uniqueName(ws, opts.defaultName ?? (basename(source.path, extname(source.path)) || source.path), opts.size, channels);
    let row;
    try {
      row = commitDataset(
        ws,
        {
          name,
          source: opts.sourceLabel ?? source.path,
          sourceKind: kindOverride ?? source.kind,
          fingerprint,
          imageSize: opts.size,
          channels,
          classNames,
          items,
          failures,
          meta: { ...source.meta, split: splitOrigin, grayscale: opts.grayscale, seconds },
        },
        staged,
      );
      committed = true;
    } catch (err) {
      // Another process committed the same content between our check and our insert.
      const raced = findByFingerprint(ws, fingerprint);
      if (raced) return toResult(summarizeDataset(ws, raced), true, seconds);
      throw err;
    }
    return toResult(summarizeDataset(ws, row), false, seconds);
  } finally {
    if (!committed) rmSync(staged, { recursive: true, force: true });
  }
}
