/**
 * Collapse diagnostics (ml/eval/diagnostics.ts) of a run's encoder at its latest checkpoint, on
 * its backbone features of the test split (the train split when there is no test split); stored
 * in `evaluations` (kind 'diagnostics').
 */
import type { Control } from '../core/control';
import { CancelledError } from '../core/errors';
import type { Diagnostics, Split } from '../core/types';
import { ALIGN_IMAGES, effectiveRank, perDimensionStd, UNIFORMITY_ROWS, uniformityOf, viewAlignment } from '../ml/eval/diagnostics';
import { sampleOf } from '../ml/eval/monitor';
import { insertEvaluation, latestEvaluation } from '../store/evaluations';
import type { Workspace } from '../store/workspace';
import { runEmbeddings } from './embeddings';
import { encoderData, loadEncoder } from './encoder';
import { runContext } from './runContext';

/** The diagnostics of the run's latest checkpoint; stored (kind 'diagnostics') and returned. */
export async function runDiagnostics(ws: Workspace, runId: string, ctl: Control = {}): Promise<Diagnostics> {
  const c = runContext(ws, runId);
  const enc = await loadEncoder(ws, runId);
  try {
    const data = encoderData(enc, ws);
    const split: Split = data.testIdx.length > 0 ? 'test' : 'train';
    const e = await runEmbeddings(ws, runId, split, ctl);
    if (ctl.signal?.aborted) throw new CancelledError();
    ctl.progress?.log(`diagnostics of ${runId} on ${e.count} ${split} images`);
    const diagnostics: Diagnostics = {
      runId,
      epoch: e.epoch,
      alignment: await viewAlignment(enc.backbone, data, sampleOf(split === 'test' ? data.testIdx : data.trainIdx, ALIGN_IMAGES), data.stats, enc.config),
      uniformity: e.count >= 2 ? uniformityOf(e.features, e.count, e.dim) : Number.NaN,
      effectiveRank: effectiveRank(e.features, e.count, e.dim),
      dim: e.dim,
      perDimStd: perDimensionStd(e.features, e.count, e.dim),
    };
    insertEvaluation(ws, {
      runId,
      epoch: e.epoch,
      kind: 'diagnostics',
      params: { split, alpha: 2, t: 2, alignImages: Math.min(ALIGN_IMAGES, e.count), uniformityRows: Math.min(UNIFORMITY_ROWS, e.count), method: c.run.method },
      result: { ...diagnostics },
    });
    return diagnostics;
  } finally {
    enc.dispose();
  }
}

/**
 * The newest stored diagnostics of a run, if any; with `epoch`, only those of that epoch
 * (pass checkpointEpoch(ws, runId) for the latest checkpoint's).
 */
export function storedDiagnostics(ws: Workspace, runId: string, epoch?: number): Diagnostics | undefined {
  const r = latestEvaluation(ws, runId, 'diagnostics', {}, epoch);
  return r ? (r.result as unknown as Diagnostics) : undefined;
}
