/**
 * A run's frozen encoder for evaluation, with the normalisation the trainer used (per-channel
 * mean/std of the dataset's train split, `loadTrainData`): the backbone alone (no projector,
 * as the field evaluates) unless its method declares more (MethodDefinition.evaluation, e.g.
 * SimCLR v2 from the projector's first layer, an L-only encoder's luminance input, a ViT's
 * mean pooling: ml/methods/evaluation.ts).
 *
 * - `loadEncoder` builds the run's backbone and loads the `net/backbone/<i>` tensors of its
 *   latest checkpoint (checkpoint.ts names weights per network, so the projector, predictor
 *   and momentum copies are never built); a declared head: the whole model is built as the
 *   trainer builds it and only the backbone and that head are loaded and kept.
 * - `randomEncoder` builds the same encoder with the same seeded initialisation the run
 *   started from (both build it through ml/backbones/registry.ts), never trained: the
 *   random-init baseline of any run.
 *
 * `Encoder.epoch` counts completed training epochs: the checkpoint written after the first
 * epoch (stored epoch index 0, file checkpoint-e0001) is epoch 1; the random encoder is epoch 0.
 */
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { ChannelStats } from '../ml/augment';
import { buildBackbone as buildRunBackbone } from '../ml/backbones/registry';
import { assignWeights } from '../ml/export/graph';
import { readCheckpoint } from '../ml/train/checkpoint';
import { buildModel } from '../ml/train/loop';
import { encoderChannels, evaluationEncoder, evaluationSpec } from '../ml/methods/evaluation';
import type { RunConfig } from '../ml/train/config';
import type { TrainData } from '../ml/train/data';
import { loadTrainData } from './trainData';
import { runContext, type RunContext } from './runContext';
import { PretextError } from '../core/errors';
import type { DatasetRow } from '../store/datasets';
import { latestCheckpoint } from '../store/runs';
import type { Workspace } from '../store/workspace';

export interface Encoder {
  backbone: tfl.LayersModel;
  runId: string;
  epoch: number;
  config: RunConfig;
  dataset: DatasetRow;
  /** Normalisation used in training: per-channel mean/std of the train split. */
  stats: ChannelStats;
  size: number;
  channels: 1 | 3;
  dispose(): void;
}

/** The dataset's pixels, labels and splits, loaded once per encoder (see encoderData). */
const loaded = new WeakMap<Encoder, TrainData>();

/** The run's dataset as the trainer loaded it (pixels, splits, labels, stats); cached per encoder. */
export function encoderData(enc: Encoder, ws: Workspace): TrainData {
  let d = loaded.get(enc);
  if (!d) {
    d = loadTrainData(ws, enc.dataset);
    loaded.set(enc, d);
  }
  return d;
}

type CheckpointTensors = ReturnType<typeof readCheckpoint>['tensors'];

function buildBackbone(c: RunContext): tfl.LayersModel {
  const spec = evaluationSpec(c.config.method, c.config.params);
  return buildRunBackbone(c.config, { size: c.dataset.imageSize, channels: encoderChannels(spec, c.dataset.channels) });
}

/** A network's weights from a checkpoint's `net/<name>/<i>` tensors; errors name the file. */
export function loadNetwork(net: tfl.LayersModel, name: string, file: string, tensors: CheckpointTensors): void {
  assignWeights(
    net,
    (i) => {
      const t = tensors.get(`net/${name}/${i}`);
      if (!t) throw new PretextError(`${file}: no tensor net/${name}/${i} (the ${name} has ${net.weights.length} weights)`);
      return t;
    },
    (i, got, want) => new PretextError(`${file}: tensor net/${name}/${i} has shape [${got}], the run's ${name} [${want}]`),
  );
}

/**
 * The run's evaluated encoder (the method's declaration, ml/methods/evaluation.ts) at its seeded
 * initialisation, with a checkpoint's weights when given: the backbone alone, or the whole
 * model built as the trainer builds it (same seeded stream) and cut down to the backbone and
 * the head layers the method evaluates from.
 */
function buildEncoderNet(c: RunContext, data: TrainData, ckpt?: { file: string; tensors: CheckpointTensors }): { net: tfl.LayersModel; dispose(): void } {
  const spec = evaluationSpec(c.config.method, c.config.params);
  if (!spec.head) {
    const backbone = buildBackbone(c);
    try {
      if (ckpt) loadNetwork(backbone, 'backbone', ckpt.file, ckpt.tensors);
      // The backbone alone, or with its declared input and pooling (one graph, evaluation.ts).
      const { encoder, dispose } = evaluationEncoder({ backbone, networks: () => ({ backbone }), buffers: () => ({}) }, spec, data.stats);
      return { net: encoder, dispose };
    } catch (err) {
      backbone.dispose();
      throw err;
    }
  }
  const model = buildModel(c.config, { size: c.dataset.imageSize, channels: c.dataset.channels, numClasses: data.numClasses, trainIdx: data.trainIdx });
  try {
    if (ckpt) for (const name of ['backbone', spec.head.network]) loadNetwork(model.networks()[name]!, name, ckpt.file, ckpt.tensors);
  } catch (err) {
    model.dispose();
    throw err;
  }
  const { encoder, dispose } = evaluationEncoder(model, spec, data.stats);
  return { net: encoder, dispose };
}

function makeEncoder(c: RunContext, data: TrainData, built: { net: tfl.LayersModel; dispose(): void }, epoch: number): Encoder {
  const enc: Encoder = {
    backbone: built.net,
    runId: c.run.id,
    epoch,
    config: c.config,
    dataset: c.dataset,
    stats: data.stats,
    size: c.dataset.imageSize,
    channels: c.dataset.channels,
    dispose: () => {
      built.dispose();
      loaded.delete(enc);
    },
  };
  loaded.set(enc, data);
  return enc;
}

/**
 * The epoch of a run's latest checkpoint as Encoder.epoch, Embeddings.epoch and the stored
 * evaluations count it (completed epochs: the checkpoints row's 0-based index + 1); undefined
 * when the run has no checkpoint.
 */
export function checkpointEpoch(ws: Workspace, runId: string): number | undefined {
  const c = latestCheckpoint(ws, runId);
  return c ? c.epoch + 1 : undefined;
}

/** The evaluated encoder (the backbone, or what the method declares) of the run's latest checkpoint. */
export async function loadEncoder(ws: Workspace, runId: string): Promise<Encoder> {
  const c = runContext(ws, runId);
  const ckpt = latestCheckpoint(ws, runId);
  if (!ckpt) throw new PretextError(`run ${runId} has no checkpoint yet (train it first)`);
  const file = join(ws.dir, ckpt.path);
  if (!existsSync(file)) throw new PretextError(`run ${runId}: its checkpoint file ${file} is missing`);
  const saved = readCheckpoint(file);
  const data = loadTrainData(ws, c.dataset);
  return makeEncoder(c, data, buildEncoderNet(c, data, { file, tensors: saved.tensors }), ckpt.epoch + 1);
}

/** The run's evaluated encoder at its seeded initialisation, never trained (the random-init baseline). */
export async function randomEncoder(ws: Workspace, runId: string): Promise<Encoder> {
  const c = runContext(ws, runId);
  const data = loadTrainData(ws, c.dataset);
  return makeEncoder(c, data, buildEncoderNet(c, data), 0);
}
