/**
 * `exportEncoder`: a run's trained backbone (latest checkpoint, pre-projector) for use outside
 * Pretext, as the engine service and `pretext export encoder` call it.
 *
 * - tfjs: a folder with model.json + weights.bin (stock layers, tfjsExport.ts) and pretext.json.
 * - onnx: one .onnx file (onnx.ts); the same sidecar JSON is stored in its metadata_props under
 *   the key `pretext` (onnx.load(f).metadata_props, or InferenceSession's metadata).
 * Both take NHWC float32 images normalised as in training: ((pixel / 255) − mean) / std with the
 * per-channel mean/std of the run's train split (the sidecar's `normalization`).
 * Default destination: runs/<id>/exports/encoder-e<epoch>-tfjs/ or encoder-e<epoch>.onnx.
 */
import { join, resolve } from 'node:path';
import type { EncoderFormat, WrittenFile } from '../../core/types';
import { CancelledError, PretextError } from '../../core/errors';
import type { ProgressSink } from '../../core/progress';
import { classNames } from '../../store/datasets';
import { runDir } from '../../store/runs';
import type { Workspace } from '../../store/workspace';
import { loadEncoder, type Encoder } from '../../tasks/encoder';
import { statOrNone, writeOutput } from './files';
import { ONNX_INPUT, ONNX_OUTPUT, toOnnx } from './onnx';
import { TFJS_FILES, writeTfjsModel } from './tfjsExport';
import { PRETEXT_VERSION } from './version';

export interface ExportControl {
  signal?: AbortSignal;
  progress?: ProgressSink;
}

export interface ExportedFiles extends WrittenFile {
  files: { path: string; bytes: number }[];
}

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
  const name = format === 'tfjs' ? `encoder-e${enc.epoch}-tfjs` : `encoder-e${enc.epoch}.onnx`;
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
  ctl: ExportControl = {},
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
