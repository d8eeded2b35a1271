import { describe, expect, it } from 'vitest';
import { perClassAccuracy } from '../../../src-main/ml/eval/accuracy';
import { accuracyOf, confusionCounts } from '../../../src-main/ml/eval/confusion';

describe('confusion matrices', () => {
  // 3 classes, 9 rows. True:      0 0 0 0 1 1 1 2 2
  //                    Predicted: 0 0 1 2 1 1 0 2 2
  const labels = Int32Array.from([0, 0, 0, 0, 1, 1, 1, 2, 2]);
  const pred = Int32Array.from([0, 0, 1, 2, 1, 1, 0, 2, 2]);

  it('counts rows by true class and columns by predicted class', () => {
    expect(confusionCounts(pred, labels, 3)).toEqual([
      [2, 1, 1],
      [1, 2, 0],
      [0, 0, 2],
    ]);
  });

  it('per-class accuracy is the diagonal over the row sum; top-1 the trace over the total', () => {
    const r = perClassAccuracy(pred, labels, ['cat', 'dog', 'eel']);
    expect(r.top1).toBeCloseTo(6 / 9, 12);
    expect(r.perClass).toEqual({ cat: 0.5, dog: 2 / 3, eel: 1 });
    expect(r.confusion).toEqual({ classes: ['cat', 'dog', 'eel'], counts: confusionCounts(pred, labels, 3) });
    // The matrix says the same as a direct count.
    const direct = labels.reduce((s, l, i) => s + (pred[i] === l ? 1 : 0), 0) / labels.length;
    expect(accuracyOf(r.confusion).top1).toBe(direct);
  });

  it('leaves classes without test rows out of perClass (not 0 %)', () => {
    const r = perClassAccuracy(Int32Array.from([0, 2]), Int32Array.from([0, 0]), ['a', 'b', 'c']);
    expect(r.perClass).toEqual({ a: 0.5 });
    expect(r.confusion.counts).toEqual([
      [1, 0, 1],
      [0, 0, 0],
      [0, 0, 0],
    ]);
  });

  it('refuses labels or predictions outside the classes and mismatched lengths', () => {
    expect(() => confusionCounts([0, 3], [0, 1], 3)).toThrow(/row 1 .*prediction 3/);
    expect(() => confusionCounts([0], [0, 1], 3)).toThrow(/1 predictions for 2 labels/);
  });

});
