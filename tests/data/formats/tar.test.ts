import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSource } from '../../../src-main/data/formats/detect';
import { importSource } from '../../../src-main/tasks/import';
import { readTar } from '../../../src-main/data/formats/tar';
import { getDataset, readPixels } from '../../../src-main/store/datasets';
import { buildTar, quiet, removeDir, solid, tempDir, tempWorkspace } from '../helpers';

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

function cifarRecord(label: number, r: number, g: number, b: number): Buffer {
  return Buffer.concat([Buffer.from([label]), Buffer.alloc(1024, r), Buffer.alloc(1024, g), Buffer.alloc(1024, b)]);
}

describe('tar import', () => {
  it('reads the official CIFAR-10 binary archive layout from a .tar.gz', async () => {
    const tgz = gzipSync(
      buildTar([
        { name: 'cifar-10-batches-bin/', type: '5' },
        { name: 'cifar-10-batches-bin/batches.meta.txt', data: Buffer.from('plane\ncar\n') },
        { name: 'cifar-10-batches-bin/data_batch_1.bin', data: Buffer.concat([cifarRecord(1, 9, 8, 7), cifarRecord(0, 1, 2, 3)]) },
        { name: 'cifar-10-batches-bin/test_batch.bin', data: cifarRecord(1, 4, 5, 6) },
      ]),
    );
    const path = join(dir, 'cifar-10-binary.tar.gz');
    writeFileSync(path, tgz);
    const r = await importSource(wsx.ws, await openSource(path), {}, quiet);
    expect(r.sourceKind).toBe('cifar');
    expect(r.classes).toEqual(['plane', 'car']);
    expect(r.perClass).toEqual({ car: { train: 1, test: 1 }, plane: { train: 1, test: 0 } });
    expect(Array.from(readPixels(wsx.ws, getDataset(wsx.ws, r.id)!).subarray(0, 3))).toEqual([9, 8, 7]);
  });

  it('reads an image folder, reporting zip-slip names, links and names that are not UTF-8', async () => {
    const png = await solid('png', [30, 60, 90]);
    const path = join(dir, 'pets.tar');
    writeFileSync(
      path,
      buildTar([
        { name: 'pets/cat/1.png', data: png },
        { name: 'pets/dog/2.png', data: png },
        { name: '././@LongLink', type: 'L', data: Buffer.from(`pets/dog/${'long-'.repeat(30)}name.png\0`) },
        { name: 'ignored-short-name', data: png },
        { name: '../evil.png', data: png },
        { name: 'pets/cat/link.png', type: '2', linkTarget: '/etc/passwd' },
        { name: Buffer.concat([Buffer.from('pets/cat/bad-'), Buffer.from([0xff]), Buffer.from('.png')]), data: png },
      ]),
    );
    const r = await importSource(wsx.ws, await openSource(path), {}, quiet);
    expect(r.sourceKind).toBe('tar');
    expect(r.perClass).toEqual({ cat: { train: 1, test: 0 }, dog: { train: 2, test: 0 } });
    const reasons = Object.fromEntries(r.failed.map((f) => [f.file, f.reason]));
    expect(reasons['../evil.png']).toMatch(/zip-slip/);
    expect(reasons['pets/cat/link.png']).toMatch(/link inside the archive, not followed/);
    expect(reasons['pets/cat/bad-\\xff.png']).toMatch(/not valid UTF-8/);
    expect(readdirSync(dir)).toEqual(['pets.tar']);
  });

  it('refuses a corrupt header, a truncated archive and a gzip bomb with clear errors', async () => {
    const tar = buildTar([{ name: 'a.png', data: Buffer.alloc(2000, 1) }]);
    const bad = Buffer.from(tar);
    bad[0] = 0x41;
    writeFileSync(join(dir, 'bad.tar'), bad);
    await expect(openSource(join(dir, 'bad.tar'))).rejects.toThrow(/bad\.tar: bad tar header checksum/);
    writeFileSync(join(dir, 'cut.tar'), tar.subarray(0, 1000));
    await expect(openSource(join(dir, 'cut.tar'))).rejects.toThrow(/cut\.tar: .*runs past the end of the archive/);
    writeFileSync(join(dir, 'bomb.tgz'), gzipSync(buildTar([{ name: 'zeros.png', data: Buffer.alloc(4 * 1024 * 1024) }])));
    await expect(readTar(join(dir, 'bomb.tgz'), 1024 * 1024)).rejects.toThrow(/inflates past 1048576 bytes/);
  });
});
