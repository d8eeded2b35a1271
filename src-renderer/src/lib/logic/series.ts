/** Metric points of runs turned into plot traces (x by step or by wall-clock seconds). */
import type { MetricPoint } from '../../../../src-main/api/contract';
import { emaSmooth } from './ema';

export type XAxis = 'step' | 'wall';

export interface Series {
  name: string;
  x: number[];
  y: number[];
}

/** The points of one metric, sorted by step, as x/y arrays. */
export function seriesOf(points: readonly MetricPoint[], metric: string, axis: XAxis = 'step'): Series {
  const pts = points.filter((p) => p.name === metric).sort((a, b) => a.step - b.step);
  return { name: metric, x: pts.map((p) => (axis === 'step' ? p.step : p.wall)), y: pts.map((p) => p.value) };
}

/** The same series smoothed (EMA weight in [0, 1)). */
export function smoothed(s: Series, weight: number): Series {
  return { ...s, y: emaSmooth(s.y, weight) };
}

/** The metric names present, in a stable display order (known ones first). */
const ORDER = ['loss', 'lr', 'knn_top1', 'feature_std', 'uniformity', 'alignment', 'views_per_s'];
export function metricNames(points: readonly MetricPoint[]): string[] {
  const names = [...new Set(points.map((p) => p.name))];
  const rank = (n: string) => (ORDER.includes(n) ? ORDER.indexOf(n) : ORDER.length);
  return names.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/** Appends new points to a list, replacing any with the same name and step (a resumed run re-sends). */
export function mergePoints(into: readonly MetricPoint[], more: readonly MetricPoint[]): MetricPoint[] {
  const key = (p: MetricPoint) => `${p.name}\u0000${p.step}`;
  const seen = new Map(into.map((p, i) => [key(p), i]));
  const out = into.slice();
  for (const p of more) {
    const i = seen.get(key(p));
    if (i === undefined) {
      seen.set(key(p), out.length);
      out.push(p);
    } else out[i] = p;
  }
  return out;
}
