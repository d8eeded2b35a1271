/** A dataset of the workspace as training needs it (ml/train/data.ts's TrainData): pixels in memory, splits, labels, stats. */
import { channelStats } from '../ml/augment';
import { gatherPixels } from '../ml/eval/embed';
import type { TrainData } from '../ml/train/data';
import { classNames, datasetItems, readPixels, type DatasetRow } from '../store/datasets';
import type { Workspace } from '../store/workspace';

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
