/** A dataset as the trainer needs it: pixels in memory, split indices, labels, channel stats. */
import { channelStats, type ChannelStats } from '../augment';
import { gatherPixels, type PixelSource } from '../eval/embed';
import { classNames, datasetItems, readPixels, type DatasetRow } from '../../store/datasets';
import type { Workspace } from '../../store/workspace';

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

export function loadTrainData(ws: Workspace, row: DatasetRow): TrainData {
  const pixels = readPixels(ws, row);
  const items = datasetItems(ws, row.id);
  const labels = new Int32Array(items.length);
  const trainIdx: number[] = [];
  const testIdx: number[] = [];
  for (const it of items) {
    labels[it.idx] = it.label ?? -1;
    (it.split === 'train' ? trainIdx : testIdx).push(it.idx);
  }
  const trainPixels = gatherPixels({ pixels, size: row.imageSize, channels: row.channels }, trainIdx);
  return {
    datasetId: row.id,
    pixels,
    size: row.imageSize,
    channels: row.channels,
    trainIdx,
    testIdx,
    labels,
    numClasses: classNames(ws, row.id).length,
    stats: channelStats(trainPixels, row.channels),
  };
}

/** True when every train and test item has a label: kNN and the probe can run. */
export function isLabelled(d: TrainData): boolean {
  return d.numClasses >= 2 && d.testIdx.length > 0 && [...d.trainIdx, ...d.testIdx].every((i) => d.labels[i]! >= 0);
}
