import { existsSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readPixels, getDataset } from '../../../src-main/store/datasets';
import { Workspace } from '../../../src-main/store/workspace';
import { maskedPictures, spreadIndices, viewGrid } from '../../../src-main/ml/augment/grid';
import { methods } from '../../../src-main/ml/methods';
import { runCli } from '../../helpers/cli';
import { makeTempDir } from '../../helpers/tmp';
import { makeToyDataset } from '../../helpers/toyDataset';

let tmp: ReturnType<typeof makeTempDir>;
let wsDir: string;
beforeEach(() => {
  tmp = makeTempDir();
  wsDir = join(tmp.dir, 'ws');
});
afterEach(() => tmp.cleanup());

function toy(channels: 1 | 3, size = 16): { id: string; pixels: Uint8Array } {
  const ws = Workspace.open(wsDir);
  try {
    const id = makeToyDataset(ws, { size, channels, perClassTrain: 3, perClassTest: 1 });
    return { id, pixels: readPixels(ws, getDataset(ws, id)!).slice() };
  } finally {
    ws.close();
  }
}

interface AugmentResult {
  file: string;
  preset: string;
  items: number[];
  columns: string[];
  views: { name: string; size: number }[];
  width: number;
  height: number;
  ops: { crop: { top: number; left: number; height: number; width: number } | null; flip: boolean; blurSigma: number | null }[][];
}

async function augment(...args: string[]): Promise<{ code: number; result?: AugmentResult; stderr: string }> {
  const r = await runCli(['--workspace', wsDir, '--backend', 'cpu', '--json', 'augment', ...args]);
  return { code: r.code, result: r.code === 0 ? (JSON.parse(r.stdout) as AugmentResult) : undefined, stderr: r.stderr };
}

