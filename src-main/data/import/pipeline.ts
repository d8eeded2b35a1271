/**
 * The import pipeline over a source and a staging path: options, identity (hash every entry,
 * fingerprint), decoding into one pixel file, labels and splits. It knows no workspace: the
 * task that commits the result (tasks/import.ts) looks the fingerprint up and stores the rows.
 */
import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { PretextError } from '../../core/errors';
import type { ProgressSink } from '../../core/progress';
import type { Split } from '../../core/types';
import { DEFAULT_MAX_PIXELS } from '../formats/decode';
import type { ImportFailure, ImportOptions, ItemRecord, Source } from '../types';
import { decodeAll } from './decodeAll';
import { hashEntries, type Hashed } from './hash';
import { SPLIT_SEED, stratifiedSplit, TEST_FRACTION } from './split';
import { WorkerPool } from './workerPool';

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

function summarizeFailures(failures: ImportFailure[], max = 5): string {
  const shown = failures.slice(0, max).map((f) => `  ${f.file}: ${f.reason}`);
  if (failures.length > max) shown.push(`  … and ${failures.length - max} more`);
  return shown.join('\n');
}

/**
 * Runs `fn` with worker threads for the source when it is large enough (or `workers` asks),
 * decoding in this thread when they do not start; closes the pool and the source afterwards.
 */
export async function withDecodePool<T>(
  source: Source,
  workers: number | undefined,
  progress: ProgressSink,
  fn: (pool: WorkerPool | undefined) => Promise<T>,
): Promise<T> {
  const encoded = source.entries.filter((e) => e.kind === 'encoded').length;
  const n = workers ?? defaultWorkers(encoded);
  let pool: WorkerPool | undefined;
  if (n > 0 && encoded > 0) {
    pool = await WorkerPool.start(n).catch((err: Error) => {
      progress.log(`decoding in this thread: worker threads did not start (${err.message})`);
      return undefined;
    });
  }
  try {
    return await fn(pool);
  } finally {
    await pool?.close();
    await source.close?.();
  }
}

/** A source after the identity pass: its options checked and every entry hashed. */
export interface IdentifiedSource extends Hashed {
  source: Source;
  opts: ImportOptions;
  channels: 1 | 3;
  fingerprint: string;
}

/** Checks the options and hashes every entry (a cheap read-and-hash pass): a re-import can return before decoding. */
export async function identifySource(
  source: Source,
  options: Partial<ImportOptions>,
  progress: ProgressSink,
  signal: AbortSignal | undefined,
  pool: WorkerPool | undefined,
): Promise<IdentifiedSource> {
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
  const { hashes, take } = await hashEntries(entries, opts.concurrency * (pool?.size ?? 1), progress, signal, pool);
  const fingerprint = fingerprintOf(
    opts.size,
    channels,
    entries.map((e, i) => ({ hash: hashes[i]!, className: e.className, split: e.split })),
  );
  return { source, opts, channels, fingerprint, hashes, take };
}

/** What decoding a source gives: the rows of the new dataset, its pixels being in the staged file. */
export interface DecodedSource {
  classNames: string[];
  items: ItemRecord[];
  failures: ImportFailure[];
  /** How the splits were made, recorded in the dataset's meta. */
  splitOrigin: string;
}

/**
 * Decodes the identified source's images into `pixelsPath` (uint8 NHWC), then labels them and
 * splits them: the source's own split where it gives one, a seeded stratified split for the rest.
 */
export async function decodeSource(
  id: IdentifiedSource,
  pixelsPath: string,
  progress: ProgressSink,
  signal: AbortSignal | undefined,
  pool: WorkerPool | undefined,
): Promise<DecodedSource> {
  const { source, opts, channels, hashes } = id;
  const { entries } = source;
  const decoded = await decodeAll(entries, { ...opts, channels }, pixelsPath, progress, signal, pool, id.take);
  const failures = [...source.failures, ...decoded.failed.map((f) => ({ file: entries[f.index]!.file, reason: f.reason }))];
  if (decoded.ok.length === 0) {
    throw new PretextError(`${source.path}: none of its ${entries.length} images could be decoded:\n${summarizeFailures(failures)}`);
  }
  const okEntries = decoded.ok.map((i) => entries[i]!);
  const classNames =
    source.classNames ?? [...new Set(okEntries.map((e) => e.className).filter((c): c is string => c !== null))].sort();
  const labelOf = new Map(classNames.map((c, i) => [c, i]));
  const labels = okEntries.map((e) => (e.className === null ? null : labelOf.get(e.className)!));

  const missing = okEntries.map((e, i) => (e.split === null ? i : -1)).filter((i) => i >= 0);
  const seeded = stratifiedSplit(missing.map((i) => labels[i]!));
  const splits: Split[] = okEntries.map((e) => e.split ?? 'train');
  missing.forEach((i, j) => (splits[i] = seeded[j]!));
  const splitOrigin =
    missing.length === 0
      ? 'source'
      : `seeded stratified ${Math.round(100 * (1 - TEST_FRACTION))}/${Math.round(100 * TEST_FRACTION)} (seed ${SPLIT_SEED})${missing.length < okEntries.length ? ' for items without one' : ''}`;

  const items: ItemRecord[] = okEntries.map((e, i) => ({
    sourcePath: e.file,
    label: labels[i]!,
    split: splits[i]!,
    contentHash: hashes[decoded.ok[i]!]!,
  }));
  return { classNames, items, failures, splitOrigin };
}
