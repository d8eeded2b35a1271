/**
 * `pretext train --dry-run`: each run's config resolved as runs.create would (the method's
 * defaults, its recipe for the backbone, then the flags) with the notes on what a rule set;
 * nothing is stored.
 */
import { existsSync, readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listRuns } from '../../src-main/store/runs';
import { Workspace } from '../../src-main/store/workspace';
import { runCli } from '../helpers/cli';
import { makeTempDir } from '../helpers/tmp';
import { makeToyDataset } from '../helpers/toyDataset';

let tmp: ReturnType<typeof makeTempDir>;
let datasetId: string;

beforeAll(() => {
  tmp = makeTempDir('pretext-dryrun-');
  const ws = Workspace.open(tmp.dir);
  datasetId = makeToyDataset(ws);
  ws.close();
});
afterAll(() => tmp.cleanup());

const cli = (...args: string[]) => runCli(['--workspace', tmp.dir, '--backend', 'cpu', ...args]);

function storedRuns(): number {
  const ws = Workspace.open(tmp.dir);
  try {
    return listRuns(ws).length + (existsSync(ws.runsDir) ? readdirSync(ws.runsDir).length : 0);
  } finally {
    ws.close();
  }
}

describe('pretext train --dry-run', () => {
  it('shows the ViT recipe of mocov3 and dino with its note, the ResNet defaults elsewhere; stores nothing', async () => {
    const r = await cli('train', '--dataset', datasetId, '--method', 'mocov3,dino', '--backbone', 'vit-mini', '--batch', '16', '--epochs', '100', '--dry-run');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/mocov3 on vit-mini: adamw lr 0\.00015 per 256 \(0\.000009375 at batch 16\), weight decay 0\.1, warm-up 10 of 100 epochs/);
    expect(r.stdout).toMatch(/freezePatchEmbed=true/);
    expect(r.stdout).toMatch(/note: recipe: MoCo v3 ViT recipe/);
    expect(r.stdout).toMatch(/dino on vit-mini: adamw lr 0\.0005 per 256 .* weight decay 0\.04,/);
    const small = await cli('train', '--dataset', datasetId, '--method', 'mocov3', '--backbone', 'small', '--batch', '16', '--dry-run');
    expect(small.stdout).toMatch(/mocov3 on small: lars lr 0\.3 per 256/);
    expect(small.stdout).not.toMatch(/recipe/);
    expect(storedRuns()).toBe(0);
  });

  it('--json: the resolved configs with their notes; the flags win over the recipe', async () => {
    const r = await cli('--json', 'train', '--dataset', datasetId, '--method', 'mocov3', '--backbone', 'vit-mini', '--optimizer', 'lars', '--lr', '0.3', '--batch', '16', '--set', 'freezePatchEmbed=false', '--dry-run');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { dryRun: boolean; runs: { config: Record<string, unknown>; notes: string[] }[] };
    expect(out.dryRun).toBe(true);
    expect(out.runs).toHaveLength(1);
    const { config, notes } = out.runs[0]!;
    expect([config['optimizer'], config['lr'], config['weightDecay']]).toEqual(['lars', 0.3, 0.1]);
    expect((config['params'] as Record<string, unknown>)['freezePatchEmbed']).toBe(false);
    expect(config['recipe']).toMatch(/MoCo v3 ViT recipe/);
    expect(notes[0]).toMatch(/^recipe: MoCo v3 ViT recipe/);
    expect(storedRuns()).toBe(0);
  });
});
