// Stored evaluations from before confusion matrices were kept stay readable; a random-init
// baseline stored without one is evaluated again (with it) rather than reused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertEvaluation, listEvaluations } from '../../src-main/store/evaluations';
import { evalKnnWithBaselines } from '../../src-main/tasks/evaluate';
import { runTraining } from '../../src-main/tasks/train';
import { tinyRun, toyWorkspace, type ToyWorkspace } from '../helpers/evalRuns';

let toy: ToyWorkspace;
let runId: string;

beforeAll(async () => {
  toy = await toyWorkspace();
  runId = tinyRun(toy, 'simclr', 1, 7);
  await runTraining(toy.ws, runId);
}, 120_000);
afterAll(() => toy.close());

describe('evaluations with confusion matrices', () => {
  it('reads older rows without one, and evaluates an older random-init baseline again', async () => {
    const params = { k: 10, temperature: 0.1 };
    const old = insertEvaluation(toy.ws, { runId, epoch: 0, kind: 'knn', params: { ...params, baseline: 'random' }, result: { top1: 0.25, perClass: { class0: 0.25 }, seconds: 1 } });
    expect(listEvaluations(toy.ws, [runId]).map((e) => [e.id, e.result['confusion']])).toEqual([[old.id, undefined]]);
    const { rows } = await evalKnnWithBaselines(toy.ws, runId, params);
    expect(rows.map((r) => r.role)).toEqual(['run', 'random-init']);
    const random = rows[1]!.evaluation;
    expect(random.id).not.toBe(old.id);
    expect(random.params).toEqual({ ...params, baseline: 'random' });
    for (const r of rows) {
      const c = r.evaluation.result['confusion'] as { classes: string[]; counts: number[][] };
      expect(c.classes).toEqual(['class0', 'class1', 'class2', 'class3']);
      expect(c.counts.flat().reduce((a, b) => a + b, 0)).toBe(24);
    }
    // Stored now: the next call reuses it.
    const again = await evalKnnWithBaselines(toy.ws, runId, params);
    expect(again.rows[1]!.evaluation.id).toBe(random.id);
  });
});
