/**
 * The random-init baseline of an evaluation: the same protocol on the backbone a run starts
 * from (its config and seed, no training), stored under the run with params.baseline 'random'
 * at epoch 0 and reused when already stored.
 */
import type { Evaluation } from '../../core/types';
import { classNames } from '../../store/datasets';
import { insertEvaluation, latestEvaluation, toEvaluation } from '../../store/evaluations';
import type { Workspace } from '../../store/workspace';
import { encoderEmbeddings, type Embeddings, type EvalControl } from './embeddings';
import { randomEncoder } from './encoder';
import { runContext } from './evalCommon';

export async function randomBaseline(
  ws: Workspace,
  runId: string,
  kind: 'knn' | 'probe',
  /** The protocol's parameters: what a stored result must match. */
  params: Record<string, unknown>,
  /** Further parameters recorded with a new result (the optimiser, say). */
  recorded: Record<string, unknown>,
  score: (train: Embeddings, test: Embeddings, classes: string[]) => Promise<Record<string, unknown>>,
  ctl: EvalControl,
): Promise<Evaluation> {
  const stored = latestEvaluation(ws, runId, kind, { ...params, baseline: 'random' });
  if (stored) return toEvaluation(stored);
  const c = runContext(ws, runId);
  const enc = await randomEncoder(ws, runId);
  try {
    const train = await encoderEmbeddings(enc, ws, 'train', ctl);
    const test = await encoderEmbeddings(enc, ws, 'test', ctl);
    const result = await score(train, test, classNames(ws, c.dataset.id));
    return toEvaluation(insertEvaluation(ws, { runId, epoch: 0, kind, params: { ...params, ...recorded, baseline: 'random' }, result }));
  } finally {
    enc.dispose();
  }
}