describe('pretext augment', () => {
  it('writes a PNG grid of originals and views whose first column is the original images', async () => {
    const { id, pixels } = toy(3);
    const out = join(tmp.dir, 'out');
    const r = await augment('--dataset', id, '--preset', 'byol-cifar', '--count', '4', '--seed', '3', '--out', out);
    expect(r.code, r.stderr).toBe(0);
    const res = r.result!;
    expect(res.file).toBe(join(out, 'augment-byol-cifar.png'));
    expect(res.columns).toEqual(['original', 'view-1', 'view-2']);
    expect(res.items).toEqual(spreadIndices(16, 4));
    // What fired on each image's two views, as augment.preview reports it: every view of this preset crops.
    expect(res.ops).toHaveLength(4);
    for (const perImage of res.ops) {
      expect(perImage).toHaveLength(2);
      for (const op of perImage) {
        expect(op.crop).not.toBeNull();
        expect(typeof op.flip).toBe('boolean');
      }
    }
    const png = await sharp(res.file).raw().toBuffer({ resolveWithObject: true });
    expect([png.info.width, png.info.height]).toEqual([res.width, res.height]);
    // 16 px cells are scaled ×8; the grid has a 2 px gap (16 px after scaling).
    const scale = 8;
    const per = 16 * 16 * 3;
    for (const [row, item] of res.items.entries()) {
      for (const [y, x] of [[0, 0], [5, 11], [15, 15]] as const) {
        const py = (2 + row * 18 + y) * scale;
        const px = (2 + x) * scale;
        const at = (py * png.info.width + px) * png.info.channels;
        expect(Array.from(png.data.subarray(at, at + 3))).toEqual(Array.from(pixels.subarray(item * per + (y * 16 + x) * 3, item * per + (y * 16 + x) * 3 + 3)));
      }
    }
  });

  it('uses a method’s default preset and handles 1-channel datasets and multi-crop', async () => {
    const { id } = toy(1);
    const out = join(tmp.dir, 'out');
    const byMethod = await augment('--dataset', id, '--method', 'byol', '--count', '2', '--out', out);
    expect(byMethod.code, byMethod.stderr).toBe(0);
    expect(byMethod.result!.preset).toBe('byol-cifar');
    const dino = await augment('--dataset', id, '--preset', 'dino', '--count', '2', '--out', out);
    expect(dino.code, dino.stderr).toBe(0);
    expect(dino.result!.views.map((v) => v.size)).toEqual([16, 16, ...Array(8).fill(7)]);
    expect(existsSync(join(out, 'augment-dino.png'))).toBe(true);
    const meta = await sharp(dino.result!.file).metadata();
    expect(meta.channels).toBe(1);
  });

  it('renders the pretext tasks\' pieces (rotations, tiles, a patch pair) with their drawn targets', async () => {
    const { id } = toy(3);
    const out = join(tmp.dir, 'out');
    for (const [method, pieces, target] of [['rotation', 4, /^rotation/], ['jigsaw', 9, /^permutation #\d+$/], ['context', 2, /^neighbour (top|bottom|left|right)/]] as const) {
      const r = await augment('--dataset', id, '--method', method, '--count', '2', '--out', out);
      expect(r.code, r.stderr).toBe(0);
      expect(existsSync(join(out, `augment-${method}.png`))).toBe(true);
      for (const perImage of r.result!.ops) {
        const task = (perImage[0] as { task?: { target: string; pieces: string[] } }).task!;
        expect(task.pieces, method).toHaveLength(pieces);
        expect(task.target).toMatch(target);
      }
    }
  });

  it('shows what masked image modelling removes: a masked column drawn from the preview seed', async () => {
    const { id } = toy(1, 28);
    const out = join(tmp.dir, 'out');
    for (const [method, caption] of [['mae', /^37 of 49 patches removed \(random, ratio 0\.75\)$/], ['data2vec', /^blocks of patches removed/]] as const) {
      const r = await augment('--dataset', id, '--method', method, '--count', '2', '--out', out);
      expect(r.code, r.stderr).toBe(0);
      expect(r.result!.columns).toEqual(['original', 'view-1', 'masked']);
      expect((r.result as unknown as { masked: { caption: string } }).masked.caption).toMatch(caption);
      const meta = await sharp(r.result!.file).metadata();
      expect(meta.width).toBe(r.result!.width); // three columns of cells
    }
    expect((await augment('--dataset', id, '--method', 'simclr', '--count', '2', '--out', out)).result!.columns).not.toContain('masked');
  });

  it('names the bad input', async () => {
    const { id } = toy(3);
    const out = join(tmp.dir, 'out');
    expect((await augment('--dataset', 'nope', '--preset', 'simclr', '--out', out)).stderr).toMatch(/no dataset 'nope'/);
    expect((await augment('--dataset', id, '--preset', 'nope', '--out', out)).stderr).toMatch(/unknown augmentation preset 'nope'/);
    expect((await augment('--dataset', id, '--method', 'nope', '--out', out)).stderr).toMatch(/unknown method 'nope'/);
    expect((await augment('--dataset', id, '--preset', 'simclr')).stderr).toMatch(/--out is required/);
    expect((await augment('--dataset', id, '--preset', 'simclr', '--count', '0', '--out', out)).stderr).toMatch(/--count must be an integer from 1 to 256, got '0'/);
    const r = await augment('--dataset', id, '--out', out);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--preset or --method is required/);
  });
});

describe('viewGrid', () => {
  it('places each picture in its cell and fills the rest with the background', () => {
    const a = { size: 2, data: Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]) };
    const b = { size: 1, data: Float32Array.from([0.5, 1]) };
    const g = viewGrid([a, b], 2, 1, 1);
    expect([g.width, g.height]).toEqual([7, 7]);
    const rows = Array.from({ length: 7 }, (_, y) => Array.from(g.data.subarray(y * 7, y * 7 + 7)));
    expect(rows[1]).toEqual([48, 1, 2, 48, 128, 48, 48]);
    expect(rows[2]).toEqual([48, 3, 4, 48, 48, 48, 48]);
    expect(rows[4]).toEqual([48, 5, 6, 48, 255, 48, 48]);
    expect(() => viewGrid([a, b], 3, 1)).toThrow(/grid column 0: expected 12 values, got 8/);
  });

  it('fills the removed patches of each view with the background, and only those', () => {
    // Two 4-px views, 2-px patches (a 2×2 grid): view 0 loses patch 1 (top right), view 1 patches 0 and 3.
    const values = Float32Array.from({ length: 32 }, (_, i) => (i + 1) / 64);
    const { size, data } = maskedPictures(values, 2, 4, 1, 2, [[0, 1, 0, 0], [1, 0, 0, 1]]);
    expect(size).toBe(4);
    const bg = 48 / 255;
    const removed = (i: number, y: number, x: number) => (i === 0 ? y < 2 && x >= 2 : (y < 2 && x < 2) || (y >= 2 && x >= 2));
    for (let i = 0; i < 2; i++) for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) {
      const k = i * 16 + y * 4 + x;
      expect(data[k], `view ${i} (${y}, ${x})`).toBeCloseTo(removed(i, y, x) ? bg : values[k]!, 6);
    }
    expect(() => maskedPictures(values, 2, 4, 1, 2, [[0, 1, 0, 0]])).toThrow(/expected 2 masks of 2×2 patches/);
  });

  it('draws the methods\' masks as their steps do: mae keeps int(N · 0.25) patches, data2vec blocks up to 60 %', () => {
    const mae = methods['mae']!.previewMasks!(methods['mae']!.params, 28, 3, 5);
    expect(mae.patch).toBe(4);
    for (const m of mae.masks) expect(m.reduce((a, b) => a + b, 0)).toBe(37); // MAE keeps int(49 · 0.25) = 12
    expect(methods['mae']!.previewMasks!(methods['mae']!.params, 28, 3, 5).masks).toEqual(mae.masks); // seeded
    expect(methods['mae']!.previewMasks!(methods['mae']!.params, 28, 3, 6).masks).not.toEqual(mae.masks);
    const d2v = methods['data2vec']!.previewMasks!(methods['data2vec']!.params, 28, 3, 5);
    for (const m of d2v.masks) {
      const n = m.reduce((a, b) => a + b, 0);
      expect(n).toBeGreaterThan(0);
      expect(n).toBeLessThanOrEqual(Math.floor(0.6 * 49));
    }
    expect(methods['simclr']!.previewMasks).toBeUndefined();
  });

  it('spreads indices evenly over the dataset', () => {
    expect(spreadIndices(10, 4)).toEqual([0, 2, 5, 7]);
    expect(spreadIndices(3, 8)).toEqual([0, 1, 2]);
  });
});
