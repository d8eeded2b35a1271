/**
 * Confusion matrices of a classifier's predictions (kNN, the linear probe): rows are the true
 * class, columns the predicted class, entries counts. Per-class accuracy (recall) is a row's
 * diagonal over its sum; top-1 the trace over the total. Pure arrays, no tensors.
 */
import type { Confusion } from '../../core/types';

/** counts[t][p]: test rows of true class t predicted as p. Labels and predictions in [0, numClasses). */
export function confusionCounts(pred: ArrayLike<number>, labels: ArrayLike<number>, numClasses: number): number[][] {
  if (pred.length !== labels.length) throw new Error(`confusion: ${pred.length} predictions for ${labels.length} labels`);
  const counts = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  for (let i = 0; i < labels.length; i++) {
    const t = labels[i]!;
    const p = pred[i]!;
    if (!(t >= 0 && t < numClasses && p >= 0 && p < numClasses)) throw new Error(`confusion: row ${i} has label ${t} and prediction ${p}, outside 0..${numClasses - 1}`);
    counts[t]![p]! += 1;
  }
  return counts;
}

/**
 * Top-1 over all rows and accuracy per class name, from a confusion matrix; classes without
 * test rows are left out of perClass (their accuracy is undefined, not 0).
 */
export function accuracyOf(c: Confusion): { top1: number; perClass: Record<string, number> } {
  let total = 0;
  let correct = 0;
  const perClass: Record<string, number> = {};
  c.counts.forEach((row, t) => {
    const n = row.reduce((s, v) => s + v, 0);
    total += n;
    correct += row[t] ?? 0;
    if (n > 0) perClass[c.classes[t] ?? String(t)] = (row[t] ?? 0) / n;
  });
  return { top1: total > 0 ? correct / total : 0, perClass };
}

