// The pretext tasks, the patch-level contrastive methods and masked image modelling (issue 13),
// end to end as a user runs them on their own pictures: a folder of 3-channel PNGs imported with
// `pretext import`, then one `pretext train` comparison per backbone family, 1 epoch each.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli';
import { makeTempDir } from '../helpers/tmp';

let tmp: ReturnType<typeof makeTempDir>;
let datasetId: string;

const cli = (...args: string[]) => runCli(['--workspace', join(tmp.dir, 'ws'), '--backend', 'wasm', ...args]);

/** Two classes of 16 colour pictures, 20 px: a red square on blue, a green bar on yellow, with seeded noise. */
async function writeFolder(dir: string): Promise<void> {
  let s = 7;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (const cls of ['squares', 'bars']) {
    mkdirSync(join(dir, cls), { recursive: true });
    for (let i = 0; i < 16; i++) {
      const px = Buffer.alloc(20 * 20 * 3);
      for (let y = 0; y < 20; y++) {
        for (let x = 0; x < 20; x++) {
          const inside = cls === 'squares' ? x > 5 && x < 14 && y > 5 && y < 14 : x > 8 && x < 12;
          const rgb = cls === 'squares' ? (inside ? [200, 40, 30] : [30, 50, 180]) : inside ? [40, 190, 60] : [210, 200, 40];
          for (let c = 0; c < 3; c++) px[(y * 20 + x) * 3 + c] = Math.min(255, Math.floor(rgb[c]! + rnd() * 40));
        }
      }
      await sharp(px, { raw: { width: 20, height: 20, channels: 3 } }).png().toFile(join(dir, cls, `${i}.png`));
    }
  }
}

beforeAll(async () => {
  tmp = makeTempDir();
  await writeFolder(join(tmp.dir, 'pictures'));
  const r = await cli('--json', 'import', join(tmp.dir, 'pictures'), '--size', '16', '--name', 'pictures');
  expect(r.code, r.stderr).toBe(0);
  const ds = JSON.parse(r.stdout) as { id: string; channels: number; imported: number };
  expect([ds.channels, ds.imported]).toEqual([3, 32]);
  datasetId = ds.id;
}, 60_000);
afterAll(() => tmp.cleanup());

interface TrainOut {
  runs: { method: string; status: string; epochs: number; metrics: Record<string, number> }[];
}

async function train(methods: string[], extra: string[]): Promise<TrainOut> {
  const r = await cli('--json', 'train', '--dataset', datasetId, '--method', methods.join(','), '--epochs', '1', '--batch', '8', '--width', '0.25', ...extra);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as TrainOut;
}

function expectTrained(out: TrainOut, methods: string[]): void {
  expect(out.runs.map((x) => x.method)).toEqual(methods);
  for (const run of out.runs) {
    expect(run.status, run.method).toBe('completed');
    expect(Number.isFinite(run.metrics['loss']), `${run.method} loss ${run.metrics['loss']}`).toBe(true);
    expect(run.metrics['knn_top1'], run.method).toBeGreaterThanOrEqual(0);
  }
}

describe('issue 13 methods on an imported folder of colour pictures', () => {
  it('the ResNet methods train an epoch and are evaluated', { timeout: 300_000 }, async () => {
    const names = ['rotation', 'jigsaw', 'context', 'counting', 'pirl', 'cpc'];
    const out = await train(names, ['--backbone', 'small', '--set', 'hidden=16', '--set', 'permutations=10', '--set', 'projOut=8', '--set', 'negatives=16', '--set', 'counts=8']);
    expectTrained(out, names);
  });

  it('masked image modelling trains on a ViT', { timeout: 300_000 }, async () => {
    const names = ['mae', 'data2vec'];
    const out = await train(names, ['--backbone', 'vit-mini', '--set', 'decoderDim=16', '--set', 'decoderDepth=1', '--set', 'decoderHeads=2']);
    expectTrained(out, names);
  });
});
