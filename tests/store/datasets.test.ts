import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PIXELS_FILE, commitDataset, datasetItems, deleteDataset, findByFingerprint, listDatasets, readPixels, resolveDataset, summarizeDataset, type NewDataset } from '../../src-main/store/datasets';
import { Workspace } from '../../src-main/store/workspace';
import { makeTempDir } from '../helpers/tmp';

let tmp: ReturnType<typeof makeTempDir>;
let ws: Workspace;
beforeEach(() => {
  tmp = makeTempDir();
  ws = Workspace.open(join(tmp.dir, 'ws'));
});
afterEach(() => {
  ws.close();
  tmp.cleanup();
});

function staged(bytes: Uint8Array): string {
  const dir = ws.makeTmp('test');
  writeFileSync(join(dir, PIXELS_FILE), bytes);
  return dir;
}

const base: NewDataset = {
  name: 'toy',
  source: '/data/toy',
  sourceKind: 'folder',
  fingerprint: 'fp-1',
  imageSize: 2,
  channels: 1,
  classNames: ['cat', 'dog'],
  items: [
    { sourcePath: 'cat/a.png', label: 0, split: 'train', contentHash: 'h0' },
    { sourcePath: 'dog/b.png', label: 1, split: 'train', contentHash: 'h1' },
    { sourcePath: 'dog/c.png', label: 1, split: 'test', contentHash: 'h2' },
  ],
  failures: [{ file: 'cat/bad.png', reason: 'truncated PNG' }],
};

describe('datasets repository', () => {
  it('commits rows and the pixel file together and reads them back', () => {
    const pixels = Uint8Array.from({ length: 12 }, (_, i) => i * 7);
    const row = commitDataset(ws, base, staged(pixels));
    expect(row.numItems).toBe(3);
    expect(Array.from(readPixels(ws, row))).toEqual(Array.from(pixels));
    const s = summarizeDataset(ws, row);
    expect(s.classes).toEqual(['cat', 'dog']);
    expect(s.splits).toEqual({ train: 2, test: 1 });
    expect(s.perClass).toEqual({ cat: { train: 1, test: 0 }, dog: { train: 1, test: 1 } });
    expect(s.failed).toEqual([{ file: 'cat/bad.png', reason: 'truncated PNG' }]);
    expect(datasetItems(ws, row.id).map((i) => i.sourcePath)).toEqual(['cat/a.png', 'dog/b.png', 'dog/c.png']);
    expect(findByFingerprint(ws, 'fp-1')?.id).toBe(row.id);
    expect(resolveDataset(ws, 'toy')?.id).toBe(row.id);
    expect(resolveDataset(ws, row.id.slice(0, 5))?.id).toBe(row.id);
  });

  it('a failed commit (duplicate fingerprint) leaves the existing dataset intact and no files behind', () => {
    const first = commitDataset(ws, base, staged(new Uint8Array(12).fill(1)));
    const dir = staged(new Uint8Array(12).fill(2));
    expect(() => commitDataset(ws, { ...base, name: 'again' }, dir, 'ds-dupe0000')).toThrow(/UNIQUE/);
    expect(existsSync(join(ws.datasetsDir, 'ds-dupe0000'))).toBe(false);
    expect(listDatasets(ws).map((d) => d.id)).toEqual([first.id]);
    expect(Array.from(readPixels(ws, first))).toEqual(new Array(12).fill(1));
  });

  it('detects a pixel file of the wrong size', () => {
    const row = commitDataset(ws, base, staged(new Uint8Array(12)));
    writeFileSync(ws.path(row.pixelsFile), new Uint8Array(5));
    expect(() => readPixels(ws, row)).toThrow(/expected 12 bytes of pixels, found 5/);
  });

  it('delete removes rows in every table (cascade) and the files', () => {
    const row = commitDataset(ws, base, staged(new Uint8Array(12)));
    expect(deleteDataset(ws, row.id)).toBe(true);
    expect(existsSync(join(ws.datasetsDir, row.id))).toBe(false);
    for (const t of ['classes', 'items', 'import_failures']) {
      const n = ws.db.prepare(`SELECT COUNT(*) AS n FROM ${t}`).get() as { n: number };
      expect(n.n, t).toBe(0);
    }
    expect(deleteDataset(ws, row.id)).toBe(false);
  });

  it('delete refuses a dataset that runs use, in words, and keeps its rows and files', () => {
    const row = commitDataset(ws, base, staged(new Uint8Array(12)));
    ws.db
      .prepare("INSERT INTO runs (id, dataset_id, method, config, status, created_at) VALUES ('run-1', ?, 'simclr', '{}', 'completed', ?)")
      .run(row.id, new Date().toISOString());
    expect(() => deleteDataset(ws, row.id)).toThrow(new RegExp(`^dataset '${row.id}': runs still use it; delete those runs first$`));
    expect(listDatasets(ws).map((d) => d.id)).toEqual([row.id]);
    expect(existsSync(join(ws.datasetsDir, row.id))).toBe(true);
  });
});
