import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSource } from '../../src-main/data/formats/detect';
import { importSource } from '../../src-main/tasks/import';
import { readItems, thumbnailPng } from '../../src-main/tasks/thumbnail';
import { getDataset, readPixels } from '../../src-main/store/datasets';
import { quiet, removeDir, solid, tempDir, tempWorkspace } from '../data/helpers';

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

describe('thumbnails from the pixel array', () => {
  it('reads single items and encodes them as PNG without re-decoding the source', async () => {
    mkdirSync(join(dir, 'a'));
    for (let i = 0; i < 4; i++) writeFileSync(join(dir, 'a', `${i}.png`), await solid('png', [i * 60, 10, 200 - i * 40]));
    const r = await importSource(wsx.ws, await openSource(dir), { size: 8 }, quiet);
    const row = getDataset(wsx.ws, r.id)!;
    const all = readPixels(wsx.ws, row);
    expect(readItems(wsx.ws, row, 2)).toEqual(all.subarray(2 * 192, 3 * 192));
    expect(readItems(wsx.ws, row, 1, 3)).toEqual(all.subarray(192, 4 * 192));
    expect(() => readItems(wsx.ws, row, 4)).toThrow(/outside 0\.\.3/);
    const png = await thumbnailPng(wsx.ws, row, 3, 4);
    const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height, info.channels]).toEqual([32, 32, 3]);
    expect(Array.from(data.subarray(0, 3))).toEqual(Array.from(all.subarray(3 * 192, 3 * 192 + 3)));
  });
});
