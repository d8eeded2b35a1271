import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Workspace } from '../../src-main/store/workspace';
import { listEvaluations } from '../../src-main/store/evaluations';
import { createRun } from '../../src-main/store/runs';
import { presetForMethod } from '../../src-main/ml/augment';
import { resolveConfig } from '../../src-main/ml/train/config';
import { runCli } from '../helpers/cli';
import { makeTempDir } from '../helpers/tmp';
import { makeToyDataset } from '../helpers/toyDataset';

let tmp: ReturnType<typeof makeTempDir>;
let datasetId: string;
let runId: string;
const tiny = ['--backbone', 'small', '--width', '0.25', '--batch', '16', '--epochs', '1', '--set', 'projHidden=16', '--set', 'projOut=8'];
const cli = (...args: string[]) => runCli(['--workspace', tmp.dir, '--backend', 'wasm', ...args]);

interface Row {
  role: string;
  runId: string;
  method: string;
  evaluation: { id: string; kind: string; epoch: number; params: Record<string, unknown>; result: Record<string, number | Record<string, number>> };
}

beforeAll(async () => {
  tmp = makeTempDir();
  const ws = Workspace.open(tmp.dir);
  datasetId = makeToyDataset(ws);
  ws.close();
  const r = await cli('--json', 'train', '--dataset', datasetId, '--method', 'simclr', ...tiny);
  expect(r.code, r.stderr).toBe(0);
  runId = (JSON.parse(r.stdout) as { id: string }).id;
}, 120_000);
afterAll(() => tmp.cleanup());

