/**
 * A run's encoder and embeddings as files for use outside Pretext (the writers: ml/export/), as
 * the engine service and `pretext export encoder|embeddings` call them.
 *
 * `exportEncoder`: a run's trained backbone (latest checkpoint, pre-projector) for use outside
 * Pretext, as the engine service and `pretext export encoder` call it.
 *
 * - tfjs: a folder with model.json + weights.bin (stock layers, ml/export/tfjsExport.ts) and pretext.json.
 * - onnx: one .onnx file (ml/export/onnx.ts); the same sidecar JSON is stored in its metadata_props under
 *   the key `pretext` (onnx.load(f).metadata_props, or InferenceSession's metadata).
 * Both take NHWC float32 images normalised as in training: ((pixel / 255) − mean) / std with the
 * per-channel mean/std of the run's train split (the sidecar's `normalization`).
 * Default destination: runs/<id>/exports/<id>-encoder-e<epoch>-tfjs/ or <id>-encoder-e<epoch>.onnx
 * (the run id in the name, so exports of two runs never collide once downloaded or copied).
 *
 * `exportEmbeddings`: a run's backbone features (latest checkpoint, the workspace's embeddings
 * cache — tasks/embeddings.ts) with each row's dataset index, split, label and class, as CSV or
 * .npy + labels CSV (ml/export/embeddingFiles.ts). `split`: test (default), train, or all (train
 * then test, the splits the dataset has). Default destination:
 * runs/<id>/exports/<id>-embeddings-e<epoch>-<split>.<ext>.
 */
import { join, resolve } from 'node:path';
import type { Control } from '../core/control';
import { CancelledError, noSuch, PretextError } from '../core/errors';
import type { EmbeddingFormat, EncoderFormat, Split } from '../core/types';
import type { Embeddings } from '../ml/eval/embeddings';
import { writeEmbeddingsCsv, writeEmbeddingsNpy, type WrittenFiles } from '../ml/export/embeddingFiles';
import { statOrNone, writeOutput } from '../ml/export/files';
import { ONNX_INPUT, ONNX_OUTPUT, toOnnx } from '../ml/export/onnx';
import { TFJS_FILES, writeTfjsModel } from '../ml/export/tfjsExport';
import { PRETEXT_VERSION } from '../ml/export/version';
import { classNames } from '../store/datasets';
import { getRun, runDir } from '../store/runs';
import type { Workspace } from '../store/workspace';
import { runEmbeddings } from './embeddings';
import { loadEncoder, type Encoder } from './encoder';

/** The main file (what the contract's WrittenFile names) and every file written. */
export type ExportedFiles = WrittenFiles;

export const SIDECAR_FILE = 'pretext.json';

/** What a downstream user needs to feed the encoder: written as pretext.json / ONNX metadata. */
export interface EncoderSidecar {
  kind: 'pretext-encoder';
  pretextVersion: string;
  format: EncoderFormat;
  runId: string;
  method: string;
  /** Completed training epochs of the checkpoint. */
  epoch: number;
  backbone: string;
  featureDim: number;
  input: { name: string; layout: 'NHWC'; dtype: 'float32'; height: number; width: number; channels: 1 | 3 };
  output: { name: string; shape: ['N', number] };
  /** Applied by the caller: x = ((pixel / 255) − mean[c]) / std[c]. */
  normalization: { mean: number[]; std: number[]; formula: string };
  dataset: { id: string; name: string; classes: string[] };
  /** The run's resolved training configuration. */
  config: Record<string, unknown>;
  exportedAt: string;
}

export function encoderSidecar(ws: Workspace, enc: Encoder, format: EncoderFormat): EncoderSidecar {
  const featureDim = enc.backbone.outputs[0]!.shape[1] as number;
  return {
    kind: 'pretext-encoder',
    pretextVersion: PRETEXT_VERSION,
    format,
    runId: enc.runId,
    method: enc.config.method,
    epoch: enc.epoch,
    backbone: enc.config.backbone,
    featureDim,
    input: { name: format === 'onnx' ? ONNX_INPUT : enc.backbone.inputs[0]!.name.replace(/:\d+$/, ''), layout: 'NHWC', dtype: 'float32', height: enc.size, width: enc.size, channels: enc.channels },
    output: { name: format === 'onnx' ? ONNX_OUTPUT : 'output', shape: ['N', featureDim] },
    normalization: { mean: enc.stats.mean, std: enc.stats.std, formula: 'x = (pixel / 255 - mean[c]) / std[c]' },
    dataset: { id: enc.dataset.id, name: enc.dataset.name, classes: classNames(ws, enc.dataset.id) },
    config: enc.config as unknown as Record<string, unknown>,
    exportedAt: new Date().toISOString(),
  };
}

function isDir(path: string): boolean {
  return statOrNone(path)?.isDirectory() ?? false;
}

/** Where the export goes: `out` (an existing folder takes the default file name), else under the run. */
function destination(ws: Workspace, enc: Encoder, format: EncoderFormat, out: string | undefined): string {
  const name = format === 'tfjs' ? `${enc.runId}-encoder-e${enc.epoch}-tfjs` : `${enc.runId}-encoder-e${enc.epoch}.onnx`;
  if (out === undefined || out === '') return join(runDir(ws, enc.runId), 'exports', name);
  const path = resolve(out);
  if (format === 'onnx' && isDir(path)) return join(path, name);
  if (format === 'tfjs' && statOrNone(path)?.isFile()) {
    throw new PretextError(`cannot write the tfjs model to ${path}: it is a file (the tfjs format is a folder: model.json, ${TFJS_FILES.weights}, ${SIDECAR_FILE})`);
  }
  return path;
}

export async function exportEncoder(
  ws: Workspace,
  runId: string,
  o: { format: EncoderFormat; out?: string },
  ctl: Control = {},
): Promise<ExportedFiles> {
  if (o.format !== 'tfjs' && o.format !== 'onnx') throw new PretextError(`encoder format '${String(o.format)}': must be tfjs or onnx`);
  const check = () => {
    if (ctl.signal?.aborted) throw new CancelledError();
  };
  ctl.progress?.start(`export ${o.format} ${runId}`, 3, 'steps');
  const enc = await loadEncoder(ws, runId);
  try {
    check();
    ctl.progress?.update(1, 'loaded');
    const dest = destination(ws, enc, o.format, o.out);
    const sidecar = encoderSidecar(ws, enc, o.format);
    let files: { path: string; bytes: number }[];
    if (o.format === 'tfjs') {
      files = await writeTfjsModel(enc.backbone, dest);
      ctl.progress?.update(2, 'written');
      files.push(writeOutput(join(dest, SIDECAR_FILE), 'the encoder sidecar', `${JSON.stringify(sidecar, null, 2)}\n`));
    } else {
      const bytes = await toOnnx(enc.backbone, {
        producerVersion: PRETEXT_VERSION,
        docString: `${sidecar.method} ${sidecar.backbone} encoder of run ${runId} (epoch ${sidecar.epoch}), exported by Pretext`,
        metadata: { pretext: JSON.stringify(sidecar) },
      });
      check();
      ctl.progress?.update(2, 'converted');
      files = [writeOutput(dest, 'the ONNX model', bytes)];
    }
    ctl.progress?.finish();
    return { path: dest, bytes: files.reduce((a, f) => a + f.bytes, 0), files };
  } finally {
    enc.dispose();
  }
}

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
  ctl: Control = {},
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
  const name = `${runId}-embeddings-e${epoch}-${split}.${o.format}`;
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
