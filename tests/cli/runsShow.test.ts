/**
 * `runs show` and the report read a run's own evaluations, never the random-init baseline
 * stored under the same run at epoch 0 (issue 16: Compare showed the baseline's 75 % as the
 * SimCLR run's 80 %).
 */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src-main/ml/train/config';
import { insertEvaluation } from '../../src-main/store/evaluations';
import { createRun, updateRun } from '../../src-main/store/runs';
import { Workspace } from '../../src-main/store/workspace';
import { reportData } from '../../src-main/tasks/reportData';
import { runCli } from '../helpers/cli';
import { makeTempDir } from '../helpers/tmp';
import { makeToyDataset } from '../helpers/toyDataset';

let tmp: ReturnType<typeof makeTempDir>;
let dir: string;
let runId: string;

beforeEach(() => {
  tmp = makeTempDir();
  dir = join(tmp.dir, 'ws');
  const ws = Workspace.open(dir);
  const datasetId = makeToyDataset(ws);
  runId = createRun(ws, datasetId, 'simclr', resolveConfig('simclr', { epochs: 2, batch: 16 }, () => 'simclr-cifar')).id;
  updateRun(ws, runId, { status: 'completed', epochsDone: 2 });
  // The run's own results first, then its random-init baseline (stored later, at epoch 0).
  insertEvaluation(ws, { runId, epoch: 2, kind: 'probe', params: { labelFraction: 1, seed: 0, optimizer: 'lbfgs' }, result: { top1: 0.8 } });
  insertEvaluation(ws, { runId, epoch: 2, kind: 'knn', params: { k: 200, temperature: 0.1 }, result: { top1: 0.6905 } });
  insertEvaluation(ws, { runId, epoch: 0, kind: 'probe', params: { labelFraction: 1, seed: 0, optimizer: 'lbfgs', baseline: 'random' }, result: { top1: 0.75 } });
  insertEvaluation(ws, { runId, epoch: 0, kind: 'knn', params: { k: 200, temperature: 0.1, baseline: 'random' }, result: { top1: 0.4 } });
  ws.close();
});

afterEach(() => tmp.cleanup());

describe('runs show', () => {
  it('prints the run’s own kNN and probe, and the random-init baseline apart', async () => {
    const text = await runCli(['--workspace', dir, 'runs', 'show', runId]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('results  kNN 69.0%  probe 100% 80.0%');
    expect(text.stdout).toContain("baseline random-init encoder (not this run's result): kNN 40.0%  probe 100% 75.0%");
    const json = await runCli(['--workspace', dir, '--json', 'runs', 'show', runId]);
    expect(JSON.parse(json.stdout)).toMatchObject({ results: { knnTop1: 0.6905, probeTop1: { '1': 0.8 } }, baselines: { randomInit: { knnTop1: 0.4, probeTop1: { '1': 0.75 } } } });
  });
});

describe('report data', () => {
  it('keeps the run’s result and its random-init baseline apart', () => {
    const ws = Workspace.open(dir);
    try {
      const [r] = reportData(ws, [runId]).runs;
      expect(r).toMatchObject({ knnTop1: 0.6905, knnSource: 'eval', probeTop1: { '1': 0.8 }, randomInit: { knnTop1: 0.4, probeTop1: { '1': 0.75 } } });
    } finally {
      ws.close();
    }
  });
});
