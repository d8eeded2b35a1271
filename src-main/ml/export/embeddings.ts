/**
 * `exportEmbeddings`: a run's backbone features (latest checkpoint, the workspace's embeddings
 * cache — eval/embeddings.ts) with each row's dataset index, split, label and class, as CSV or
 * .npy + labels CSV (embeddingFiles.ts). `split`: test (default), train, or all (train then test,
 * the splits the dataset has). Default destination: runs/<id>/exports/embeddings-e<epoch>-<split>.<ext>.
 */
import { noSuch } from '../../core/errors';
import { join, resolve } from 'node:path';
import type { EmbeddingFormat, Split } from '../../core/types';
import { PretextError } from '../../core/errors';
import { classNames } from '../../store/datasets';
import { getRun, runDir } from '../../store/runs';
import type { Workspace } from '../../store/workspace';
import type { Embeddings } from '../eval/embeddings';
import { runEmbeddings } from '../../tasks/embeddings';
import { writeEmbeddingsCsv, writeEmbeddingsNpy } from './embeddingFiles';
import { statOrNone } from './files';
import type { ExportControl, ExportedFiles } from './encoder';

export type EmbeddingSplit = Split | 'all';
export const EMBEDDING_SPLITS: EmbeddingSplit[] = ['test', 'train', 'all'];

function splitsOf(ws: Workspace, datasetId: string, split: EmbeddingSplit): Split[] {
  if (split !== 'all') return [split];
  const rows = ws.db.prepare('SELECT split, COUNT(*) AS n FROM items WHERE dataset_id = ? GROUP BY split').all(datasetId) as { split: Split; n: number }[];
  const present = new Set(rows.filter((r) => r.n > 0).map((r) => r.split));
  return (['train', 'test'] as const).filter((s) => present.has(s));
}

export async function exportEmbeddings(
  ws: Workspace,
  runId: string,
  o: { format: EmbeddingFormat; out?: string; split?: EmbeddingSplit },
  ctl: ExportControl = {},
): Promise<ExportedFiles> {
  if (o.format !== 'csv' && o.format !== 'npy') throw new PretextError(`embeddings format '${String(o.format)}': must be csv or npy`);
  const split = o.split ?? 'test';
  if (!EMBEDDING_SPLITS.includes(split)) throw new PretextError(`split '${String(split)}': must be one of ${EMBEDDING_SPLITS.join(', ')}`);
  const run = getRun(ws, runId);
  if (!run) throw noSuch('run', runId);
  const splits = splitsOf(ws, run.datasetId, split);
  if (splits.length === 0) throw new PretextError(`run ${runId}: its dataset ${run.datasetId} has no images`);
  const parts: Embeddings[] = [];
  for (const s of splits) parts.push(await runEmbeddings(ws, runId, s, ctl));
  const epoch = parts[0]!.epoch;
  const name = `embeddings-e${epoch}-${split}.${o.format}`;
  let dest: string;
  if (o.out === undefined || o.out === '') dest = join(runDir(ws, runId), 'exports', name);
  else {
    dest = resolve(o.out);
    if (statOrNone(dest)?.isDirectory()) dest = join(dest, name);
  }
  const classes = classNames(ws, run.datasetId);
  const written = o.format === 'csv' ? await writeEmbeddingsCsv(dest, parts, classes, ctl) : await writeEmbeddingsNpy(dest, parts, classes, ctl);
  return { path: written.path, bytes: written.files.reduce((a, f) => a + f.bytes, 0), files: written.files };
}
