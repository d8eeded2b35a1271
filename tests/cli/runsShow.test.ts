/**
 * `runs show` and the report read a run's own evaluations, never the random-init baseline
 * stored under the same run at epoch 0 (issue 16: Compare showed the baseline's 75 % as the
 * SimCLR run's 80 %).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { insertEvaluation } from '../../src-main/store/evaluations';
import { updateRun } from '../../src-main/store/runs';
import { reportData } from '../../src-main/tasks/reportData';
import { runCli } from '../helpers/cli';
import { tinyRun, toyWorkspace, type ToyWorkspace } from '../helpers/evalRuns';

let t: ToyWorkspace;
let runId: string;

beforeEach(async () => {
  t = await toyWorkspace();
  runId = tinyRun(t, 'simclr', 2, 0);
  updateRun(t.ws, runId, { status: 'completed', epochsDone: 2 });
  // The run's own results first, then its random-init baseline (stored later, at epoch 0).
  const own = { runId, epoch: 2 };
  const baseline = { runId, epoch: 0 };
  insertEvaluation(t.ws, { ...own, kind: 'probe', params: { labelFraction: 1, seed: 0, optimizer: 'lbfgs' }, result: { top1: 0.8 } });
  insertEvaluation(t.ws, { ...own, kind: 'knn', params: { k: 200, temperature: 0.1 }, result: { top1: 0.6905 } });
  insertEvaluation(t.ws, { ...baseline, kind: 'probe', params: { labelFraction: 1, seed: 0, optimizer: 'lbfgs', baseline: 'random' }, result: { top1: 0.75 } });
  insertEvaluation(t.ws, { ...baseline, kind: 'knn', params: { k: 200, temperature: 0.1, baseline: 'random' }, result: { top1: 0.4 } });
});

afterEach(() => t.close());

describe('runs show', () => {
  it('prints the run’s own kNN and probe, and the random-init baseline apart', async () => {
    const text = await runCli(['--workspace', t.ws.dir, 'runs', 'show', runId]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('results  kNN 69.0%  probe 100% 80.0%');
    expect(text.stdout).toContain("baseline random-init encoder (not this run's result): kNN 40.0%  probe 100% 75.0%");
    const json = await runCli(['--workspace', t.ws.dir, '--json', 'runs', 'show', runId]);
    expect(JSON.parse(json.stdout)).toMatchObject({ results: { knnTop1: 0.6905, probeTop1: { '1': 0.8 } }, baselines: { randomInit: { knnTop1: 0.4, probeTop1: { '1': 0.75 } } } });
  });
});

describe('report data', () => {
  it('keeps the run’s result and its random-init baseline apart', () => {
    const [r] = reportData(t.ws, [runId]).runs;
    expect(r).toMatchObject({ knnTop1: 0.6905, knnSource: 'eval', probeTop1: { '1': 0.8 }, randomInit: { knnTop1: 0.4, probeTop1: { '1': 0.75 } } });
  });
});
