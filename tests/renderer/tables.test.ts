import { describe, expect, it } from 'vitest';
import type { Evaluation, MetricPoint } from '../../src-main/api/contract';
import { fractionOf, metricsRows } from '../../src-renderer/src/lib/logic/metricsTable';
import { mergePoints, metricNames, seriesOf, smoothed } from '../../src-renderer/src/lib/logic/series';
import { fieldsOf, parseNumber, withValue } from '../../src-renderer/src/lib/logic/specForm';
import { run } from './fixtures';
import { baseLayout } from '../../src-renderer/src/lib/plot/plotly';

function ev(runId: string, kind: 'knn' | 'probe', top1: number, createdAt: string, labelFraction?: number): Evaluation {
  return { id: `${runId}-${kind}-${createdAt}`, runId, epoch: 2, kind, params: labelFraction === undefined ? {} : { labelFraction }, result: { top1 }, createdAt };
}

describe('metricsRows', () => {
  it('takes the latest evaluation per kind and label fraction, and the monitor kNN when no kNN evaluation exists', () => {
    const runs = [run('a', { latest: { knn_top1: 0.4 } }), run('b', { method: 'byol', latest: { knn_top1: 0.3 } })];
    const evals = [
      ev('a', 'probe', 0.5, '2026-01-01T01:00:00Z', 0.1),
      ev('a', 'probe', 0.6, '2026-01-01T02:00:00Z', 0.1),
      ev('a', 'probe', 0.7, '2026-01-01T01:30:00Z', 1),
      ev('b', 'knn', 0.35, '2026-01-01T01:00:00Z'),
    ];
    const [ra, rb] = metricsRows(runs, evals);
    expect(ra!.probe).toEqual({ '0.01': null, '0.1': 0.6, '1': 0.7 });
    expect(ra!.knn).toBe(0.4);
    expect(rb!.knn).toBe(0.35);
    expect(rb!.probe['1']).toBeNull();
    expect(ra!.backbone).toBe('small');
    expect(ra!.params).toBe(702_000);
    expect(metricsRows([run('c', { modelInfo: {} })], [])[0]!.params).toBeNull();
  });
  it('reads the label fraction under either spelling, 1 by default', () => {
    expect(fractionOf(ev('a', 'probe', 0.1, 't', 0.01))).toBe(0.01);
    expect(fractionOf({ ...ev('a', 'probe', 0.1, 't'), params: { label_fraction: 0.1 } })).toBe(0.1);
    expect(fractionOf(ev('a', 'probe', 0.1, 't'))).toBe(1);
  });
});

describe('series', () => {
  const pts: MetricPoint[] = [
    { name: 'loss', step: 2, epoch: 1, value: 4, wall: 2.5 },
    { name: 'loss', step: 1, epoch: 1, value: 5, wall: 1.0 },
    { name: 'lr', step: 1, epoch: 1, value: 0.1, wall: 1.0 },
    { name: 'zeta', step: 1, epoch: 1, value: 0, wall: 1.0 },
  ];
  it('sorts one metric by step, on the step or wall-clock axis', () => {
    expect(seriesOf(pts, 'loss')).toEqual({ name: 'loss', x: [1, 2], y: [5, 4] });
    expect(seriesOf(pts, 'loss', 'wall').x).toEqual([1.0, 2.5]);
    expect(smoothed(seriesOf(pts, 'loss'), 0).y).toEqual([5, 4]);
  });
  it('lists known metrics first', () => {
    expect(metricNames(pts)).toEqual(['loss', 'lr', 'zeta']);
  });
  it('merges new points, replacing a re-sent step', () => {
    const merged = mergePoints(pts, [{ name: 'loss', step: 2, epoch: 1, value: 3.9, wall: 2.6 }, { name: 'loss', step: 3, epoch: 1, value: 3.5, wall: 3 }]);
    expect(merged).toHaveLength(5);
    expect(seriesOf(merged, 'loss').y).toEqual([5, 3.9, 3.5]);
  });
});

describe('specForm', () => {
  const view = { name: 'view-1', size: 32, crop: { scale: [0.08, 1], ratio: [0.75, 1.333], interpolation: 'bicubic' }, flipProb: 0.5, blur: null, on: true };
  it('makes a field per leaf: numbers, min–max pairs, text, checkboxes, off steps, groups', () => {
    const f = fieldsOf(view);
    expect(f.map((x) => `${x.kind}:${x.label}`)).toEqual(['text:name', 'number:size', 'group:crop', 'number:flipProb', 'off:blur', 'boolean:on']);
    const crop = f[2]!;
    expect(crop.kind === 'group' && crop.fields.map((x) => x.kind)).toEqual(['range', 'range', 'text']);
  });
  it('edits one path and leaves the original untouched', () => {
    const edited = withValue(view, ['crop', 'scale'], [0.2, 1]);
    expect((edited['crop'] as { scale: number[] }).scale).toEqual([0.2, 1]);
    expect(view.crop.scale).toEqual([0.08, 1]);
    expect(() => withValue(view, ['blur', 'prob'], 1)).toThrow(/blur\.prob/);
  });
  it('parses numbers strictly', () => {
    expect(parseNumber('0.5')).toBe(0.5);
    expect(parseNumber('')).toBeNull();
    expect(parseNumber('abc')).toBeNull();
  });
});

describe('baseLayout', () => {
  it('themes the axes and keeps a chart’s own axis options', () => {
    const l = baseLayout(true, { xaxis: { title: { text: 'step' } }, height: 200 });
    expect(l['xaxis']).toEqual({ gridcolor: '#33363d', zerolinecolor: '#33363d', title: { text: 'step' } });
    expect((l['yaxis'] as Record<string, unknown>)['gridcolor']).toBe('#33363d');
    expect(l['height']).toBe(200);
    expect((baseLayout(false)['font'] as { color: string }).color).toBe('#2a2d33');
  });
});
