/**
 * A run's backbone features of a dataset split (ml/eval/embeddings.ts computes them).
 *
 * `runEmbeddings` caches them in the workspace keyed by (run, epoch, split) — store/embeddings.ts:
 * a file under runs/<id>/embeddings/ and a row in `embeddings`; a second call reads the file.
 * `encoderEmbeddings` computes them for any encoder (the random-init baseline) without caching.
 */
import type { Control } from '../core/control';
import { noSuch, PretextError } from '../core/errors';
import type { Split } from '../core/types';
import { embedRows, type Embeddings } from '../ml/eval/embeddings';
import { loadCachedEmbeddings, saveEmbeddings } from '../store/embeddings';
import { getRun } from '../store/runs';
import type { Workspace } from '../store/workspace';
import { checkpointEpoch, encoderData, loadEncoder, type Encoder } from './encoder';

/** Features of every image of `split` through the encoder's backbone; not cached. */
export async function encoderEmbeddings(enc: Encoder, ws: Workspace, split: Split, ctl: Control = {}): Promise<Embeddings> {
  const data = encoderData(enc, ws);
  const idx = split === 'train' ? data.trainIdx : data.testIdx;
  if (idx.length === 0) throw new PretextError(`dataset ${enc.dataset.id} (${enc.dataset.name}) has no ${split} split`);
  return embedRows(enc.backbone, data, idx, enc.stats, { runId: enc.runId, epoch: enc.epoch, split }, ctl);
}

/**
 * The run's features of `split` at its latest checkpoint, from the workspace cache when they are
 * there, else computed (progress per batch) and cached.
 */
export async function runEmbeddings(ws: Workspace, runId: string, split: Split, ctl: Control = {}): Promise<Embeddings> {
  if (!getRun(ws, runId)) throw noSuch('run', runId);
  const epoch = checkpointEpoch(ws, runId);
  if (epoch === undefined) throw new PretextError(`run ${runId} has no checkpoint yet (train it first)`);
  const cached = loadCachedEmbeddings(ws, runId, epoch, split);
  if (cached) return cached;
  const enc = await loadEncoder(ws, runId);
  try {
    const t0 = performance.now();
    const e = await encoderEmbeddings(enc, ws, split, ctl);
    saveEmbeddings(ws, e, (performance.now() - t0) / 1000);
    return e;
  } finally {
    enc.dispose();
  }
}
