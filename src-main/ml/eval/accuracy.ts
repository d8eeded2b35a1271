/** Pieces the kNN and probe scores share: the labelled rows of an embeddings set, per-class results. */
import { PretextError } from '../../core/errors';
import type { Confusion, Split } from '../../core/types';
import { accuracyOf, confusionCounts } from './confusion';
import type { Embeddings } from './embeddings';

/** The rows of an embeddings set that have a label; an error naming the run when there are none. */
export function labelledRows(e: Embeddings, split: Split): { features: Float32Array; labels: Int32Array } {
  let n = 0;
  for (const l of e.labels) if (l >= 0) n++;
  if (n === 0) throw new PretextError(`run ${e.runId}: the ${split} split has no labelled images; kNN and the probe need labels`);
  if (n === e.count) return { features: e.features, labels: e.labels };
  const features = new Float32Array(n * e.dim);
  const labels = new Int32Array(n);
  let j = 0;
  for (let i = 0; i < e.count; i++) {
    if (e.labels[i]! < 0) continue;
    features.set(e.features.subarray(i * e.dim, (i + 1) * e.dim), j * e.dim);
    labels[j++] = e.labels[i]!;
  }
  return { features, labels };
}

/**
 * Top-1 over all rows, accuracy per class name (classes absent from the test rows are left
 * out) and the confusion matrix (rows: true class, columns: predicted, counts).
 */
export function perClassAccuracy(pred: Int32Array, labels: Int32Array, classes: string[]): { top1: number; perClass: Record<string, number>; confusion: Confusion } {
  const confusion = { classes, counts: confusionCounts(pred, labels, classes.length) };
  return { ...accuracyOf(confusion), confusion };
}
