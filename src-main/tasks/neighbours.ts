/**
 * Nearest-neighbour retrieval across runs: for one query image, the top-k most similar images
 * (cosine similarity of backbone features) in each run's embeddings of the whole dataset
 * (train and test splits, the query itself left out), with labels and how many neighbours
 * share the query's label: what each method considers "similar".
 *
 * The features are each run's cached embeddings at its latest checkpoint (tasks/embeddings.ts),
 * computed and cached when missing, with progress and cancel. The query is a dataset image (its
 * stored features) or an image file, decoded as an import decodes it (resized and centre-cropped
 * to the dataset's size and channels) and embedded by each run's encoder. The runs must share
 * one dataset (an index names an image of it).
 */
import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import type { Control } from '../core/control';
import { CancelledError, noSuch, PretextError } from '../core/errors';
import type { NeighboursResult, RunNeighbours, Split } from '../core/types';
import { decodeImage, DEFAULT_MAX_PIXELS } from '../data/formats/decode';
import { embed } from '../ml/eval/embed';
import type { Embeddings } from '../ml/eval/embeddings';
import { cosineTopK } from '../ml/eval/retrieval';
import { classNames, datasetItems, getDataset, type DatasetRow } from '../store/datasets';
import { getRun } from '../store/runs';
import type { Workspace } from '../store/workspace';
import { runEmbeddings } from './embeddings';
import { loadEncoder } from './encoder';

/** A dataset image by index, or an image file on this machine. */
export type NeighbourQuery = { index: number } | { file: string };

/** The most neighbours a query returns per run (the API's range). */
export const MAX_NEIGHBOURS = 100;

/** Image files larger than this are refused before reading (a query is one picture). */
const MAX_QUERY_BYTES = 64 * 1024 * 1024;

/** Both splits' features of a run in one bank (the splits the dataset has). */
async function runBank(ws: Workspace, runId: string, splits: Split[], ctl: Control): Promise<{ epoch: number; dim: number; features: Float32Array; indices: Int32Array; labels: Int32Array; split: Split[] }> {
  const parts: Embeddings[] = [];
  for (const s of splits) parts.push(await runEmbeddings(ws, runId, s, ctl));
  const dim = parts[0]!.dim;
  const count = parts.reduce((n, p) => n + p.count, 0);
  const features = new Float32Array(count * dim);
  const indices = new Int32Array(count);
  const labels = new Int32Array(count);
  const split: Split[] = [];
  let at = 0;
  for (const p of parts) {
    features.set(p.features, at * dim);
    indices.set(p.indices, at);
    labels.set(p.labels, at);
    for (let i = 0; i < p.count; i++) split.push(p.split);
    at += p.count;
  }
  return { epoch: parts[0]!.epoch, dim, features, indices, labels, split };
}

/** The query file decoded to the dataset's stored size and channels (uint8 HWC). */
function decodeQuery(file: string, row: DatasetRow): Promise<Uint8Array> {
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    throw new PretextError(`${file}: no such file`, { field: 'path' });
  }
  if (size > MAX_QUERY_BYTES) throw new PretextError(`${file}: ${size} bytes; a query image may have at most ${MAX_QUERY_BYTES}`, { field: 'path' });
  const out = new Uint8Array(row.imageSize * row.imageSize * row.channels);
  return decodeImage(readFileSync(file), { size: row.imageSize, channels: row.channels, maxPixels: DEFAULT_MAX_PIXELS }, out).then(
    () => out,
    (err: unknown) => {
      throw new PretextError(`${file}: ${(err as Error).message}`, { field: 'path' });
    },
  );
}

/** Backbone features of one decoded image through the run's latest checkpoint. */
async function embedQuery(ws: Workspace, runId: string, pixels: Uint8Array, row: DatasetRow): Promise<Float32Array> {
  const enc = await loadEncoder(ws, runId);
  try {
    const out = await embed(enc.backbone, { pixels, size: row.imageSize, channels: row.channels }, [0], enc.stats, 1);
    try {
      return Float32Array.from((await out.data()) as Float32Array);
    } finally {
      out.dispose();
    }
  } finally {
    enc.dispose();
  }
}

