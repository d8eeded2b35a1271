/**
 * A dataset as the training loop needs it: pixels in memory, split indices, labels, channel
 * stats (src-main/tasks/trainData.ts loads it from the workspace).
 */
import type { ChannelStats } from '../augment';
import type { PixelSource } from '../eval/embed';

export interface TrainData extends PixelSource {
  datasetId: string;
  trainIdx: number[];
  testIdx: number[];
  /** Label of every item (−1: unlabelled). */
  labels: Int32Array;
  numClasses: number;
  /** Per-channel mean/std of the train split, for normalisation. */
  stats: ChannelStats;
}

/** True when every train and test item has a label: kNN and the probe can run. */
export function isLabelled(d: TrainData): boolean {
  return d.numClasses >= 2 && d.testIdx.length > 0 && [...d.trainIdx, ...d.testIdx].every((i) => d.labels[i]! >= 0);
}