describe('pretext eval', () => {
  it('knn: the run and its random-init encoder in one table; --json prints {rows}', { timeout: 60_000 }, async () => {
    const human = await cli('eval', 'knn', runId, '--k', '10');
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/^run\s+method\s+encoder\s+epoch\s+top-1/m);
    expect(human.stdout).toMatch(new RegExp(`${runId}\\s+simclr\\s+random-init\\s+0\\s`));
    expect(human.stdout).toMatch(/per class/);
    const json = await cli('--json', 'eval', 'knn', runId.slice(0, 8), '--k', '10', '--temperature', '0.07');
    expect(json.code, json.stderr).toBe(0);
    const out = JSON.parse(json.stdout) as { rows: Row[] };
    expect(out.rows.map((r) => r.role)).toEqual(['run', 'random-init']);
    expect(out.rows[0]!.evaluation.params).toEqual({ k: 10, temperature: 0.07 });
    expect(out.rows[0]!.evaluation.result['top1']).toBeGreaterThanOrEqual(0);
    // Each row (the run's and the baseline's) carries its confusion matrix: rows true class,
    // columns predicted, counts; its diagonal over its row sums is the per-class accuracy.
    for (const row of out.rows) {
      const res = row.evaluation.result as unknown as { top1: number; testCount: number; perClass: Record<string, number>; confusion: { classes: string[]; counts: number[][] } };
      expect(res.confusion.classes).toEqual(['class0', 'class1', 'class2', 'class3']);
      expect(res.confusion.counts.map((r) => r.reduce((a, b) => a + b, 0))).toEqual([6, 6, 6, 6]);
      expect(res.confusion.counts.flat().reduce((a, b) => a + b, 0)).toBe(res.testCount);
      res.confusion.classes.forEach((c, i) => expect(res.perClass[c]).toBeCloseTo(res.confusion.counts[i]![i]! / 6, 12));
      expect(res.top1).toBeCloseTo(res.confusion.counts.reduce((s, r, i) => s + r[i]!, 0) / 24, 12);
    }
    expect(out.rows[1]!.evaluation.params['baseline']).toBe('random');
    expect(human.stdout).toMatch(/confusion \(rows: true class, columns: predicted class, counts\):\n\s+0\s+1\s+2\s+3\n\s+0\s+class0(\s+\d+){4}\n/);
  });

  it('probe: few-label protocol, with the supervised baseline once one is trained', { timeout: 120_000 }, async () => {
    const sup = await cli('--json', 'train', '--dataset', datasetId, '--method', 'supervised', '--backbone', 'small', '--width', '0.25', '--batch', '16', '--epochs', '1');
    expect(sup.code, sup.stderr).toBe(0);
    const supId = (JSON.parse(sup.stdout) as { id: string }).id;
    const r = await cli('--json', 'eval', 'probe', runId, '--label-fraction', '0.1', '--seed', '3');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { rows: Row[] };
    expect(out.rows.map((x) => [x.role, x.runId])).toEqual([
      ['run', runId],
      ['random-init', runId],
      ['supervised', supId],
    ]);
    for (const row of out.rows) {
      const res = row.evaluation.result;
      expect((res['confusion'] as unknown as { counts: number[][] }).counts.flat().reduce((a, b) => a + b, 0)).toBe(24);
      expect(res['trainCount']).toBe(4); // 10 % of 12 per class, rounded: 1 each
      expect(res['testCount']).toBe(24);
      expect(res['top5']).toBe(1); // 4 classes
      expect(row.evaluation.params).toMatchObject({ labelFraction: 0.1, seed: 3 });
    }
    const ws = Workspace.open(tmp.dir);
    try {
      const kinds = listEvaluations(ws, [runId, supId]).map((e) => `${e.runId === runId ? 'run' : 'sup'}:${e.kind}:${e.params['baseline'] ?? 'trained'}`);
      expect(kinds).toEqual(expect.arrayContaining(['run:probe:trained', 'run:probe:random', 'sup:probe:trained']));
    } finally {
      ws.close();
    }
    const human = await cli('eval', 'probe', runId, '--label-fraction', '0.1', '--seed', '3');
    expect(human.stdout).toMatch(/top-5/);
    expect(human.stdout).toMatch(new RegExp(`${supId}\\s+supervised\\s+trained`));
  });

  it('diagnostics: prints the collapse numbers and returns the contract shape', async () => {
    const r = await cli('--json', 'eval', 'diagnostics', runId);
    expect(r.code, r.stderr).toBe(0);
    const d = JSON.parse(r.stdout) as { runId: string; epoch: number; alignment: number; uniformity: number; effectiveRank: number; dim: number; perDimStd: number[] };
    expect(d.runId).toBe(runId);
    expect(d.perDimStd).toHaveLength(d.dim);
    expect(d.effectiveRank).toBeGreaterThan(0);
    const human = await cli('eval', 'diagnostics', runId);
    expect(human.stdout).toMatch(/effective rank\s+[\d.]+ of \d+/);
  });

  it('rejects bad input, naming it', async () => {
    const none = await cli('eval', 'knn', 'run-nope');
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/no run 'run-nope'/);
    const frac = await cli('eval', 'probe', runId, '--label-fraction', '0.5');
    // A bad option value is a usage error, checked against the option's schema before any work.
    expect(frac.code).toBe(2);
    expect(frac.stderr).toMatch(/--label-fraction must be one of 0.01, 0.1, 1, got '0.5'/);
    const which = await cli('eval', 'linear', runId);
    expect(which.code).toBe(2);
    expect(which.stderr).toMatch(/unknown evaluation 'linear'/);
    const misplaced = await cli('eval', 'probe', runId, '--k', '5');
    expect(misplaced.code).toBe(2);
    expect(misplaced.stderr).toMatch(/--k does not apply to 'eval probe'/);
    const notNumber = await cli('eval', 'knn', runId, '--k', 'many');
    expect(notNumber.code).toBe(2);
    expect(notNumber.stderr).toMatch(/--k must be a number, got 'many'/);
    // Training refuses a batch larger than the train split before storing a run (exit 2)...
    const refused = await cli('--json', 'train', '--dataset', datasetId, '--method', 'simclr', '--batch', '1000', '--epochs', '1');
    expect(refused.code).toBe(2);
    // ...so a run without a checkpoint is one that was queued and never trained.
    const ws = Workspace.open(tmp.dir);
    const failed = createRun(ws, datasetId, 'simclr', resolveConfig('simclr', { epochs: 1 }, (b) => presetForMethod(b, 8)));
    ws.close();
    const noCkpt = await cli('eval', 'knn', failed.id);
    expect(noCkpt.code).toBe(1);
    expect(noCkpt.stderr).toMatch(new RegExp(`run ${failed.id} has no checkpoint yet \\(train it first\\)`));
  });
});
