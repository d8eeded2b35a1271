/** A toy dataset in memory for the loop's tests. */
import type { TrainData } from '../../../src-main/ml/train/data';

/** 32 train and 8 test images of 8×8×3 in 2 classes. */
export function toyTrainData(): TrainData {
  const n = 40;
  const pixels = new Uint8Array(n * 8 * 8 * 3);
  let s = 7;
  for (let i = 0; i < pixels.length; i++) pixels[i] = (s = (Math.imul(s, 1103515245) + 12345) >>> 0) >>> 24;
  const labels = Int32Array.from({ length: n }, (_, i) => i % 2);
  return {
    datasetId: 'toy',
    pixels,
    size: 8,
    channels: 3,
    trainIdx: Array.from({ length: 32 }, (_, i) => i),
    testIdx: Array.from({ length: 8 }, (_, i) => 32 + i),
    labels,
    numClasses: 2,
    stats: { mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] },
  };
}
