/**
 * MAE reconstructions (tasks/reconstruct.ts) from a real checkpoint of a tiny trained run:
 * three PNGs per image at the asked scale; the masked picture is the original with exactly
 * the removed patches grey; the reconstruction keeps the visible patches; the masks are
 * fixed by the seed; other methods and untrained runs are refused; no tensor is left.
 */
import * as tf from '@tensorflow/tfjs-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomMasking } from '../../src-main/ml/augment';
import { useBackend } from '../../src-main/ml/backend';
import { resolveConfig } from '../../src-main/ml/train/config';
import { reconstructImages } from '../../src-main/tasks/reconstruct';
import { runTraining } from '../../src-main/tasks/train';
import { createRun } from '../../src-main/store/runs';
import { Workspace } from '../../src-main/store/workspace';
import { makeTempDir } from '../helpers/tmp';
import { makeToyDataset } from '../helpers/toyDataset';

let tmp: ReturnType<typeof makeTempDir>;
let ws: Workspace;
let datasetId: string;
let maeRun: string;

const cfg = (method: string, params: Record<string, number>) =>
  resolveConfig(method, { epochs: 1, batch: 16, seed: 5, width: 0.25, backbone: method === 'mae' ? 'vit-mini' : 'small', params }, () => 'simclr-cifar');

beforeAll(async () => {
  await useBackend('cpu');
  tmp = makeTempDir();
  ws = Workspace.open(tmp.dir);
  datasetId = makeToyDataset(ws, { size: 16 });
  maeRun = createRun(ws, datasetId, 'mae', cfg('mae', { decoderDim: 16, decoderDepth: 1, decoderHeads: 2 })).id;
  expect((await runTraining(ws, maeRun)).status).toBe('completed');
}, 120_000);
afterAll(() => {
  ws.close();
  tmp.cleanup();
});

async function raw(png: Buffer): Promise<{ data: Buffer; width: number; channels: number }> {
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, channels: info.channels };
}

describe('reconstructImages', () => {
  it('writes original / masked / reconstruction PNGs: grey exactly where MAE removed patches, the visible patches kept', async () => {
    const before = tf.memory().numTensors;
    const res = await reconstructImages(ws, maeRun, { count: 3, scale: 1, seed: 9 });
    expect(tf.memory().numTensors).toBe(before);
    expect(res.epoch).toBe(1);
    expect(res.maskRatio).toBe(0.75);
    expect(res.images).toHaveLength(3);
    const { mask } = randomMasking(3, 16, 0.75, 9);
    for (const [k, img] of res.images.entries()) {
      const [o, m, r] = await Promise.all([raw(img.original), raw(img.masked), raw(img.reconstruction)]);
      expect(o.width).toBe(16);
      let changed = 0;
      for (let y = 0; y < 16; y++) {
        for (let x = 0; x < 16; x++) {
          const removed = mask[k]![Math.floor(y / 4) * 4 + Math.floor(x / 4)] === 1;
          for (let ch = 0; ch < o.channels; ch++) {
            const at = (y * 16 + x) * o.channels + ch;
            if (removed) {
              expect(m.data[at]).toBe(128);
              if (r.data[at] !== o.data[at]) changed++;
            } else {
              expect(m.data[at]).toBe(o.data[at]);
              expect(Math.abs(r.data[at]! - o.data[at]!)).toBeLessThanOrEqual(1);
            }
          }
        }
      }
      expect(changed, 'the removed patches are predicted, not copied').toBeGreaterThan(0);
    }
    // The seed fixes the masks: the same call draws the same picture, another seed other masks.
    const again = await reconstructImages(ws, maeRun, { count: 1, scale: 1, seed: 9 });
    expect(again.images[0]!.reconstruction.equals(res.images[0]!.reconstruction)).toBe(true);
    const other = await reconstructImages(ws, maeRun, { count: 1, scale: 4, seed: 10 });
    expect(other.images[0]!.masked.equals(res.images[0]!.masked)).toBe(false);
    expect((await raw(other.images[0]!.original)).width).toBe(64);
  });

  it('refuses a run of another method, an untrained run and bad options, naming the reason', async () => {
    const simclr = createRun(ws, datasetId, 'simclr', cfg('simclr', { projHidden: 16, projOut: 8 })).id;
    await expect(reconstructImages(ws, simclr)).rejects.toThrow('trained simclr; reconstructions need an mae run');
    const fresh = createRun(ws, datasetId, 'mae', cfg('mae', { decoderDim: 16, decoderDepth: 1, decoderHeads: 2 })).id;
    await expect(reconstructImages(ws, fresh)).rejects.toThrow('has no checkpoint yet');
    await expect(reconstructImages(ws, maeRun, { indices: [99999] })).rejects.toThrow('image index 99999 is outside');
    await expect(reconstructImages(ws, maeRun, { count: 0 })).rejects.toThrow('count must be an integer from 1 to 32');
  });
});
