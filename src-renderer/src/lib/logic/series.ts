/** Metric points of runs turned into plot traces (x by step or by wall-clock seconds). */
import type { MetricPoint } from '../../../../src-main/api/contract';
import { emaSmooth } from './ema';
import { metricMeta } from './format';

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

/** The x axis a metric is drawn on: per-epoch metrics by epoch (1, 2, …) unless on the wall clock. */
export type Axis = 'step' | 'epoch' | 'wall';

export function axisFor(metric: string, axis: XAxis): Axis {
  return axis === 'wall' ? 'wall' : metricMeta(metric).perStep ? 'step' : 'epoch';
}

export interface Curve extends Series {
  axis: Axis;
  /** Lines for per-step series, lines and markers per epoch, markers alone for one point. */
  mode: 'lines' | 'markers' | 'lines+markers';
}

/**
 * One metric of a run as a chart draws it: per-epoch metrics on the epoch axis (epoch + 1),
 * fractions as percentages, EMA smoothing for per-step series only (a per-epoch value is
 * drawn where it is).
 */
export function curveOf(points: readonly MetricPoint[], metric: string, axis: XAxis = 'step', smoothing = 0): Curve {
  const meta = metricMeta(metric);
  const on = axisFor(metric, axis);
  const pts = points.filter((p) => p.name === metric).sort((a, b) => a.step - b.step);
  const x = pts.map((p) => (on === 'wall' ? p.wall : on === 'epoch' ? p.epoch + 1 : p.step));
  let y = pts.map((p) => (meta.percent ? p.value * 100 : p.value));
  if (meta.perStep && smoothing > 0) y = emaSmooth(y, smoothing);
  const mode = x.length <= 1 ? 'markers' : meta.perStep ? 'lines' : 'lines+markers';
  return { name: metric, x, y, axis: on, mode };
}

const AXIS_TITLES: Record<Axis, string> = { step: 'step', epoch: 'epoch', wall: 'training time (s)' };

/**
 * Plotly axis options: the axis title, and on the epoch axis integer ticks only (a single epoch
 * sits at 1 with ticks around it, never at fractional or negative epochs).
 */
export function xAxisLayout(axis: Axis, curves: readonly { x: readonly number[] }[]): Record<string, unknown> {
  const title = { text: AXIS_TITLES[axis] };
  if (axis !== 'epoch') return { title };
  const last = Math.max(1, ...curves.flatMap((c) => c.x));
  return { title, tickmode: 'linear', tick0: 1, dtick: Math.max(1, Math.ceil(last / 10)), range: [0.5, last + 0.5], tickformat: 'd' };
}

/**
 * The y axis of a metric: its label and unit; percentages on a 0–100 scale; a single value (the
 * random run's one epoch) between 0 and twice it, not plotly's ±1 around it.
 */
export function yAxisLayout(metric: string, curves: readonly { y: readonly number[] }[] = []): Record<string, unknown> {
  const meta = metricMeta(metric);
  const title = { text: meta.title };
  if (meta.percent) return { title, range: [0, 100] };
  const values = new Set(curves.flatMap((c) => c.y).filter(Number.isFinite));
  if (values.size !== 1) return { title };
  const v = [...values][0]!;
  return { title, range: v > 0 ? [0, 2 * v] : v < 0 ? [2 * v, 0] : [-1, 1] };
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
