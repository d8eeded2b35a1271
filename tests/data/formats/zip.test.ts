import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSource } from '../../../src-main/data/formats/detect';
import { importSource } from '../../../src-main/tasks/import';
import { DEFAULT_ZIP_LIMITS, readZip, unsafeZipPath } from '../../../src-main/data/formats/zip';
import { buildZip, quiet, removeDir, solid, tempDir, tempWorkspace, type ZipEntrySpec } from '../helpers';

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

function writeZip(name: string, specs: ZipEntrySpec[]): string {
  const path = join(dir, name);
  writeFileSync(path, buildZip(specs));
  return path;
}

describe('zip import', () => {
  it('reads an ImageFolder zip wrapped in one folder, stored or deflated, with splits', async () => {
    const png = await solid('png', [250, 0, 0]);
    const jpg = await solid('jpeg', [0, 250, 0]);
    const path = writeZip('pets.zip', [
      { name: 'pets/', data: Buffer.alloc(0), method: 'store' },
      { name: 'pets/train/cat/1.png', data: png },
      { name: 'pets/train/dog/2.jpg', data: jpg, method: 'store' },
      { name: 'pets/test/cat/3.png', data: png },
      { name: '__MACOSX/pets/._1.png', data: Buffer.from('resource fork') },
      { name: 'pets/.DS_Store', data: Buffer.from('junk') },
    ]);
    const r = await importSource(wsx.ws, await openSource(path), {}, quiet);
    expect(r.sourceKind).toBe('zip');
    expect(r.name).toBe('pets');
    expect(r.failed).toEqual([]);
    expect(r.perClass).toEqual({ cat: { train: 1, test: 1 }, dog: { train: 1, test: 0 } });
  });

  it('reads a flat zip as unlabelled', async () => {
    const png = await solid('png', [9, 9, 9]);
    const path = writeZip('flat.zip', Array.from({ length: 5 }, (_, i) => ({ name: `img${i}.png`, data: png })));
    const r = await importSource(wsx.ws, await openSource(path), {}, quiet);
    expect(r.classes).toEqual([]);
    expect(r.imported).toBe(5);
  });

  it('refuses zip-slip names per entry and writes nothing outside the workspace', async () => {
    const png = await solid('png', [1, 2, 3]);
    const path = writeZip('slip.zip', [
      { name: 'ok/a.png', data: png },
      { name: 'ok/b.png', data: png },
      { name: '../evil.png', data: png },
      { name: 'ok/../../evil2.png', data: png },
      { name: '/etc/evil3.png', data: png },
      { name: 'C:/evil4.png', data: png },
      { name: 'ok\\..\\evil5.png', data: png },
    ]);
    const r = await importSource(wsx.ws, await openSource(path), {}, quiet);
    const reasons = Object.fromEntries(r.failed.map((f) => [f.file, f.reason]));
    expect(Object.keys(reasons).sort()).toEqual(['../evil.png', '/etc/evil3.png', 'C:/evil4.png', 'ok/../../evil2.png', 'ok\\..\\evil5.png'].sort());
    for (const reason of Object.values(reasons)) expect(reason).toMatch(/zip-slip/);
    expect(r.imported).toBe(2);
    expect(readdirSync(dir)).toEqual(['slip.zip']);
    expect(existsSync(join(dir, '..', 'evil.png'))).toBe(false);
  });

  it('refuses entries with absurd ratios, lying headers or over the total budget', async () => {
    const png = await solid('png', [1, 2, 3]);
    const zeros = Buffer.alloc(8 * 1024 * 1024); // deflates about 1000:1
    const path = writeZip('bomb.zip', [
      { name: 'a/good.png', data: png },
      { name: 'a/ratio.png', data: zeros },
      { name: 'a/liar.png', data: Buffer.alloc(200_000, 7), declaredSize: 100 },
      { name: 'a/zero-declared.png', data: Buffer.alloc(50_000, 1), declaredSize: 0 },
    ]);
    const r = await importSource(wsx.ws, await openSource(path), {}, quiet);
    const reasons = Object.fromEntries(r.failed.map((f) => [f.file, f.reason]));
    expect(reasons['a/ratio.png']).toMatch(/compression ratio \d+:1 is absurd/);
    expect(reasons['a/liar.png']).toMatch(/inflates past 100 bytes|too many bytes/);
    expect(reasons['a/zero-declared.png']).toMatch(/inflates past 0 bytes|too many bytes/);
    expect(r.imported).toBe(1);

    const small = await readZip(path, { ...DEFAULT_ZIP_LIMITS, maxEntryBytes: 1000 });
    expect(small.failures.find((f) => f.file === 'a/ratio.png')?.reason).toMatch(/over the 1000-byte limit/);
    await small.close!();

    const budget = await readZip(writeZip('many.zip', [{ name: '1.png', data: png }, { name: '2.png', data: png }]), {
      ...DEFAULT_ZIP_LIMITS,
      maxTotalBytes: png.length + 10,
    });
    const reads = await Promise.allSettled(budget.entries.map((e) => (e.kind === 'encoded' ? e.read() : Promise.resolve(Buffer.alloc(0)))));
    expect(reads.map((x) => x.status)).toEqual(['fulfilled', 'rejected']);
    expect((reads[1] as PromiseRejectedResult).reason.message).toMatch(/total size limit/);
    await budget.close!();
  });

  it('reports entry names that are not valid UTF-8', async () => {
    const png = await solid('png', [1, 2, 3]);
    const path = writeZip('names.zip', [
      { name: 'a/ok.png', data: png },
      { name: Buffer.concat([Buffer.from('a/bad-'), Buffer.from([0xc3, 0x28]), Buffer.from('.png')]), data: png, utf8Flag: true },
      { name: 'a/naïve.png', data: png, utf8Flag: true },
    ]);
    const r = await importSource(wsx.ws, await openSource(path), {}, quiet);
    expect(r.failed).toEqual([{ file: 'a/bad-\\xc3(.png', reason: 'entry name is not valid UTF-8' }]);
    expect(r.imported).toBe(2);
  });

  it('gives a clear error for a corrupt archive', async () => {
    const path = join(dir, 'broken.zip');
    writeFileSync(path, Buffer.from('PK\x03\x04 this is not really a zip file at all'));
    await expect(openSource(path)).rejects.toThrow(/broken\.zip: not a readable zip archive/);
  });

  it('names unsafe paths', () => {
    expect(unsafeZipPath('a/b.png')).toBeUndefined();
    expect(unsafeZipPath('a/../../b.png')).toMatch(/\.\./);
    expect(unsafeZipPath('/b.png')).toMatch(/absolute/);
  });
});
