import { afterAll, describe, expect, it } from 'vitest';
import { parseQualityArgs, summarize, type QualityRun } from '../../src-main/bench/quality';
import { runPeer, torchPython, writePeerConfig, writePeerData } from '../../src-main/bench/qualityPeer';
import { formatGapTable, gapStats, sampleStats } from '../../src-main/bench/qualityStats';
import { presetForMethod } from '../../src-main/ml/augment';
import { resolveConfig } from '../../src-main/ml/train/config';
import { loadTrainData } from '../../src-main/tasks/trainData';
import { getDataset } from '../../src-main/store/datasets';
import { Workspace } from '../../src-main/store/workspace';
import { makeTempDir } from '../helpers/tmp';
import { makeToyDataset } from '../helpers/toyDataset';

describe('bench quality statistics', () => {
  it('mean, sample std and the SE of the gap of two seed sets', () => {
    expect(sampleStats([1, 2, 3])).toEqual({ n: 3, mean: 2, std: 1 });
    expect(sampleStats([5])).toEqual({ n: 1, mean: 5, std: null });
    // Issue 17's SimCLR row: Pretext 69.05 / 69.95, PyTorch 70.15 / 69.40.
    const s = gapStats([69.05, 69.95], [70.15, 69.4]);
    expect(s.gap).toBeCloseTo(-0.275, 10);
    expect(s.pretext.std).toBeCloseTo(Math.sqrt(0.405), 10);
    expect(s.torch.std).toBeCloseTo(Math.sqrt(0.28125), 10);
    expect(s.se).toBeCloseTo(Math.sqrt((0.405 + 0.28125) / 2), 10);
    expect(s.bound).toBeCloseTo(2 * s.se!, 10);
    expect(s.within).toBe(true);
  });

  it('the verdict: max(0.5 pt, 2·SE), 0.5 pt alone with one seed', () => {
    const far = gapStats([72.5, 72.7], [68.5, 68.7]);
    expect(far.gap).toBeCloseTo(4, 10);
    expect(far.bound).toBe(0.5); // 2·SE = 0.28 < 0.5
    expect(far.within).toBe(false);
    const one = gapStats([70.3], [70]);
    expect(one.se).toBeNull();
    expect(one.bound).toBe(0.5);
    expect(one.within).toBe(true);
    expect(gapStats([70.6], [70]).within).toBe(false);
    const table = formatGapTable([{ method: 'simclr', stats: far }, { method: 'byol', stats: one }]);
    expect(table).toMatch(/simclr\s+2\s+72\.60 ± 0\.14\s+68\.60 ± 0\.14\s+\+4\.00\s+0\.14\s+0\.50\s+OUTSIDE/);
    expect(table).toMatch(/byol .*within \(1 seed: 0\.5 pt only\)/);
  });

  it('summarize: per epoch and method, in points, runs with both sides only', () => {
    const run = (method: string, seed: number, p: number[], t: number[] | null): QualityRun => ({
      method,
      seed,
      pretext: { knn: p, seconds: 1 },
      torch: t ? { knn: t, seconds: 1, recipe: {} } : null,
    });
    const rows = summarize([run('moco', 0, [0.5, 0.6], [0.52, 0.61]), run('moco', 1, [0.54, 0.62], [0.5, 0.6]), run('byol', 0, [0.4], null)], ['moco', 'byol'], 2);
    expect(rows.map((r) => [r.epoch, r.method])).toEqual([[1, 'moco'], [2, 'moco']]);
    expect(rows[0]!.stats.pretext.mean).toBeCloseTo(52, 10);
    expect(rows[1]!.stats.torch.mean).toBeCloseTo(60.5, 10);
  });

  it('parses its options and names a bad one', () => {
    const a = parseQualityArgs(['--sample', '--methods', 'simclr,byol', '--seeds', '0,1', '--limit', '3000', '--peer-set', 'clipLr=false']);
    expect(a).toMatchObject({ sample: true, methods: ['simclr', 'byol'], seeds: [0, 1], epochs: 2, limit: 3000, backbone: 'small', width: 0.5, batch: 128, peerSet: ['clipLr=false'] });
    expect(() => parseQualityArgs([])).toThrow(/exactly one of --dataset ID and --sample/);
    expect(() => parseQualityArgs(['--sample', '--methods', 'swav'])).toThrow(/unknown method 'swav'/);
    expect(() => parseQualityArgs(['--sample', '--seeds', '0,x'])).toThrow(/--seeds must be integers/);
  });
});

const found = torchPython();
const skipTorch = 'reason' in found ? found.reason : null;
if (skipTorch) console.log(`bench quality: the PyTorch peer case is skipped: ${skipTorch}`);

describe('bench quality PyTorch peer', () => {
  const tmp = makeTempDir('pretext-quality-');
  afterAll(() => tmp.cleanup());

  it.skipIf(skipTorch !== null)('trains one epoch of a recipe on a toy dataset and reports finite kNN numbers', { timeout: 60_000 }, async () => {
    const ws = Workspace.open(tmp.dir);
    try {
      const row = getDataset(ws, makeToyDataset(ws, { size: 8, perClassTrain: 12, perClassTest: 4 }))!;
      const data = loadTrainData(ws, row);
      const cfg = resolveConfig('byol', { epochs: 1, batch: 16, width: 0.25, seed: 0, params: { projHidden: 32, projOut: 16, predHidden: 32 } }, (b) => presetForMethod(b, 8));
      const steps: number[] = [];
      const r = await runPeer({
        python: (found as { python: string }).python,
        pixels: ws.path(row.pixelsFile),
        data: writePeerData(tmp.dir, data),
        config: writePeerConfig(tmp.dir, cfg, row.imageSize),
        threads: 1,
        onStep: (s, total) => steps.push(s, total),
      });
      expect(r).toMatchObject({ method: 'byol', seed: 0 });
      expect(r.epochs).toHaveLength(1);
      const e = r.epochs[0]!;
      expect(e.epoch).toBe(1);
      expect(Number.isFinite(e.loss)).toBe(true);
      expect(e.knn_top1).toBeGreaterThanOrEqual(0);
      expect(e.knn_top1).toBeLessThanOrEqual(1);
      // The resolved config states clip_lr (off by default), so the peer follows it rather than solo-learn's yaml.
      expect(cfg.clipLr).toBe(false);
      expect(r.recipe).toMatchObject({ clipLr: false, tau: [0.99, 1, 'cosine'] });
      expect(steps).toEqual([1, 3, 2, 3, 3, 3]);
    } finally {
      ws.close();
    }
  });
});
