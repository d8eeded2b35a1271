import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CancelledError } from '../../src-main/core/errors';
import type { ProgressSink } from '../../src-main/core/progress';
import { getDataset } from '../../src-main/store/datasets';
import { getEmbeddingsRow } from '../../src-main/store/embeddings';
import type { Workspace } from '../../src-main/store/workspace';
import { runEmbeddings } from '../../src-main/tasks/embeddings';
import { neighbours } from '../../src-main/tasks/neighbours';
import { readItems } from '../../src-main/tasks/thumbnail';
import { runTraining } from '../../src-main/tasks/train';
import { makeToyDataset } from '../helpers/toyDataset';
import { tinyRun, toyWorkspace, type ToyWorkspace } from '../helpers/evalRuns';

let toy: ToyWorkspace;
let ws: Workspace;
let simclr: string;
let byol: string;

beforeAll(async () => {
  toy = await toyWorkspace();
  ws = toy.ws;
  simclr = tinyRun(toy, 'simclr', 1, 3);
  await runTraining(ws, simclr);
  byol = tinyRun(toy, 'byol', 1, 3);
  await runTraining(ws, byol);
}, 120_000);
afterAll(() => toy.close());

/** Float64 brute force: every other image of the dataset by cosine similarity, most similar first. */
async function bruteForce(runId: string, query: number, k: number): Promise<{ index: number; s: number }[]> {
  const rows: { index: number; f: Float32Array; }[] = [];
  for (const split of ['train', 'test'] as const) {
    const e = await runEmbeddings(ws, runId, split);
    for (let i = 0; i < e.count; i++) rows.push({ index: e.indices[i]!, f: e.features.subarray(i * e.dim, (i + 1) * e.dim) });
  }
  const q = rows.find((r) => r.index === query)!.f;
  const cos = (a: Float32Array, b: Float32Array) => {
    let d = 0, na = 0, nb = 0;
    for (let j = 0; j < a.length; j++) {
      d += a[j]! * b[j]!;
      na += a[j]! ** 2;
      nb += b[j]! ** 2;
    }
    return d / Math.sqrt(na * nb);
  };
  return rows
    .filter((r) => r.index !== query)
    .map((r) => ({ index: r.index, s: cos(q, r.f) }))
    .sort((a, b) => b.s - a.s || a.index - b.index)
    .slice(0, k);
}

function recorder(): ProgressSink & { labels: string[] } {
  const labels: string[] = [];
  return { labels, start: (l) => labels.push(l), update: () => {}, finish: () => {}, log: () => {} };
}

describe('neighbours (retrieval across runs)', () => {
  it('computes missing embeddings with progress, then returns each run’s top-k as a brute-force cosine search does', async () => {
    expect(getEmbeddingsRow(ws, simclr, 1, 'train')).toBeUndefined();
    const before = tf.memory().numTensors;
    const progress = recorder();
    const query = 50; // a test image of class 0 (48 train images, then 6 test images per class)
    const r = await neighbours(ws, [simclr, byol], { index: query }, 8, { progress });
    expect(tf.memory().numTensors).toBe(before);
    expect(progress.labels).toEqual(expect.arrayContaining([`embed ${simclr} train`, `embed ${simclr} test`, `embed ${byol} train`, `embed ${byol} test`]));
    expect(getEmbeddingsRow(ws, simclr, 1, 'train')).toBeDefined();
    expect(r.query).toEqual({ index: query, file: null, label: 0, className: 'class0', split: 'test' });
    expect(r.runs.map((x) => [x.runId, x.method, x.epoch])).toEqual([
      [simclr, 'simclr', 1],
      [byol, 'byol', 1],
    ]);
    for (const run of r.runs) {
      const want = await bruteForce(run.runId, query, 8);
      expect(run.neighbours.map((n) => n.rank)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      expect(run.neighbours.map((n) => n.index)).toEqual(want.map((w) => w.index));
      run.neighbours.forEach((n, i) => expect(n.similarity).toBeCloseTo(want[i]!.s, 5));
      for (const n of run.neighbours) {
        const label = Math.floor((n.index < 48 ? n.index / 12 : (n.index - 48) / 6));
        expect([n.label, n.className, n.split]).toEqual([label, `class${label}`, n.index < 48 ? 'train' : 'test']);
      }
      const matches = run.neighbours.filter((n) => n.label === 0).length;
      expect([run.matches, run.agreement]).toEqual([matches, matches / 8]);
    }
    // The second query reads the cached embeddings: nothing is embedded again.
    const again = recorder();
    await neighbours(ws, [simclr], { index: 3 }, 4, { progress: again });
    expect(again.labels.filter((l) => l.startsWith('embed'))).toEqual([]);
  });

  it('embeds an image file through each run’s encoder: the stored image finds itself first', async () => {
    const row = getDataset(ws, toy.datasetId)!;
    const file = join(ws.makeTmp('query'), 'query.png');
    writeFileSync(file, await sharp(readItems(ws, row, 50), { raw: { width: 8, height: 8, channels: 3 } }).png().toBuffer());
    const before = tf.memory().numTensors;
    const byFile = await neighbours(ws, [simclr, byol], { file }, 5);
    expect(tf.memory().numTensors).toBe(before);
    const byIndex = await neighbours(ws, [simclr, byol], { index: 50 }, 4);
    expect(byFile.query).toEqual({ index: null, file: 'query.png', label: null, className: null, split: null });
    byFile.runs.forEach((run, i) => {
      expect(run.neighbours[0]!.index).toBe(50);
      expect(run.neighbours[0]!.similarity).toBeCloseTo(1, 4);
      expect(run.neighbours.slice(1).map((n) => n.index)).toEqual(byIndex.runs[i]!.neighbours.map((n) => n.index));
      expect([run.matches, run.agreement]).toEqual([null, null]);
    });
  });

  it('refuses what it cannot answer, naming why', async () => {
    await expect(neighbours(ws, [simclr], { index: 72 }, 8)).rejects.toThrow(/image 72: dataset .* has images 0 to 71/);
    await expect(neighbours(ws, [simclr], { index: 0 }, 101)).rejects.toThrow(/k must be an integer from 1 to 100/);
    await expect(neighbours(ws, [simclr, simclr], { index: 0 }, 8)).rejects.toThrow(/listed twice/);
    await expect(neighbours(ws, ['nope'], { index: 0 }, 8)).rejects.toThrow(/nope/);
    const bad = join(ws.makeTmp('bad'), 'x.png');
    writeFileSync(bad, 'not an image');
    await expect(neighbours(ws, [simclr], { file: bad }, 8)).rejects.toThrow(/x\.png: .*not an image/);
    const other = tinyRun({ ...toy, datasetId: makeToyDataset(ws, { seed: 9 }) }, 'simclr', 1, 3);
    await expect(neighbours(ws, [simclr, other], { index: 0 }, 8)).rejects.toThrow(/different datasets/);
    const ctl = new AbortController();
    ctl.abort();
    await expect(neighbours(ws, [simclr], { index: 0 }, 8, { signal: ctl.signal })).rejects.toBeInstanceOf(CancelledError);
  });
});
