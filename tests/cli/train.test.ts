import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readdirSync } from 'node:fs';
import { resolveConfig } from '../../src-main/ml/train/config';
import { createRun, deleteRun, getRun, listRuns, updateRun } from '../../src-main/store/runs';
import { Workspace } from '../../src-main/store/workspace';
import { runCli } from '../helpers/cli';
import { makeTempDir } from '../helpers/tmp';
import { makeToyDataset } from '../helpers/toyDataset';

let tmp: ReturnType<typeof makeTempDir>;
let datasetId: string;
const tiny = ['--backbone', 'small', '--width', '0.25', '--batch', '16', '--set', 'projHidden=16', '--set', 'projOut=8', '--set', 'predHidden=16'];
/** `tiny` for a method without a predictor: an option no method of the request has is an error. */
const tinyNoPredictor = tiny.slice(0, -2);

beforeAll(() => {
  tmp = makeTempDir();
  const ws = Workspace.open(tmp.dir);
  datasetId = makeToyDataset(ws);
  ws.close();
});
afterAll(() => tmp.cleanup());

const cli = (...args: string[]) => runCli(['--workspace', tmp.dir, '--backend', 'wasm', ...args]);

/** The stored runs and their folders. */
function runIds(): { rows: string[]; folders: string[] } {
  const ws = Workspace.open(tmp.dir);
  try {
    const folders = existsSync(ws.runsDir) ? readdirSync(ws.runsDir).sort() : [];
    return { rows: listRuns(ws).map((r) => r.id), folders };
  } finally {
    ws.close();
  }
}

