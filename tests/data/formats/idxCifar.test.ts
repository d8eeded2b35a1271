import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSource } from '../../../src-main/data/formats/detect';
import { parseIdx } from '../../../src-main/data/formats/idx';
import { encodeIdx } from '../../../src-main/data/formats/idxWrite';
import { importSource } from '../../../src-main/tasks/import';
import { datasetItems, getDataset, readPixels } from '../../../src-main/store/datasets';
import { quiet, removeDir, tempDir, tempWorkspace } from '../helpers';

let dir: string;
let wsx: ReturnType<typeof tempWorkspace>;
beforeEach(() => {
  dir = tempDir();
  wsx = tempWorkspace();
});
afterEach(() => {
  removeDir(dir);
  wsx.cleanup();
});

/** n images of side×side where image i is filled with value i*10, labels i % 3. */
function idxPair(prefix: string, n: number, side: number, gz: boolean): void {
  const images = new Uint8Array(n * side * side);
  for (let i = 0; i < n; i++) images.fill(i * 10, i * side * side, (i + 1) * side * side);
  const labels = Uint8Array.from({ length: n }, (_, i) => i % 3);
  const enc = (b: Buffer) => (gz ? gzipSync(b) : b);
  const ext = gz ? '.gz' : '';
  writeFileSync(join(dir, `${prefix}-images-idx3-ubyte${ext}`), enc(encodeIdx([n, side, side], images)));
  writeFileSync(join(dir, `${prefix}-labels-idx1-ubyte${ext}`), enc(encodeIdx([n], labels)));
}

describe('IDX import', () => {
  it('keeps train/t10k, reads classes.txt, gzip or not, and stores exact pixels at the native size', async () => {
    idxPair('train', 6, 28, true);
    idxPair('t10k', 3, 28, false);
    writeFileSync(join(dir, 'classes.txt'), 'zero\none\ntwo\n');
    const r = await importSource(wsx.ws, await openSource(dir), { size: 28, grayscale: true }, quiet);
    expect(r.sourceKind).toBe('idx');
    expect(r.classes).toEqual(['zero', 'one', 'two']);
    expect(r.splits).toEqual({ train: 6, test: 3 });
    const px = readPixels(wsx.ws, getDataset(wsx.ws, r.id)!);
    const items = datasetItems(wsx.ws, r.id);
    const i = items.findIndex((it) => it.sourcePath === 'train-images-idx3-ubyte.gz#4');
    expect(items[i]!.label).toBe(1);
    expect(px[i * 28 * 28]).toBe(40);
    expect(px[(i + 1) * 28 * 28 - 1]).toBe(40);
  });

  it('imports a single images file with its labels beside it, split by seed', async () => {
    idxPair('train', 10, 8, false);
    const r = await importSource(wsx.ws, await openSource(join(dir, 'train-images-idx3-ubyte')), { size: 8 }, quiet);
    expect(r.classes).toEqual(['0', '1', '2']);
    expect(r.channels).toBe(3);
    expect(r.splits.train + r.splits.test).toBe(10);
    expect(r.splits.test).toBeGreaterThan(0);
  });

  it('names the file when it is truncated, mismatched or not IDX', async () => {
    const good = encodeIdx([2, 4, 4], new Uint8Array(32));
    expect(() => parseIdx(good.subarray(0, good.length - 1), 'x.idx')).toThrow(/x\.idx: IDX header promises 2×4×4 = 32 bytes, file has 31/);
    expect(() => parseIdx(Buffer.from('PK..'), 'y.idx')).toThrow(/y\.idx: not an IDX file/);
    writeFileSync(join(dir, 'train-images-idx3-ubyte'), good);
    writeFileSync(join(dir, 'train-labels-idx1-ubyte'), encodeIdx([3], new Uint8Array(3)));
    await expect(openSource(dir)).rejects.toThrow(/train-labels-idx1-ubyte: 3 labels do not match the 2 images/);
    writeFileSync(join(dir, 'train-images-idx3-ubyte'), gzipSync(good).subarray(0, 20));
    await expect(openSource(join(dir, 'train-images-idx3-ubyte'))).rejects.toThrow(/train-images-idx3-ubyte: corrupt or truncated gzip/);
  });
});

/** CIFAR-10 record: label, then the red, green and blue 32×32 planes. */
function cifarRecord(label: number, r: number, g: number, b: number, extraLabel?: number): Buffer {
  const head = extraLabel === undefined ? [label] : [extraLabel, label];
  return Buffer.concat([Buffer.from(head), Buffer.alloc(1024, r), Buffer.alloc(1024, g), Buffer.alloc(1024, b)]);
}

describe('CIFAR binary import', () => {
  it('reads CIFAR-10 batches: planes to HWC, official names, train/test from file names', async () => {
    writeFileSync(join(dir, 'data_batch_1.bin'), Buffer.concat([cifarRecord(3, 10, 20, 30), cifarRecord(9, 1, 2, 3)]));
    writeFileSync(join(dir, 'test_batch.bin'), cifarRecord(0, 100, 110, 120));
    const r = await importSource(wsx.ws, await openSource(dir), {}, quiet);
    expect(r.sourceKind).toBe('cifar');
    expect(r.classes[3]).toBe('cat');
    expect(r.perClass).toEqual({ cat: { train: 1, test: 0 }, truck: { train: 1, test: 0 }, airplane: { train: 0, test: 1 } });
    const px = readPixels(wsx.ws, getDataset(wsx.ws, r.id)!);
    expect(Array.from(px.subarray(0, 6))).toEqual([10, 20, 30, 10, 20, 30]);
    expect(Array.from(px.subarray(2 * 3072, 2 * 3072 + 3))).toEqual([100, 110, 120]);
  });

  it('reads CIFAR-100 fine labels with fine_label_names.txt, from the official subfolder', async () => {
    const sub = join(dir, 'cifar-100-binary');
    (await import('node:fs')).mkdirSync(sub);
    writeFileSync(join(sub, 'train.bin'), Buffer.concat([cifarRecord(1, 5, 5, 5, 7), cifarRecord(0, 6, 6, 6, 7)]));
    writeFileSync(join(sub, 'test.bin'), cifarRecord(1, 7, 7, 7, 2));
    writeFileSync(join(sub, 'fine_label_names.txt'), 'apple\naquarium_fish\n');
    const r = await importSource(wsx.ws, await openSource(dir), {}, quiet);
    expect(r.classes).toEqual(['apple', 'aquarium_fish']);
    expect(r.perClass).toEqual({ aquarium_fish: { train: 1, test: 1 }, apple: { train: 1, test: 0 } });
  });

  it('names a batch that is not whole records', async () => {
    writeFileSync(join(dir, 'data_batch_1.bin'), Buffer.concat([cifarRecord(1, 1, 1, 1), Buffer.alloc(10)]));
    await expect(openSource(join(dir, 'data_batch_1.bin'))).rejects.toThrow(/data_batch_1\.bin: 3083 bytes is not a whole number of 3073-byte CIFAR-10 records/);
  });
});
