import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ItemRecord } from '../../src-main/data/types';
import { PIXELS_FILE, commitDataset } from '../../src-main/store/datasets';
import type { Workspace } from '../../src-main/store/workspace';

/**
 * A small labelled dataset with learnable structure: class c has a bright square in quadrant c
 * on a noisy background. Returns the dataset id.
 */
export function makeToyDataset(ws: Workspace, opts: { size?: number; channels?: 1 | 3; perClassTrain?: number; perClassTest?: number; classes?: number; seed?: number } = {}): string {
  const size = opts.size ?? 8;
  const channels = opts.channels ?? 3;
  const classes = opts.classes ?? 4;
  const perTrain = opts.perClassTrain ?? 12;
  const perTest = opts.perClassTest ?? 6;
  let s = (opts.seed ?? 1) >>> 0;
  const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const items: ItemRecord[] = [];
  const per = size * size * channels;
  const total = classes * (perTrain + perTest);
  const pixels = new Uint8Array(total * per);
  let n = 0;
  for (const split of ['train', 'test'] as const) {
    for (let c = 0; c < classes; c++) {
      for (let k = 0; k < (split === 'train' ? perTrain : perTest); k++) {
        const half = size / 2;
        const qx = (c % 2) * half;
        const qy = Math.floor(c / 2) % 2 * half;
        for (let y = 0; y < size; y++) {
          for (let x = 0; x < size; x++) {
            const inside = x >= qx && x < qx + half && y >= qy && y < qy + half;
            for (let ch = 0; ch < channels; ch++) {
              pixels[n * per + (y * size + x) * channels + ch] = Math.min(255, Math.floor((inside ? 180 : 30) + rnd() * 60));
            }
          }
        }
        items.push({ sourcePath: `${split}/${c}/${k}.png`, label: c, split, contentHash: `h${n}` });
        n++;
      }
    }
  }
  const dir = ws.makeTmp('toy');
  writeFileSync(join(dir, PIXELS_FILE), pixels);
  return commitDataset(
    ws,
    {
      name: `toy-${opts.seed ?? 1}`,
      source: 'generated',
      sourceKind: 'folder',
      fingerprint: `toy-${size}-${channels}-${classes}-${perTrain}-${perTest}-${opts.seed ?? 1}`,
      imageSize: size,
      channels,
      classNames: Array.from({ length: classes }, (_, c) => `class${c}`),
      items,
      failures: [],
    },
    dir,
  ).id;
}
