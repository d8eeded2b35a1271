import { existsSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readPixels, getDataset } from '../../../src-main/store/datasets';
import { Workspace } from '../../../src-main/store/workspace';
import { spreadIndices, viewGrid } from '../../../src-main/ml/augment/grid';
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

  it('spreads indices evenly over the dataset', () => {
    expect(spreadIndices(10, 4)).toEqual([0, 2, 5, 7]);
    expect(spreadIndices(3, 8)).toEqual([0, 1, 2]);
  });
});
