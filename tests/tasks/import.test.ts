import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CancelledError } from '../../src-main/core/errors';
import type { ProgressSink } from '../../src-main/core/progress';
import { decodeImage } from '../../src-main/data/formats/decode';
import { openSource } from '../../src-main/data/formats/detect';
import { importSource } from '../../src-main/tasks/import';
import { DEFAULT_IMPORT_OPTIONS, defaultWorkers } from '../../src-main/data/import/pipeline';
import { WorkerCrash, WorkerPool } from '../../src-main/data/import/workerPool';
import { getDataset, listDatasets, readPixels } from '../../src-main/store/datasets';
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

async function makeFolder(n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const cls = i % 2 ? 'odd' : 'even';
    mkdirSync(join(dir, cls), { recursive: true });
    writeFileSync(join(dir, cls, `${String(i).padStart(3, '0')}.png`), await solid('png', [i * 3, 255 - i * 3, 7], 20 + i, 24));
  }
}

describe('importSource', () => {
  it('stores exactly the decoded pixels, in item order, across ring wrap-arounds', async () => {
    await makeFolder(40);
    const r = await importSource(wsx.ws, await openSource(dir), { concurrency: 2, size: 8 }, quiet);
    const px = readPixels(wsx.ws, getDataset(wsx.ws, r.id)!);
    const bpi = 8 * 8 * 3;
    const names = [...readdirSync(join(dir, 'even')).map((f) => `even/${f}`), ...readdirSync(join(dir, 'odd')).map((f) => `odd/${f}`)].sort();
    for (const [k, name] of names.entries()) {
      const want = new Uint8Array(bpi);
      await decodeImage((await import('node:fs')).readFileSync(join(dir, name)), { ...DEFAULT_IMPORT_OPTIONS, size: 8, channels: 3 }, want);
      expect(px.subarray(k * bpi, (k + 1) * bpi)).toEqual(want);
    }
  });

  it('returns the existing dataset when the same content is imported again, even moved', async () => {
    await makeFolder(6);
    const first = await importSource(wsx.ws, await openSource(dir), {}, quiet);
    const moved = tempDir();
    try {
      for (const cls of ['even', 'odd']) {
        mkdirSync(join(moved, cls));
        for (const f of readdirSync(join(dir, cls))) writeFileSync(join(moved, cls, `copy-${f}`), (await import('node:fs')).readFileSync(join(dir, cls, f)));
      }
      const again = await importSource(wsx.ws, await openSource(moved), { name: 'other' }, quiet);
      expect(again).toMatchObject({ id: first.id, existing: true, duplicateOf: first.id, imported: 6 });
    } finally {
      removeDir(moved);
    }
    expect(listDatasets(wsx.ws)).toHaveLength(1);
    // Other options make a different dataset, under a name of its own.
    const gray = await importSource(wsx.ws, await openSource(dir), { grayscale: true }, quiet);
    expect(gray.existing).toBe(false);
    expect(gray.name).toBe(`${first.name}-32px-gray`);
    expect(listDatasets(wsx.ws)).toHaveLength(2);
  });

  it('leaves nothing behind when cancelled mid-way', async () => {
    await makeFolder(30);
    const controller = new AbortController();
    let label = '';
    const progress: ProgressSink = {
      ...quiet,
      start: (l) => (label = l),
      update: (done) => {
        if (label === 'decoding' && done >= 5) controller.abort();
      },
    };
    await expect(importSource(wsx.ws, await openSource(dir), { concurrency: 2 }, progress, controller.signal)).rejects.toBeInstanceOf(
      CancelledError,
    );
    expect(listDatasets(wsx.ws)).toEqual([]);
    expect(readdirSync(wsx.ws.datasetsDir)).toEqual([]);
    expect(readdirSync(wsx.ws.tmpDir)).toEqual([]);
  });

  it('refuses a bad --size', async () => {
    await makeFolder(2);
    await expect(importSource(wsx.ws, await openSource(dir), { size: 2 }, quiet)).rejects.toThrow(/--size 2/);
  });
});

describe('decoding on worker threads', () => {
  it('gives the same pixels, hashes and failures as decoding in-process', async () => {
    await makeFolder(12);
    writeFileSync(join(dir, 'odd', 'broken.png'), Buffer.from('not a png'));
    const local = await importSource(wsx.ws, await openSource(dir), { workers: 0, size: 12 }, quiet);
    const other = tempWorkspace();
    try {
      const pooled = await importSource(other.ws, await openSource(dir), { workers: 2, size: 12 }, quiet);
      expect(pooled.fingerprint).toBe(local.fingerprint);
      expect(pooled.failed).toEqual(local.failed);
      expect(pooled.failed).toEqual([{ file: 'odd/broken.png', reason: expect.stringMatching(/not an image/) }]);
      expect(readPixels(other.ws, getDataset(other.ws, pooled.id)!)).toEqual(readPixels(wsx.ws, getDataset(wsx.ws, local.id)!));
    } finally {
      other.cleanup();
    }
  });

  it('fail to start cleanly when the worker script cannot load, so the import can decode in-process', async () => {
    const missing = new URL('./no-such-worker.mjs', import.meta.url);
    await expect(WorkerPool.start(2, missing)).rejects.toThrow();
  });

  it('reject the work in flight as a crash (not a bad image) when a worker dies', async () => {
    const pool = await WorkerPool.start(1);
    try {
      const png = await solid('png', [1, 2, 3], 2000, 2000);
      const pending = pool.run({ op: 'decode', bytes: png, opts: { size: 32, channels: 3, maxPixels: 1e8 } });
      await (pool as unknown as { slots: { worker: { terminate(): Promise<number> } }[] }).slots[0]!.worker.terminate();
      await expect(pending).rejects.toBeInstanceOf(WorkerCrash);
      await expect(pool.run({ op: 'hash', bytes: png })).rejects.toBeInstanceOf(WorkerCrash);
    } finally {
      await pool.close();
    }
  });

  it('are used only where they pay: large sources on more than one core', () => {
    expect(defaultWorkers(10_000, 2)).toBe(2);
    expect(defaultWorkers(10_000, 1)).toBe(0);
    expect(defaultWorkers(500, 16)).toBe(0);
    expect(defaultWorkers(10_000, 64)).toBe(8);
  });
});
