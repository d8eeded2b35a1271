import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import type { Evaluation } from '../../src-main/api/contract';
import { confusionOf, evaluationRole, latestOwn, perClassDifference, perClassOf, rowShares, supervisedBaselineOf } from '../../src-renderer/src/lib/logic/evaluations';
import ClassDiff from '../../src-renderer/src/views/evaluate/ClassDiff.svelte';
import ConfusionMatrix from '../../src-renderer/src/views/evaluate/ConfusionMatrix.svelte';
import EvaluationsTable from '../../src-renderer/src/views/evaluate/EvaluationsTable.svelte';
import { run } from './fixtures';

const confusion = { classes: ['cat', 'dog', 'eel'], counts: [[2, 1, 1], [1, 2, 0], [0, 0, 2]] };
const ev = (id: string, over: Partial<Evaluation> = {}): Evaluation => ({
  id, runId: 'r1', epoch: 5, kind: 'probe', params: { labelFraction: 1, seed: 0 }, result: { top1: 0.8, perClass: { cat: 0.5, dog: 2 / 3, eel: 1 }, confusion, seconds: 1.4 }, createdAt: `2026-01-01T00:00:0${id.length}Z`, ...over,
});
// As the engine stores them for a SimCLR run: its own probe (80 %), the random-init baseline
// (75 %, stored under the run at epoch 0), and the supervised baseline run's probe.
const own = ev('e-own');
const random = ev('e-random', { epoch: 0, params: { labelFraction: 1, seed: 0, baseline: 'random' }, result: { top1: 0.75 }, createdAt: '2026-01-01T00:00:09Z' });
const supervised = ev('e-sup', { runId: 'r-sup', epoch: 3, result: { top1: 0.9, perClass: { cat: 1 } }, createdAt: '2026-01-01T00:00:08Z' });

describe('Evaluate: baselines are never read as the run’s result', () => {
  it('marks the random-init row as a baseline, not as "Epoch 0", and the supervised run’s row as its baseline', () => {
    render(EvaluationsTable, { evals: [own, random, supervised], runId: 'r1' });
    const rows = screen.getAllByRole('row').slice(1);
    const byRole = Object.fromEntries(rows.map((r) => [r.getAttribute('data-role'), within(r).getAllByRole('cell').map((c) => c.textContent!.trim())]));
    expect(byRole['random-init']!.slice(0, 5)).toEqual(['probe 100%', 'random-init (baseline)', '75.0%', '—', 'untrained']);
    expect(byRole['supervised']!.slice(0, 3)).toEqual(['probe 100%', 'supervised (baseline) sup', '90.0%']);
    expect(byRole['run']!.slice(0, 5)).toEqual(['probe 100%', 'this run', '80.0%', '—', '5']);
    expect(screen.queryByText(/^0$/)).toBeNull();
  });

  it('the latest own result ignores newer baselines', () => {
    expect(latestOwn([own, random, supervised], 'r1', 'probe 100%')?.id).toBe('e-own');
    expect([own, random, supervised].map((e) => evaluationRole(e, 'r1'))).toEqual(['run', 'random-init', 'supervised']);
  });

  it('picks an evaluation with a confusion matrix; an older row without one says so', async () => {
    const onselect = vi.fn();
    render(EvaluationsTable, { evals: [own, random], runId: 'r1', onselect });
    expect(screen.getAllByRole('button', { name: 'per class' })).toHaveLength(1);
    await fireEvent.click(screen.getByRole('button', { name: 'per class' }));
    expect(onselect).toHaveBeenCalledWith('e-own');
    expect(confusionOf(random)).toBeNull();
    expect(confusionOf(ev('bad', { result: { confusion: { classes: ['a', 'b'], counts: [[1]] } } }))).toBeNull();
  });

  it('the supervised baseline is the newest trained supervised run of the dataset', () => {
    const runs = [run('s1', { method: 'supervised', createdAt: '2026-01-01T00:00:00Z' }), run('s2', { method: 'supervised', createdAt: '2026-01-03T00:00:00Z' }), run('s3', { method: 'supervised', epochsDone: 0, createdAt: '2026-01-04T00:00:00Z' }), run('x', { datasetId: 'd2', method: 'supervised' })];
    expect(supervisedBaselineOf(runs, run('r1'))?.id).toBe('s2');
    expect(supervisedBaselineOf(runs, runs[0])).toBeUndefined();
  });
});

describe('Evaluate: per-class results', () => {
  it('ConfusionMatrix shows a heatmap and the accuracy of each class from the counts', () => {
    render(ConfusionMatrix, { confusion, title: 'probe 100% confusion matrix' });
    expect(screen.getByLabelText('Confusion matrix: probe 100% confusion matrix')).toBeTruthy();
    const cells = screen.getAllByRole('row').slice(1).map((r) => within(r).getAllByRole('cell').map((c) => c.textContent));
    expect(cells).toEqual([['cat', '4', '50.0%'], ['dog', '3', '66.7%'], ['eel', '2', '100.0%']]);
    expect(rowShares(confusion)[0]).toEqual([0.5, 0.25, 0.25]);
  });

  it('ClassDiff lists A minus B per class, best for A first', () => {
    const diffs = perClassDifference(perClassOf(own)!, { cat: 0.75, dog: 2 / 3, eel: 0.5 });
    render(ClassDiff, { diffs, a: 'simclr', b: 'byol' });
    const table = screen.getByRole('table', { name: 'Per-class difference' });
    const cells = within(table).getAllByRole('row').slice(1).map((r) => within(r).getAllByRole('cell').map((c) => c.textContent));
    expect(cells).toEqual([['eel', '100.0%', '50.0%', '+50.0 pp'], ['dog', '66.7%', '66.7%', '0.0 pp'], ['cat', '50.0%', '75.0%', '-25.0 pp']]);
  });
});