describe('pretext train / runs', () => {
  it('trains a comparison of two methods and prints one JSON summary', { timeout: 120_000 }, async () => {
    const r = await cli('--json', 'train', '--dataset', datasetId, '--method', 'simclr,byol', '--epochs', '2', ...tiny);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { runs: { id: string; method: string; backend: string; status: string; epochs: number; metrics: Record<string, number> }[] };
    expect(out.runs.map((x) => x.method)).toEqual(['simclr', 'byol']);
    for (const run of out.runs) {
      expect(run.status).toBe('completed');
      expect(run.backend).toBe('wasm');
      expect(run.epochs).toBe(2);
      expect(run.metrics['knn_top1']).toBeGreaterThanOrEqual(0);
      expect(Number.isFinite(run.metrics['loss'])).toBe(true);
    }
    expect(r.stderr).toMatch(/backend: wasm/);
    expect(r.stderr).toMatch(/epoch 2:.*knn_top1/);

    const list = JSON.parse((await cli('--json', 'runs', 'list')).stdout) as { runs: { id: string; status: string }[] };
    expect(list.runs.map((x) => x.id)).toEqual(out.runs.map((x) => x.id));
    const show = JSON.parse((await cli('--json', 'runs', 'show', out.runs[0]!.id)).stdout) as { epochs: { epoch: number; knn_top1: number }[]; config: { method: string; params: Record<string, unknown> } };
    expect(show.epochs.map((e) => e.epoch)).toEqual([1, 2]);
    expect(show.config.method).toBe('simclr');
    expect(show.config.params['projOut']).toBe(8);
    const again = await cli('runs', 'resume', out.runs[0]!.id);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already completed/);
  });

  it('trains the contrastive-loss family end to end; per-term metrics reach runs show', { timeout: 120_000 }, async () => {
    const r = await cli('--json', 'train', '--dataset', datasetId, '--method', 'dcl,vicreg', '--epochs', '1', ...tinyNoPredictor);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { runs: { id: string; method: string; status: string; metrics: Record<string, number> }[] };
    expect(out.runs.map((x) => [x.method, x.status])).toEqual([['dcl', 'completed'], ['vicreg', 'completed']]);
    for (const run of out.runs) expect(Number.isFinite(run.metrics['loss'])).toBe(true);
    const show = JSON.parse((await cli('--json', 'runs', 'show', out.runs[1]!.id)).stdout) as { epochs: Record<string, number>[] };
    expect(show.epochs[0]!['loss_invariance']).toBeGreaterThanOrEqual(0);
    expect((await cli('train', '--help')).stdout).toMatch(/dcl/);
  });

  it('rejects bad options before training, naming them', async () => {
    const bad = await cli('train', '--dataset', datasetId, '--method', 'simclr', '--epochs', 'ten');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--epochs must be a number, got 'ten'/);
    const unknown = await cli('train', '--dataset', datasetId, '--method', 'nope');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown method 'nope'/);
    // A repeated --method adds to the comparison (it used to keep only the last one).
    const repeated = await cli('train', '--dataset', datasetId, '--method', 'nope2', '--method', 'simclr');
    expect(repeated.code).toBe(2);
    expect(repeated.stderr).toMatch(/unknown method 'nope2'/);
    const noData = await cli('train', '--dataset', 'ds-missing', '--method', 'simclr');
    expect(noData.code).toBe(1);
    expect(noData.stderr).toMatch(/no dataset 'ds-missing'/);
    const before = runIds();
    const bigBatch = await cli('--json', 'train', '--dataset', datasetId, '--method', 'simclr', '--batch', '1000', '--epochs', '1');
    expect(bigBatch.code).toBe(2);
    expect(bigBatch.stderr).toMatch(/48 training images, fewer than one batch of 1000/);
    // Checked before anything is stored: no failed run, no runs/<id> folder.
    expect(runIds()).toEqual(before);
  });

  // Issue 11, defects 4, 6 and 9: a request that cannot train stores nothing and exits 2.
  it('validates the whole request before storing a run', { timeout: 60_000 }, async () => {
    const before = runIds();
    const cases: [string[], RegExp][] = [
      [['--method', 'simclr', '--backbone', 'nope'], /unknown backbone 'nope' \(known: resnet18, resnet34, small, vit-tiny, vit-mini\)/],
      [['--method', 'simclr', '--preset', 'nope'], /unknown augmentation preset 'nope'/],
      [['--method', 'simclr', '--preset', 'constructor'], /unknown augmentation preset 'constructor'/],
      [['--method', 'simclr', '--set', 'nope=1'], /method simclr has no option 'nope' \(options: projHidden, projOut, temperature, input\)/],
      [['--method', 'simclr', '--set', 'temprature=0.5'], /no option 'temprature' \(did you mean 'temperature'\?\)/],
      [['--method', 'simclr,byol', '--set', 'nope=1'], /no method of simclr, byol has an option 'nope'/],
      [['--method', 'simclr', '--set', 'constructor=1'], /method simclr has no option 'constructor'/],
      [['--method', 'constructor'], /unknown method 'constructor'/],
      [['--method', 'toString'], /unknown method 'toString'/],
      [['--method', '__proto__'], /unknown method '__proto__'/],
    ];
    for (const [args, message] of cases) {
      const r = await cli('train', '--dataset', datasetId, '--epochs', '1', '--batch', '16', ...args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(message);
    }
    const ws = Workspace.open(tmp.dir);
    const oneClass = makeToyDataset(ws, { classes: 1, seed: 2 });
    const oneImage = makeToyDataset(ws, { classes: 1, perClassTrain: 1, perClassTest: 0, seed: 3 });
    ws.close();
    const supervised = await cli('train', '--dataset', oneClass, '--method', 'supervised', '--epochs', '1', '--batch', '4');
    expect(supervised.code, supervised.stderr).toBe(2);
    expect(supervised.stderr).toMatch(/supervised needs a labelled dataset with at least 2 classes/);
    const single = await cli('train', '--dataset', oneImage, '--method', 'simclr', '--epochs', '1');
    expect(single.code, single.stderr).toBe(2);
    expect(single.stderr).toMatch(/1 training images, fewer than one batch of 128/);
    expect(runIds()).toEqual(before);
  });

  // Issue 11, defect 5: resuming a run whose stored config cannot train fails and leaves it as it was.
  it('refuses to resume a run whose config is invalid, without setting it running', async () => {
    const ws = Workspace.open(tmp.dir);
    try {
      const cfg = resolveConfig('simclr', { epochs: 1, batch: 16 }, () => 'simclr-cifar');
      const id = createRun(ws, datasetId, 'simclr', { ...cfg, preset: 'nope' }).id;
      updateRun(ws, id, { status: 'interrupted' });
      const r = await cli('runs', 'resume', id);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/cannot resume: .*unknown augmentation preset 'nope'/);
      expect(getRun(ws, id)!.status).toBe('interrupted');
      deleteRun(ws, id);
    } finally {
      ws.close();
    }
  });
});

/** Small options of the killed methods: BYOL (EMA target), instdisc (memory bank), SwAV (multi-crop, queue, frozen prototypes). */
const KILLED: [string, string[]][] = [
  ['byol', tiny],
  ['instdisc', [...tiny.slice(0, 6), '--set', 'projOut=8', '--set', 'negatives=16']],
  ['swav', [...tinyNoPredictor, '--set', 'prototypes=10', '--set', 'queueSize=16']],
];

