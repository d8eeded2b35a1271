import { describe, expect, it } from 'vitest';
import type { MethodInfo } from '../../src-main/api/contract';
import { filesOfDrop, filesOfEntry } from '../../src-renderer/src/lib/logic/dropFiles';
import { nameFromFiles } from '../../src-renderer/src/views/datasets/datasets.svelte';
import { trainRequest, type SharedOptions } from '../../src-renderer/src/views/train/train.svelte';

const method = (name: string, params: MethodInfo['params']): MethodInfo => ({ name, summary: '', params, train: { optimizer: 'lars', lr: 0.3, batch: 256 }, preset: name });

describe('trainRequest', () => {
  const methods = [method('simclr', { temperature: 0.2, projOut: 128 }), method('byol', { tau: 0.99 })];
  const opts: SharedOptions = { backbone: 'small', width: 0.25, epochs: 1, batch: 16, optimizer: '', lr: null, seed: 3 };
  it('sends the shared options and leaves empty ones to each method', () => {
    const req = trainRequest('d1', methods, ['simclr', 'byol'], opts, {});
    expect(req).toEqual({ datasetId: 'd1', methods: ['simclr', 'byol'], backbone: 'small', width: 0.25, epochs: 1, seed: 3, batch: 16 });
  });
  it('sends a method parameter only when it differs from the default, and only for picked methods', () => {
    const req = trainRequest('d1', methods, ['simclr'], { ...opts, lr: 0.5, optimizer: 'sgd' }, { simclr: { temperature: 0.5, projOut: 128 }, byol: { tau: 0.9 } });
    expect(req.params).toEqual({ simclr: { temperature: 0.5 } });
    expect(req.lr).toBe(0.5);
    expect(req.optimizer).toBe('sgd');
  });
  it('names an unknown method', () => {
    expect(() => trainRequest('d1', methods, ['dino'], opts, {})).toThrow("unknown method 'dino'");
  });
});

describe('nameFromFiles', () => {
  const file = (name: string, rel = '') => {
    const f = new File(['x'], name);
    if (rel) Object.defineProperty(f, 'webkitRelativePath', { value: rel });
    return f;
  };
  it('names a dataset after the dropped folder or the single archive', () => {
    expect(nameFromFiles([file('a.png', 'pets/cat/a.png')])).toBe('pets');
    expect(nameFromFiles([file('cifar.zip')])).toBe('cifar');
    expect(nameFromFiles([file('a.png'), file('b.png')])).toBeUndefined();
    expect(nameFromFiles([])).toBeUndefined();
  });
});

// A folder tree in the shape of the File and Directory Entries API (what Chromium hands a drop).
type Tree = { [name: string]: Tree | string };
function entry(name: string, node: Tree | string, parent = ''): unknown {
  const fullPath = `${parent}/${name}`;
  if (typeof node === 'string') return { isFile: true, isDirectory: false, name, fullPath, file: (ok: (f: File) => void) => ok(new File([node], name)) };
  const children = Object.entries(node).map(([n, c]) => entry(n, c, fullPath));
  return {
    isFile: false,
    isDirectory: true,
    name,
    fullPath,
    createReader: () => {
      // Two chunks then an empty answer, as readEntries does for big folders.
      const chunks = [children.slice(0, 1), children.slice(1), []];
      return { readEntries: (ok: (e: unknown[]) => void) => ok(chunks.shift() ?? []) };
    },
  };
}

describe('dropped folders', () => {
  it('walks every chunk of every folder and keeps paths relative to the drop', async () => {
    const root = entry('pets', { cat: { 'a.png': 'A', 'b.png': 'B' }, dog: { 'c.png': 'C' } });
    const files = await filesOfEntry(root as Parameters<typeof filesOfEntry>[0]);
    expect(files.map((f) => f.webkitRelativePath).sort()).toEqual(['pets/cat/a.png', 'pets/cat/b.png', 'pets/dog/c.png']);
  });
  it('falls back to the plain file list when items have no entries', async () => {
    const f = new File(['x'], 'one.zip');
    const dt = { items: [], files: [f] } as unknown as DataTransfer;
    expect(await filesOfDrop(dt)).toEqual([f]);
  });
});
