/**
 * A run's frozen encoder for evaluation: the backbone alone (no projector, as the field
 * evaluates), with the normalisation the trainer used (per-channel mean/std of the dataset's
 * train split, `loadTrainData`).
 *
 * - `loadEncoder` builds the run's backbone and loads the `net/backbone/<i>` tensors of its
 *   latest checkpoint (checkpoint.ts names weights per network, so the projector, predictor
 *   and momentum copies are never built).
 * - `randomEncoder` builds the same backbone with the same seeded initialisation the run
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

function buildBackbone(c: RunContext): tfl.LayersModel {
  return buildRunBackbone(c.config, { size: c.dataset.imageSize, channels: c.dataset.channels });
}

function makeEncoder(ws: Workspace, c: RunContext, backbone: tfl.LayersModel, epoch: number): Encoder {
  const enc: Encoder = {
    backbone,
    runId: c.run.id,
    epoch,
    config: c.config,
    dataset: c.dataset,
    stats: { mean: [], std: [] },
    size: c.dataset.imageSize,
    channels: c.dataset.channels,
    dispose: () => {
      backbone.dispose();
      loaded.delete(enc);
    },
  };
  try {
    enc.stats = encoderData(enc, ws).stats;
  } catch (err) {
    enc.dispose();
    throw err;
  }
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

/** The backbone of the run's latest checkpoint. */
export async function loadEncoder(ws: Workspace, runId: string): Promise<Encoder> {
  const c = runContext(ws, runId);
  const ckpt = latestCheckpoint(ws, runId);
  if (!ckpt) throw new PretextError(`run ${runId} has no checkpoint yet (train it first)`);
  const file = join(ws.dir, ckpt.path);
  if (!existsSync(file)) throw new PretextError(`run ${runId}: its checkpoint file ${file} is missing`);
  const data = readCheckpoint(file);
  const backbone = buildBackbone(c);
  try {
    assignWeights(
      backbone,
      (i) => {
        const t = data.tensors.get(`net/backbone/${i}`);
        if (!t) throw new PretextError(`${file}: no tensor net/backbone/${i} (the backbone has ${backbone.weights.length} weights)`);
        return t;
      },
      (i, got, want) => new PretextError(`${file}: tensor net/backbone/${i} has shape [${got}], the run's backbone [${want}]`),
    );
  } catch (err) {
    backbone.dispose();
    throw err;
  }
  return makeEncoder(ws, c, backbone, ckpt.epoch + 1);
}

/** The run's backbone at its seeded initialisation, never trained (the random-init baseline). */
export async function randomEncoder(ws: Workspace, runId: string): Promise<Encoder> {
  const c = runContext(ws, runId);
  return makeEncoder(ws, c, buildBackbone(c), 0);
}
