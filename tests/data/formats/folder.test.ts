import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSource } from '../../../src-main/data/formats/detect';
import { readFolder } from '../../../src-main/data/formats/folder';
import { importSource } from '../../../src-main/tasks/import';
import { datasetItems, getDataset, readPixels } from '../../../src-main/store/datasets';
import { bombPng, quiet, removeDir, solid, tempDir, tempWorkspace } from '../helpers';

let root: string;
let wsx: ReturnType<typeof tempWorkspace>;

beforeEach(() => {
  root = tempDir();
  wsx = tempWorkspace();
});
afterEach(() => {
  removeDir(root);
  wsx.cleanup();
});

async function put(rel: string, data: Buffer | Promise<Buffer>): Promise<void> {
  const full = join(root, rel);
  mkdirSync(join(full, '..'), { recursive: true });
  writeFileSync(full, await data);
}

describe('folder import', () => {
  it('reads ImageFolder classes, sorted, with a seeded 80/20 split', async () => {
    for (let i = 0; i < 10; i++) await put(`dog/d${i}.png`, solid('png', [200, 0, 0]));
    for (let i = 0; i < 5; i++) await put(`cat/sub/c${i}.jpg`, solid('jpeg', [0, 0, 200]));
    await put('notes.txt', Promise.resolve(Buffer.from('ignored: not an image name')));
    const r = await importSource(wsx.ws, await openSource(root), {}, quiet);
    expect(r.classes).toEqual(['cat', 'dog']);
    expect(r.imported).toBe(15);
    expect(r.failed).toEqual([]);
    expect(r.perClass).toEqual({ cat: { train: 4, test: 1 }, dog: { train: 8, test: 2 } });
    const row = getDataset(wsx.ws, r.id)!;
    expect(row.meta['split']).toMatch(/seeded stratified 80\/20/);
    const px = readPixels(wsx.ws, row);
    const items = datasetItems(wsx.ws, r.id);
    // Items follow the sorted paths: cat/ first (blue), then dog/ (red).
    expect(items[0]!.sourcePath).toBe('cat/sub/c0.jpg');
    expect(px[2]).toBeGreaterThan(180);
    expect(px[14 * 32 * 32 * 3]).toBeGreaterThan(180);
  });

  it('keeps train/ and test/ (or val/) as the splits', async () => {
    await put('train/a/1.png', solid('png', [1, 1, 1]));
    await put('train/b/2.png', solid('png', [2, 2, 2]));
    await put('val/a/3.png', solid('png', [3, 3, 3]));
    const src = await readFolder(root);
    expect(src.meta['layout']).toBe('imagefolder-splits');
    const r = await importSource(wsx.ws, src, {}, quiet);
    expect(r.splits).toEqual({ train: 2, test: 1 });
    expect(r.perClass).toEqual({ a: { train: 1, test: 1 }, b: { train: 1, test: 0 } });
    expect(getDataset(wsx.ws, r.id)!.meta['split']).toBe('source');
  });

  it('imports a flat folder as unlabelled', async () => {
    for (let i = 0; i < 5; i++) await put(`${i}.webp`, solid('webp', [i, i, i]));
    const r = await importSource(wsx.ws, await openSource(root), { grayscale: true, size: 8 }, quiet);
    expect(r.classes).toEqual([]);
    expect(r.perClass).toEqual({ '(unlabelled)': { train: 4, test: 1 } });
    expect(r.channels).toBe(1);
    expect(readPixels(wsx.ws, getDataset(wsx.ws, r.id)!).length).toBe(5 * 8 * 8);
  });

  it('reports every bad file by name and reason and imports the rest', async () => {
    await put('a/good.png', solid('png', [10, 200, 10]));
    await put('a/empty.png', Promise.resolve(Buffer.alloc(0)));
    const jpg = await solid('jpeg', [5, 5, 5], 300, 300);
    await put('a/cut.jpg', Promise.resolve(jpg.subarray(0, 400)));
    const png = await solid('png', [5, 5, 5], 300, 300);
    await put('a/cut.png', Promise.resolve(png.subarray(0, png.length - 40)));
    await put('a/text.png', Promise.resolve(Buffer.from('hello, I am text\n')));
    await put('a/bomb.png', Promise.resolve(bombPng(50_000, 50_000)));
    await put('b/good.png', solid('png', [10, 10, 200]));
    mkdirSync(join(root, 'b', 'folder.png'));
    execFileSync('mkfifo', [join(root, 'b', 'pipe.png')]);
    symlinkSync(join(root, 'b', 'loop.png'), join(root, 'b', 'loop.png'));
    symlinkSync(root, join(root, 'b', 'back-to-root'));
    symlinkSync(join(root, 'missing.png'), join(root, 'b', 'dangling.png'));
    const badName = Buffer.concat([Buffer.from(join(root, 'b') + '/bad-'), Buffer.from([0xff, 0xfe]), Buffer.from('.png')]);
    writeFileSync(badName, await solid('png', [1, 2, 3]));
    const r = await importSource(wsx.ws, await openSource(root), {}, quiet);
    const reasons = Object.fromEntries(r.failed.map((f) => [f.file, f.reason]));
    expect(reasons['a/empty.png']).toMatch(/empty file/);
    expect(reasons['a/cut.jpg']).toMatch(/truncated or corrupt (jpeg|png) data/);
    expect(reasons['a/cut.png']).toMatch(/truncated or corrupt (jpeg|png) data/);
    expect(reasons['a/text.png']).toMatch(/not an image/);
    expect(reasons['a/bomb.png']).toMatch(/pixel limit/);
    expect(reasons['b/folder.png']).toMatch(/is a directory/);
    expect(reasons['b/pipe.png']).toMatch(/not a regular file/);
    expect(reasons['b/loop.png']).toMatch(/symlink loop/);
    expect(reasons['b/back-to-root']).toMatch(/symlink loop/);
    expect(reasons['b/dangling.png']).toMatch(/no such file|broken symlink/);
    expect(reasons['b/bad-\\xff\\xfe.png']).toMatch(/not valid UTF-8/);
    expect(r.imported).toBe(2);
    expect(r.classes).toEqual(['a', 'b']);
  });

  it('reports an unreadable file (skipped when running as root, which reads anything)', async (ctx) => {
    if (process.getuid?.() === 0) {
      ctx.skip('running as root: chmod 000 does not stop root from reading; the FIFO and directory cases cover unreadable paths');
    }
    await put('a/ok.png', solid('png', [1, 1, 1]));
    await put('a/locked.png', solid('png', [1, 1, 1]));
    chmodSync(join(root, 'a', 'locked.png'), 0o000);
    const r = await importSource(wsx.ws, await openSource(root), {}, quiet);
    expect(r.failed).toEqual([{ file: 'a/locked.png', reason: expect.stringMatching(/permission denied/) }]);
  });

  it('refuses a path that does not exist, and a folder with no images', async () => {
    await expect(openSource(join(root, 'nope'))).rejects.toThrow(/nope: no such file or folder/);
    await put('readme.txt', Promise.resolve(Buffer.from('no images here')));
    await expect(importSource(wsx.ws, await openSource(root), {}, quiet)).rejects.toThrow(/holds no image/);
  });

  it('refuses a folder whose images all fail, listing why', async () => {
    await put('x.png', Promise.resolve(Buffer.from('text')));
    await expect(importSource(wsx.ws, await openSource(root), {}, quiet)).rejects.toThrow(/none of its 1 images could be decoded:\n {2}x\.png: not an image/);
    expect(wsx.ws.db.prepare('SELECT COUNT(*) AS n FROM datasets').get()).toEqual({ n: 0 });
  });
});
