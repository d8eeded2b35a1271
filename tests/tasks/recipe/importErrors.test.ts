/**
 * `pretext runs import` without PyTorch: a results folder written here as train.py writes it
 * (recipe.json, metrics.jsonl, backbone.safetensors with torchvision names) imports to a run whose
 * checkpoint holds exactly the weights it came from (the mapping's inverse); each kind of bad
 * input is an error naming the file and the reason, and stores nothing.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../../src-main/ml/backend';
import { encodeSafetensors, parseSafetensors } from '../../../src-main/ml/export/safetensors';
import { readCheckpoint } from '../../../src-main/ml/train/checkpoint';
import { latestCheckpoint, listRuns, runMetrics } from '../../../src-main/store/runs';
import { Workspace } from '../../../src-main/store/workspace';
import { importRunResults } from '../../../src-main/tasks/recipe/import';
import { makeTempDir } from '../../helpers/tmp';
import { makeToyDataset } from '../../helpers/toyDataset';
import { writeResults } from '../../helpers/recipeResults';

let tmp: ReturnType<typeof makeTempDir>;
let ws: Workspace;
let datasetId: string;

beforeAll(async () => {
  await useBackend('cpu');
  tmp = makeTempDir('pretext-recipe-import-');
  ws = Workspace.open(join(tmp.dir, 'ws'));
  datasetId = makeToyDataset(ws, { channels: 3 });
}, 60_000);
afterAll(() => {
  ws?.close();
  tmp?.cleanup();
});

describe('importRunResults', () => {
  it('stores the weights it was given, the curves and the external marks', () => {
    const dir = join(tmp.dir, 'good');
    const before = tf.memory().numTensors;
    const original = writeResults(dir);
    const r = importRunResults(ws, { dir, dataset: datasetId });
    expect(tf.memory().numTensors).toBe(before);
    expect(r).toMatchObject({ epochs: 1, steps: 4, processes: 2, device: 'cpu', knnTop1: [0.5] });
    const ckpt = readCheckpoint(join(ws.dir, latestCheckpoint(ws, r.runId)!.path));
    original.forEach((v, i) => expect(ckpt.tensors.get(`net/backbone/${i}`)!.values).toEqual(v));
    expect(runMetrics(ws, r.runId, 'loss').map((p) => p.step)).toEqual([0, 1, 2, 3]);
    expect(runMetrics(ws, r.runId, 'knn_top1')).toMatchObject([{ step: 3, epoch: 0, value: 0.5, wall: 2.5 }]);
  });

  const cases: [string, (dir: string) => void, RegExp][] = [
    ['a missing file', (dir) => rmSync(join(dir, 'metrics.jsonl')), /metrics\.jsonl is missing/],
    [
      'a header that lies about its offsets',
      (dir) => {
        const file = join(dir, 'backbone.safetensors');
        const bytes = readFileSync(file);
        const n = Number(bytes.readBigUInt64LE(0));
        const header = bytes.toString('utf8', 8, 8 + n).replace(/"data_offsets":\[0,(\d+)\]/, (_m, b: string) => `"data_offsets":[4,${Number(b) + 4}]`);
        writeFileSync(file, Buffer.concat([bytes.subarray(0, 8), Buffer.from(header), bytes.subarray(8 + n)]));
      },
      /backbone\.safetensors: not a valid safetensors file: tensor .* (starts at byte|outside|cover)/,
    ],
    ['a truncated file', (dir) => writeFileSync(join(dir, 'backbone.safetensors'), readFileSync(join(dir, 'backbone.safetensors')).subarray(0, 200)), /backbone\.safetensors: not a valid safetensors file/],
    ['shapes of another width', (dir) => writeResults(dir, 0.5), /backbone\.safetensors: tensor 'conv1\.weight' has shape \[16,3,3,3\], the recipe's small width 0.25 needs \[8,3,3,3\]/],
    [
      'NaN weights',
      (dir) => writeResults(dir, 0.25, (t) => (t[3]![1].values[0] = Number.NaN)),
      /backbone\.safetensors: tensor '.*' holds NaN at element 0/,
    ],
  ];
  for (const [what, spoil, message] of cases) {
    it(`${what}: a clear error naming the file, nothing stored`, () => {
      const dir = join(tmp.dir, what.replace(/\W+/g, '-'));
      writeResults(dir);
      spoil(dir);
      if (what === 'shapes of another width') writeFileSync(join(dir, 'recipe.json'), readFileSync(join(tmp.dir, 'good', 'recipe.json')));
      const runs = listRuns(ws).length;
      expect(() => importRunResults(ws, { dir, dataset: datasetId })).toThrow(message);
      expect(listRuns(ws)).toHaveLength(runs);
    });
  }

  it('the safetensors reader reads back what the writer wrote', () => {
    const bytes = encodeSafetensors([['a', { shape: [2, 2], values: Float32Array.from([1, 2, 3, 4]) }]], { k: 'v' });
    const back = parseSafetensors(bytes, 'x.safetensors');
    expect(back.metadata).toEqual({ k: 'v' });
    expect(Array.from(back.tensors.get('a')!.values)).toEqual([1, 2, 3, 4]);
    expect(Number(new DataView(bytes.buffer).getBigUint64(0, true)) % 8).toBe(0);
  });
});
