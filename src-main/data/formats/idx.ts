import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import type { Split } from '../../core/types';
import { diskAccess, type FileAccess } from './access';
import { readClassNames } from './classNames';
import type { RawEntry, Source } from '../types';

const gunzipAsync = promisify(gunzip);
/** Inflated size cap for one IDX file (Fashion-MNIST train images are 47 MB). */
const MAX_IDX_BYTES = 2 * 1024 ** 3;

export const IDX_IMAGES = /^(train|t10k|test)-images[.-]idx3-ubyte(\.gz)?$/i;

export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

/** Reads an IDX file (gzip or not): magic 0,0,type,ndims, big-endian uint32 dims, data. */
export async function readIdx(path: string, access: FileAccess = diskAccess): Promise<IdxArray> {
  let buf: Buffer = await access.read(path);
  if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) {
    try {
      buf = await gunzipAsync(buf, { maxOutputLength: MAX_IDX_BYTES });
    } catch (err) {
      throw new Error(`${path}: corrupt or truncated gzip data (${(err as Error).message})`);
    }
  }
  return parseIdx(buf, path);
}

export function parseIdx(buf: Uint8Array, path: string): IdxArray {
  if (buf.length < 4 || buf[0] !== 0 || buf[1] !== 0) throw new Error(`${path}: not an IDX file (bad magic number)`);
  if (buf[2] !== 0x08) throw new Error(`${path}: IDX element type 0x${buf[2]!.toString(16)} is not supported (only unsigned bytes, 0x08)`);
  const ndims = buf[3]!;
  if (ndims < 1 || ndims > 4 || buf.length < 4 + 4 * ndims) throw new Error(`${path}: bad IDX header (${ndims} dimensions)`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const dims = Array.from({ length: ndims }, (_, i) => view.getUint32(4 + 4 * i, false));
  const count = dims.reduce((a, b) => a * b, 1);
  const start = 4 + 4 * ndims;
  if (buf.length - start !== count) {
    throw new Error(`${path}: IDX header promises ${dims.join('×')} = ${count} bytes, file has ${buf.length - start} (truncated or corrupt)`);
  }
  return { dims, data: buf.subarray(start) };
}

function labelsPathFor(images: string): string {
  return join(dirname(images), basename(images).replace(/images/i, 'labels').replace(/idx3/i, 'idx1'));
}

function splitFor(file: string): Split {
  return /^train/i.test(basename(file)) ? 'train' : 'test';
}

const FASHION = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

/**
 * MNIST-style IDX files: a folder holding train-/t10k-images-idx3-ubyte and matching
 * -labels-idx1-ubyte (gzip or not), or one images file with its labels file beside it.
 * The files' own train/t10k split is kept when both are there. Class names come from a
 * classes.txt beside the files, else Fashion-MNIST's when the path says "fashion", else
 * the label numbers.
 */
export async function readIdxSource(path: string, isDir: boolean, access: FileAccess = diskAccess): Promise<Source> {
  const dir = isDir ? path : dirname(path);
  const imageFiles = isDir ? (await access.list(dir)).filter((f) => IDX_IMAGES.test(f)).sort().map((f) => join(dir, f)) : [path];
  if (imageFiles.length === 0) throw new Error(`${path}: no *-images-idx3-ubyte files`);
  // One file per split: prefer the uncompressed copy when both exist.
  const bySplit = new Map<Split, string>();
  for (const f of imageFiles) if (!bySplit.has(splitFor(f)) || !f.endsWith('.gz')) bySplit.set(splitFor(f), f);
  const keepSplit = bySplit.size === 2;
  const entries: RawEntry[] = [];
  let maxLabel = -1;
  const parts: { file: string; split: Split; images: IdxArray; labels: IdxArray }[] = [];
  for (const [split, file] of bySplit) {
    const images = await readIdx(file, access);
    const labelsFile = labelsPathFor(file);
    const labels = await readIdx(labelsFile, access).catch((err: NodeJS.ErrnoException) => {
      throw err.code === 'ENOENT' ? new Error(`${file}: its labels file ${labelsFile} is missing`) : err;
    });
    const [n, , , c = 1] = images.dims as [number, number, number, number?];
    if (images.dims.length < 3 || (c !== 1 && c !== 3)) throw new Error(`${file}: expected N×H×W (or N×H×W×C) images, found ${images.dims.join('×')}`);
    if (labels.dims.length !== 1 || labels.dims[0] !== n) {
      throw new Error(`${labelsFile}: ${labels.dims.join('×')} labels do not match the ${n} images of ${file}`);
    }
    for (const l of labels.data) maxLabel = Math.max(maxLabel, l);
    parts.push({ file, split, images, labels });
  }
  const fromFile = await readClassNames(join(dir, 'classes.txt'), access);
  const classNames =
    fromFile ?? (/fashion/i.test(path) && maxLabel <= 9 ? FASHION : Array.from({ length: maxLabel + 1 }, (_, i) => String(i)));
  if (classNames.length <= maxLabel) throw new Error(`${join(dir, 'classes.txt')}: lists ${classNames.length} classes, labels go up to ${maxLabel}`);
  for (const { file, split, images, labels } of parts) {
    const [n, h, w, c = 1] = images.dims as [number, number, number, number?];
    const per = h * w * c;
    for (let i = 0; i < n; i++) {
      entries.push({
        kind: 'raw',
        file: `${basename(file)}#${i}`,
        className: classNames[labels.data[i]!]!,
        split: keepSplit ? split : null,
        width: w,
        height: h,
        channels: c as 1 | 3,
        pixels: () => images.data.subarray(i * per, (i + 1) * per),
      });
    }
  }
  return { kind: 'idx', path, entries, failures: [], classNames, meta: { files: [...bySplit.values()].map((f) => basename(f)) } };
}
