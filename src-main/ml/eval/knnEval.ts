/**
 * kNN evaluation maths (Wu et al. 2018, the standard SSL monitor as in solo-learn's
 * WeightedKNNClassifier): the train split's backbone features are the memory bank, the test
 * split the queries; cosine similarity, the k nearest, votes weighted exp(s/T) — knnPredict
 * from losses/knn.ts, in chunks of test rows. Rows without a label are left out of both.
 * tasks/evaluate.ts runs it on a run's embeddings and stores the result.
 */
import type { Control } from '../../core/control';
import * as tf from '@tensorflow/tfjs-core';
import { CancelledError, PretextError } from '../../core/errors';
import { knnPredict } from '../losses';
import { labelledRows, perClassAccuracy } from './accuracy';
import type { Embeddings } from './embeddings';

export interface KnnParams {
  k?: number;
  temperature?: number;
}

/** Test rows per kNN chunk: bounds the chunk × train similarity matrix (512 × 60k floats = 123 MB). */
const CHUNK = 512;

/**
 * Predicted class of each test row. trainF is trainL.length × D and testF is rows × D,
 * row-major; every train label must be in [0, numClasses).
 */
export async function knnClassify(
  trainF: Float32Array,
  trainL: Int32Array,
  testF: Float32Array,
  numClasses: number,
  k: number,
  temperature: number,
  ctl: Control = {},
): Promise<Int32Array> {
  const n = trainL.length;
  if (n === 0) throw new Error('kNN: no train rows');
  const dim = trainF.length / n;
  if (!Number.isInteger(dim) || testF.length % dim !== 0) throw new Error(`kNN: ${trainF.length} train and ${testF.length} test values do not split into rows of one width`);
  const rows = testF.length / dim;
  const out = new Int32Array(rows);
  const [bank, labels] = tf.tidy(() => [tf.tensor2d(trainF, [n, dim]), tf.tensor1d(trainL, 'int32')] as const);
  try {
    ctl.progress?.start('kNN', rows, 'query');
    for (let start = 0; start < rows; start += CHUNK) {
      if (ctl.signal?.aborted) throw new CancelledError();
      const m = Math.min(CHUNK, rows - start);
      const pred = tf.tidy(() => {
        const q = tf.tensor2d(testF.subarray(start * dim, (start + m) * dim), [m, dim]);
        return knnPredict(bank, labels, q, numClasses, Math.min(k, n), temperature);
      });
      try {
        out.set((await pred.data()) as Int32Array, start);
      } finally {
        pred.dispose();
      }
      ctl.progress?.update(start + m);
      await new Promise<void>((r) => setImmediate(r));
    }
    ctl.progress?.finish();
  } finally {
    tf.dispose([bank, labels]);
  }
  return out;
}

/** kNN top-1 accuracy (0..1) of labelled test features against labelled train features. */
export async function knnTop1(
  trainF: Float32Array,
  trainL: Int32Array,
  testF: Float32Array,
  testL: Int32Array,
  numClasses: number,
  k: number,
  temperature: number,
  ctl: Control = {},
): Promise<number> {
  const pred = await knnClassify(trainF, trainL, testF, numClasses, k, temperature, ctl);
  let correct = 0;
  for (let i = 0; i < pred.length; i++) if (pred[i] === testL[i]) correct++;
  return correct / pred.length;
}

export function checkKnnParams(p: KnnParams): { k: number; temperature: number } {
  const k = p.k ?? 200;
  const temperature = p.temperature ?? 0.1;
  if (!Number.isInteger(k) || k < 1) throw new PretextError(`kNN k must be a positive integer, got ${k}`);
  if (!(temperature > 0) || !Number.isFinite(temperature)) throw new PretextError(`kNN temperature must be > 0, got ${temperature}`);
  return { k, temperature };
}

/** kNN result of a pair of embeddings (train as the bank, test as queries). */
export async function scoreKnn(train: Embeddings, test: Embeddings, classes: string[], p: { k: number; temperature: number }, ctl: Control = {}) {
  const t0 = performance.now();
  const tr = labelledRows(train, 'train');
  const te = labelledRows(test, 'test');
  const pred = await knnClassify(tr.features, tr.labels, te.features, classes.length, p.k, p.temperature, ctl);
  const { top1, perClass, confusion } = perClassAccuracy(pred, te.labels, classes);
  return { top1, perClass, confusion, seconds: (performance.now() - t0) / 1000, trainCount: tr.labels.length, testCount: te.labels.length };
}
