/**
 * kNN and linear-probe evaluations of a run (the maths: ml/eval/knnEval.ts, ml/eval/probe.ts),
 * on its cached embeddings, stored in `evaluations`.
 *
 * Each protocol also runs on the random-init baseline: the same protocol on the backbone a run
 * starts from (its config and seed, no training), stored under the run with params.baseline
 * 'random' at epoch 0 and reused when already stored (with its confusion matrix: a row stored
 * before results had one is evaluated again). `…WithBaselines` adds that and the supervised
 * baseline run on the same dataset, when there is one. Each result holds top-1, per-class
 * accuracy and the confusion matrix (ml/eval/confusion.ts; rows true class, columns predicted).
 */
import type { Control } from '../core/control';
import type { Evaluation } from '../core/types';
import type { Embeddings } from '../ml/eval/embeddings';
import { checkKnnParams, scoreKnn, type KnnParams } from '../ml/eval/knnEval';
import { checkProbeParams, scoreProbe, type ProbeParams } from '../ml/eval/probe';
import { classNames } from '../store/datasets';
import { insertEvaluation, latestEvaluation, toEvaluation } from '../store/evaluations';
import type { Workspace } from '../store/workspace';
import { encoderEmbeddings, runEmbeddings } from './embeddings';
import { randomEncoder } from './encoder';
import { baselineRows, runContext, type BaselineRow } from './runContext';

/** An evaluation protocol: its kind, its checked parameters and how it scores a pair of embeddings. */
interface Protocol {
  kind: 'knn' | 'probe';
  /** The protocol's parameters: what a stored result must match. */
  params: Record<string, unknown>;
  /** Further parameters recorded with a new result (the optimiser, say). */
  recorded: Record<string, unknown>;
  score(train: Embeddings, test: Embeddings, classes: string[]): Promise<Record<string, unknown>>;
}

/** The protocol on the run's latest checkpoint; stored and returned. */
async function evaluateRun(ws: Workspace, runId: string, p: Protocol, ctl: Control): Promise<Evaluation> {
  const c = runContext(ws, runId);
  const train = await runEmbeddings(ws, runId, 'train', ctl);
  const test = await runEmbeddings(ws, runId, 'test', ctl);
  const result = await p.score(train, test, classNames(ws, c.dataset.id));
  return toEvaluation(insertEvaluation(ws, { runId, epoch: train.epoch, kind: p.kind, params: { ...p.params, ...p.recorded }, result }));
}

/** The protocol on the random-init encoder of the run's config; reused when already stored. */
async function evaluateRandom(ws: Workspace, runId: string, p: Protocol, ctl: Control): Promise<Evaluation> {
  const stored = latestEvaluation(ws, runId, p.kind, { ...p.params, baseline: 'random' });
  if (stored && stored.result['confusion'] !== undefined) return toEvaluation(stored);
  const c = runContext(ws, runId);
  const enc = await randomEncoder(ws, runId);
  try {
    const train = await encoderEmbeddings(enc, ws, 'train', ctl);
    const test = await encoderEmbeddings(enc, ws, 'test', ctl);
    const result = await p.score(train, test, classNames(ws, c.dataset.id));
    return toEvaluation(insertEvaluation(ws, { runId, epoch: 0, kind: p.kind, params: { ...p.params, ...p.recorded, baseline: 'random' }, result }));
  } finally {
    enc.dispose();
  }
}

/**
 * The run, its random-init encoder and the supervised baseline run of the same dataset (the
 * newest with a checkpoint; evaluated if it has no result with these params at its epoch).
 */
async function evaluateWithBaselines(ws: Workspace, runId: string, p: Protocol, ctl: Control): Promise<{ rows: BaselineRow[] }> {
  return {
    rows: await baselineRows(ws, runId, {
      run: (id) => evaluateRun(ws, id, p, ctl),
      random: (id) => evaluateRandom(ws, id, p, ctl),
      stored: (id, epoch) => latestEvaluation(ws, id, p.kind, { ...p.params, baseline: undefined }, epoch),
    }),
  };
}

function knnProtocol(params: KnnParams, ctl: Control): Protocol {
  const p = checkKnnParams(params);
  return { kind: 'knn', params: { ...p }, recorded: {}, score: (train, test, classes) => scoreKnn(train, test, classes, p, ctl) };
}

function probeProtocol(params: ProbeParams, ctl: Control): Protocol {
  const p = checkProbeParams(params);
  return { kind: 'probe', params: { ...p }, recorded: { optimizer: 'lbfgs' }, score: (train, test, classes) => scoreProbe(train, test, classes, p, ctl) };
}

/** The three calls of a protocol: on the run, on its random-init encoder, with the baselines. */
function calls<P>(protocol: (params: P, ctl: Control) => Protocol) {
  return {
    run: async (ws: Workspace, runId: string, params = {} as P, ctl: Control = {}): Promise<Evaluation> => evaluateRun(ws, runId, protocol(params, ctl), ctl),
    random: async (ws: Workspace, runId: string, params = {} as P, ctl: Control = {}): Promise<Evaluation> => evaluateRandom(ws, runId, protocol(params, ctl), ctl),
    withBaselines: async (ws: Workspace, runId: string, params = {} as P, ctl: Control = {}): Promise<{ rows: BaselineRow[] }> =>
      evaluateWithBaselines(ws, runId, protocol(params, ctl), ctl),
  };
}

const knn = calls<KnnParams>(knnProtocol);
const probe = calls<ProbeParams>(probeProtocol);

/** kNN of the run's latest checkpoint on its dataset's test split; stored and returned. */
export const evalKnn = knn.run;
/** kNN of the random-init encoder of the run's config; reused when already stored. */
export const evalKnnRandom = knn.random;
/** kNN of the run, its random-init encoder and the supervised baseline. */
export const evalKnnWithBaselines = knn.withBaselines;
/** The probe on the run's latest checkpoint; stored and returned. */
export const evalProbe = probe.run;
/** The probe on the random-init encoder of the run's config; reused when already stored. */
export const evalProbeRandom = probe.random;
/** The probe on the run, its random-init encoder and the supervised baseline. */
export const evalProbeWithBaselines = probe.withBaselines;
