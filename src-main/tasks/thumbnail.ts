import { closeSync, openSync, readSync } from 'node:fs';
import sharp from 'sharp';
import type { DatasetRow } from '../store/datasets';
import type { Workspace } from '../store/workspace';

/** The stored pixels of items [first, first + count), read from the dataset's array file without decoding anything. */
export function readItems(ws: Workspace, row: DatasetRow, first: number, count = 1): Uint8Array {
  if (!Number.isInteger(first) || first < 0 || count < 1 || first + count > row.numItems) {
    throw new RangeError(`${row.id}: items ${first}..${first + count - 1} are outside 0..${row.numItems - 1}`);
  }
  const bpi = row.imageSize * row.imageSize * row.channels;
  const out = new Uint8Array(bpi * count);
  const fd = openSync(ws.path(row.pixelsFile), 'r');
  try {
    let off = 0;
    while (off < out.length) {
      const n = readSync(fd, out, off, out.length - off, first * bpi + off);
      if (n === 0) throw new Error(`${ws.path(row.pixelsFile)}: ends before item ${first + count - 1}`);
      off += n;
    }
  } finally {
    closeSync(fd);
  }
  return out;
}

/** A PNG thumbnail of one item, from the same array training reads, scaled up by `scale` with nearest neighbour. */
export async function thumbnailPng(ws: Workspace, row: DatasetRow, index: number, scale = 1): Promise<Buffer> {
  const px = readItems(ws, row, index);
  const s = row.imageSize;
  let img = sharp(px, { raw: { width: s, height: s, channels: row.channels } });
  if (scale > 1) img = img.resize(s * scale, s * scale, { kernel: 'nearest' });
  return img.png().toBuffer();
}
