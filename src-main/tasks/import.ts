/**
 * Import into the workspace: runs the data/ pipeline over a source and commits the dataset.
 * The pixels are staged in a private tmp folder and committed with the rows in one step, so a
 * cancelled or killed import leaves nothing behind. The one entry point for the engine, the
 * API service and the CLI.
 */
import { existsSync, rmSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { PretextError } from '../core/errors';
import type { ProgressSink } from '../core/progress';
import type { Split } from '../core/types';
import { openSource } from '../data/formats/detect';
import { decodeSource, identifySource, withDecodePool } from '../data/import/pipeline';
import type { WorkerPool } from '../data/import/workerPool';
import { fullFashionSource, sampleDir, SAMPLES } from '../data/samples';
import type { ImportFailure, ImportOptions, Source, SourceKind } from '../data/types';
import { commitDataset, findByFingerprint, listDatasets, PIXELS_FILE, summarizeDataset, type DatasetSummary } from '../store/datasets';
import type { Workspace } from '../store/workspace';

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

/**
 * Decodes a source into a new dataset of the workspace. Re-importing the same content returns
 * the existing dataset.
 */
export async function importSource(
  ws: Workspace,
  source: Source,
  options: Partial<ImportOptions>,
  progress: ProgressSink,
  signal?: AbortSignal,
  kindOverride?: SourceKind,
): Promise<ImportResult> {
  return withDecodePool(source, options.workers, progress, (pool) => importOpened(ws, source, options, progress, signal, kindOverride, pool));
}

async function importOpened(
  ws: Workspace,
  source: Source,
  options: Partial<ImportOptions>,
  progress: ProgressSink,
  signal: AbortSignal | undefined,
  kindOverride: SourceKind | undefined,
  pool: WorkerPool | undefined,
): Promise<ImportResult> {
  const started = performance.now();
  const identified = await identifySource(source, options, progress, signal, pool);
  const { opts, channels, fingerprint } = identified;
  const existing = findByFingerprint(ws, fingerprint);
  if (existing) return toResult(summarizeDataset(ws, existing), true, (performance.now() - started) / 1000);

  const staged = ws.makeTmp('import');
  let committed = false;
  try {
    const { classNames, items, failures, splitOrigin } = await decodeSource(identified, join(staged, PIXELS_FILE), progress, signal, pool);
    const seconds = (performance.now() - started) / 1000;
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

/** `pretext import --sample NAME [--full]`. */
export async function importSample(
  ws: Workspace,
  name: string,
  full: boolean,
  options: Partial<ImportOptions>,
  progress: ProgressSink,
  signal?: AbortSignal,
): Promise<ImportResult> {
  if (!(SAMPLES as readonly string[]).includes(name)) {
    throw new PretextError(`--sample ${name}: unknown sample (available: ${SAMPLES.join(', ')})`, { field: 'sample' });
  }
  if (full) {
    return importSource(ws, await fullFashionSource(progress), { ...options, defaultName: 'fashion-mnist-full' }, progress, signal);
  }
  const dir = sampleDir(name);
  if (!existsSync(join(dir, 'train-images-idx3-ubyte.gz'))) {
    throw new PretextError(`${dir}: the bundled sample is missing; run \`npm run make:sample\``);
  }
  const source = await openSource(dir);
  source.meta = { ...source.meta, sample: name };
  return importSource(ws, source, { ...options, defaultName: `${name}-sample` }, progress, signal, 'sample');
}