describe('a training process killed mid-run', () => {
  it.each(KILLED)('loses at most the epoch in progress and resumes to the same record as an uninterrupted run (%s)', { timeout: 240_000 }, async (method, small) => {
    const { spawn } = await import('node:child_process');
    const { join } = await import('node:path');
    const args = ['train', '--dataset', datasetId, '--method', method, '--epochs', '8', '--seed', '9', ...small];
    const straight = JSON.parse((await cli('--json', ...args)).stdout) as { id: string };

    const { listRuns } = await import('../../src-main/store/runs');
    const before = (() => {
      const w = Workspace.open(tmp.dir);
      try {
        return new Set(listRuns(w).map((r) => r.id));
      } finally {
        w.close();
      }
    })();
    const bin = join(__dirname, '..', '..', 'src-main', 'cli', 'bin.mjs');
    const child = spawn(process.execPath, [bin, '--workspace', tmp.dir, '--backend', 'wasm', ...args], { stdio: 'ignore' });
    const exited = new Promise((r) => child.once('exit', r));
    const ws = Workspace.open(tmp.dir);
    try {
      // Kill -9 once the first checkpoint is on disk and before the run can finish.
      const deadline = Date.now() + 120_000;
      let killedId: string | undefined;
      while (Date.now() < deadline && !killedId) {
        const run = listRuns(ws).find((r) => !before.has(r.id)); // the child's run only
        // Early (1–2 of 8 epochs done), so the run cannot finish before the signal lands.
        if (run && run.epochsDone >= 1 && run.epochsDone <= 2) {
          child.kill('SIGKILL');
          killedId = run.id;
        }
        await new Promise((r) => setTimeout(r, 20));
      }
      await exited;
      expect(killedId).toBeDefined();
      const listed = JSON.parse((await cli('--json', 'runs', 'list')).stdout) as { runs: { id: string; status: string }[] };
      expect(listed.runs.find((r) => r.id === killedId)!.status).toBe('interrupted');

      const resumed = await cli('--json', 'runs', 'resume', killedId!);
      expect(resumed.code, resumed.stderr).toBe(0);
      const { runMetrics } = await import('../../src-main/store/runs');
      const record = (id: string) => runMetrics(ws, id).filter((m) => m.name !== 'views_per_s').map((m) => [m.name, m.step, m.value]);
      expect(record(killedId!)).toEqual(record(straight.id));
    } finally {
      ws.close();
    }
  });
});

describe('pretext runs cancel', () => {
  it('stops a run training in another process after its current step; the run stays resumable', { timeout: 240_000 }, async () => {
    const { spawn } = await import('node:child_process');
    const { join } = await import('node:path');
    const { listRuns } = await import('../../src-main/store/runs');
    const ws = Workspace.open(tmp.dir);
    const before = new Set(listRuns(ws).map((r) => r.id));
    const bin = join(__dirname, '..', '..', 'src-main', 'cli', 'bin.mjs');
    const args = ['train', '--dataset', datasetId, '--method', 'simclr', '--epochs', '20', '--seed', '4', ...tinyNoPredictor];
    const child = spawn(process.execPath, [bin, '--workspace', tmp.dir, '--backend', 'wasm', ...args], { stdio: 'ignore' });
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    try {
      let id: string | undefined;
      const deadline = Date.now() + 120_000;
      while (!id && Date.now() < deadline) {
        const run = listRuns(ws).find((r) => !before.has(r.id) && r.epochsDone >= 1);
        id = run?.id;
        if (!id) await new Promise((r) => setTimeout(r, 20));
      }
      expect(id).toBeDefined();
      const cancelled = await cli('--json', 'runs', 'cancel', id!);
      expect(cancelled.code, cancelled.stderr).toBe(0);
      expect(JSON.parse(cancelled.stdout)).toEqual({ id, status: 'cancelled' });
      expect(await exited).toBe(130);
      const run = listRuns(ws).find((r) => r.id === id)!;
      expect(run.epochsDone).toBeGreaterThanOrEqual(1);
      expect(run.epochsDone).toBeLessThan(20);
      const again = await cli('runs', 'cancel', id!);
      expect(again.code).toBe(1);
      expect(again.stderr).toMatch(/is not training \(status cancelled\)/);
    } finally {
      child.kill('SIGKILL');
      ws.close();
    }
  });
});