/** The runs (distinct, existing, trained, on one dataset) and their dataset. */
function checkRuns(ws: Workspace, runIds: readonly string[]): DatasetRow {
  if (runIds.length === 0) throw new PretextError('runIds: pick at least one run', { field: 'runIds' });
  if (new Set(runIds).size !== runIds.length) throw new PretextError('runIds: a run is listed twice', { field: 'runIds' });
  const runs = runIds.map((id) => getRun(ws, id) ?? (() => { throw noSuch('run', id); })());
  const datasetId = runs[0]!.datasetId;
  const other = runs.find((r) => r.datasetId !== datasetId);
  if (other) throw new PretextError(`runs ${runs[0]!.id} and ${other.id} are on different datasets; retrieval compares runs of one dataset`, { field: 'runIds' });
  const row = getDataset(ws, datasetId);
  if (!row) throw new PretextError(`run ${runs[0]!.id}: its dataset ${datasetId} is gone`);
  return row;
}

/**
 * The top-k neighbours of the query in each run's embeddings of their dataset, with the
 * agreement of their labels with the query's (an index query's label; a file has none).
 */
export async function neighbours(ws: Workspace, runIds: readonly string[], query: NeighbourQuery, k = 8, ctl: Control = {}): Promise<NeighboursResult> {
  if (!Number.isInteger(k) || k < 1 || k > MAX_NEIGHBOURS) throw new PretextError(`k must be an integer from 1 to ${MAX_NEIGHBOURS}, got ${k}`, { field: 'k' });
  const row = checkRuns(ws, runIds);
  const classes = classNames(ws, row.id);
  const items = datasetItems(ws, row.id);
  const name = (label: number | null) => (label === null || label < 0 ? null : (classes[label] ?? String(label)));
  let q: NeighboursResult['query'];
  let pixels: Uint8Array | null = null;
  if ('index' in query) {
    const it = items[query.index];
    if (!Number.isInteger(query.index) || !it || it.idx !== query.index) {
      throw new PretextError(`image ${query.index}: dataset ${row.id} has images 0 to ${items.length - 1}`, { field: 'index' });
    }
    q = { index: it.idx, file: null, label: it.label, className: name(it.label), split: it.split };
  } else {
    pixels = await decodeQuery(query.file, row);
    q = { index: null, file: basename(query.file), label: null, className: null, split: null };
  }
  const splits = (['train', 'test'] as const).filter((s) => items.some((it) => it.split === s));
  const runs: RunNeighbours[] = [];
  for (const runId of runIds) {
    if (ctl.signal?.aborted) throw new CancelledError();
    const bank = await runBank(ws, runId, splits, ctl);
    const self = q.index === null ? -1 : bank.indices.indexOf(q.index);
    let vector: Float32Array;
    if (pixels) vector = await embedQuery(ws, runId, pixels, row);
    else if (self >= 0) vector = bank.features.slice(self * bank.dim, (self + 1) * bank.dim);
    else throw new PretextError(`image ${q.index} is in no split of run ${runId}'s embeddings`);
    const top = cosineTopK(bank.features, bank.dim, vector, Math.min(k, bank.indices.length - (self >= 0 ? 1 : 0)), self);
    const found = top.rows.map((r, i) => {
      const label = bank.labels[r]! < 0 ? null : bank.labels[r]!;
      return { rank: i + 1, index: bank.indices[r]!, similarity: top.similarities[i]!, label, className: name(label), split: bank.split[r]! };
    });
    const matches = q.label === null ? null : found.filter((n) => n.label === q.label).length;
    runs.push({ runId, method: getRun(ws, runId)!.method, epoch: bank.epoch, neighbours: found, matches, agreement: matches === null || found.length === 0 ? null : matches / found.length });
  }
  return { datasetId: row.id, k, query: q, runs };
}
