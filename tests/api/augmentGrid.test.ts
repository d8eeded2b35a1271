/**
 * The Augment preview draws cpc's grid task view (issue 13): augment.preview with method cpc
 * returns, per image, one picture of the 5×5 patches laid out row-major (5·12 + 4 = 64 px for
 * 12-px patches) and each patch's caption (its grid position, and 'gray' where it was
 * grayscaled), with no tensor left behind.
 */
import * as tf from '@tensorflow/tfjs-core';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Service } from '../../src-main/api/service';
import type { Workspace } from '../../src-main/store/workspace';
import { makeToyDataset } from '../helpers/toyDataset';
import { closeServiceTest, openServiceTest, type ServiceTest } from '../helpers/service';

let tmp: ServiceTest['tmp'];
let ws: Workspace;
let service: Service;

beforeEach(() => void ({ tmp, ws, service } = openServiceTest()));
afterEach(() => closeServiceTest({ tmp, ws, service }));

describe('augment.preview of cpc', () => {
  it('shows each image’s 25 grid patches in one picture, captioned by position', async () => {
    const datasetId = makeToyDataset(ws, { size: 28, channels: 3 });
    await service.handle('app.info', undefined); // initialises the backend
    const before = tf.memory().numTensors;
    const preview = await service.handle('augment.preview', { datasetId, method: 'cpc', count: 2, seed: 1 });
    expect(preview.views).toHaveLength(1);
    expect(preview.views[0]!.task).toMatchObject({ kind: 'grid', grid: 5, patch: 12, stride: 6 });
    expect(preview.rows).toHaveLength(2);
    const row = preview.rows[0]!;
    expect(row.views).toHaveLength(1);
    const meta = await sharp(Buffer.from(row.views[0]!.split(',')[1]!, 'base64')).metadata();
    expect(meta.width! % 64).toBe(0); // the 64-px montage, scaled up by a whole factor
    expect(meta.width).toBe(meta.height);
    const task = row.ops[0]!.task!;
    expect(task.pieces).toHaveLength(25);
    expect(task.pieces.map((p) => p.replace(' gray', ''))).toEqual(Array.from({ length: 25 }, (_, k) => `${Math.floor(k / 5)},${k % 5}`));
    expect(task.target).toMatch(/5×5 patches/);
    expect(tf.memory().numTensors).toBe(before);
  });
});
