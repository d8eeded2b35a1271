/**
 * Linked embedding maps, as in TensorFlow's Embedding Projector: every map of the Embeddings
 * view draws the same dataset items, so a point hovered or selected in one is highlighted in all.
 * Pure functions from a projection and the shared selection to plotly traces (one per class,
 * then the selected points, then the hovered one), and from plotly's events back to item indices.
 */
import type { Projection } from '../../../../src-main/api/contract';
import { PALETTE, type Trace } from '../plot/plotly';

/** The class key of a point: its label, or -1 when unlabelled. */
export const UNLABELLED = -1;

/** What every map shares: the hovered item, the selected items, the hidden classes, the style. */
export interface LinkedView {
  hovered: number | null;
  selected: readonly number[];
  hidden: readonly number[];
  pointSize: number;
  opacity: number;
  colourByClass: boolean;
  /** Outline colour of highlighted points (the theme's text colour). */
  ink: string;
}

export interface LegendEntry {
  label: number;
  name: string;
  colour: string;
  count: number;
}

export const classColour = (label: number): string => PALETTE[(label < 0 ? 9 : label) % PALETTE.length]!;
const className = (p: Projection, label: number) => (label < 0 ? 'unlabelled' : (p.classes[label] ?? String(label)));

/** The rows of each class, in class order (unlabelled last). */
export function classRows(p: Projection): [number, number[]][] {
  const groups = new Map<number, number[]>();
  p.labels.forEach((l, row) => {
    const k = l ?? UNLABELLED;
    const g = groups.get(k);
    if (g) g.push(row);
    else groups.set(k, [row]);
  });
  return [...groups.entries()].sort((a, b) => (a[0] < 0 ? 1 : b[0] < 0 ? -1 : a[0] - b[0]));
}

/** One legend for all the maps: every class any of them draws, with its point count. */
export function legendOf(maps: readonly Projection[]): LegendEntry[] {
  const out = new Map<number, LegendEntry>();
  for (const p of maps) {
    for (const [label, rows] of classRows(p)) {
      const e = out.get(label);
      if (e) e.count = Math.max(e.count, rows.length);
      else out.set(label, { label, name: className(p, label), colour: classColour(label), count: rows.length });
    }
  }
  return [...out.values()].sort((a, b) => (a.label < 0 ? 1 : b.label < 0 ? -1 : a.label - b.label));
}

/** Item index → row of the projection. */
export function rowsByItem(p: Projection): Map<number, number> {
  return new Map(p.indices.map((item, row) => [item, row]));
}

/** The class traces of a map: hidden classes left out; dimmed while other points are selected. */
export function classTraces(p: Projection, v: Omit<LinkedView, 'hovered' | 'ink'>): Trace[] {
  const hidden = new Set(v.hidden);
  const opacity = v.selected.length > 0 ? Math.max(0.05, v.opacity * 0.3) : v.opacity;
  return classRows(p)
    .filter(([label]) => !hidden.has(label))
    .map(([label, rows]) => ({
      type: 'scattergl',
      mode: 'markers',
      name: className(p, label),
      x: rows.map((i) => p.x[i]!),
      y: rows.map((i) => p.y[i]!),
      customdata: rows.map((i) => p.indices[i]!),
      hovertemplate: `%{customdata} · ${className(p, label)}<extra></extra>`,
      marker: { size: v.pointSize, color: v.colourByClass ? classColour(label) : '#8a8f98', opacity },
    }));
}

/** The selected points (outlined) and the hovered one (a ring), as drawn on map `p`; none of a hidden class. */
export function highlightTraces(p: Projection, rows: Map<number, number>, v: LinkedView): Trace[] {
  const hidden = new Set(v.hidden);
  const trace = (name: string, items: readonly number[], size: number, width: number): Trace => {
    const at = items.map((item) => rows.get(item)).filter((r): r is number => r !== undefined && !hidden.has(p.labels[r] ?? UNLABELLED));
    return {
      type: 'scattergl',
      mode: 'markers',
      name,
      x: at.map((r) => p.x[r]!),
      y: at.map((r) => p.y[r]!),
      customdata: at.map((r) => p.indices[r]!),
      hoverinfo: 'skip',
      showlegend: false,
      marker: { size, color: at.map((r) => classColour(p.labels[r] ?? UNLABELLED)), opacity: 1, line: { color: v.ink, width } },
    };
  };
  return [
    trace('selected', v.selected, v.pointSize + 3, 1),
    trace('hovered', v.hovered === null ? [] : [v.hovered], Math.max(12, v.pointSize * 2.5), 2.5),
  ];
}

/** The dataset items of plotly event points (hover, click, lasso), each once, in event order. */
export function itemsOf(points: readonly { customdata?: unknown }[] | undefined): number[] {
  const seen = new Set<number>();
  for (const pt of points ?? []) if (typeof pt.customdata === 'number') seen.add(pt.customdata);
  return [...seen];
}

/** The classes shown after a legend click: toggles one, or with `only` shows just that one. */
export function toggleClass(hidden: readonly number[], all: readonly number[], label: number, only = false): number[] {
  if (only) return all.filter((l) => l !== label);
  return hidden.includes(label) ? hidden.filter((l) => l !== label) : [...hidden, label];
}

/** A square-ish map for a column `width` px wide, never taller than most of the window. */
export function mapHeight(width: number, windowHeight: number): number {
  return Math.round(Math.max(280, Math.min(width * 0.9, windowHeight * 0.75)));
}

/** How many of `items` each class has in map `p`, most first (a lasso's make-up). */
export function classCounts(p: Projection, items: readonly number[]): { name: string; count: number }[] {
  const rows = rowsByItem(p);
  const counts = new Map<number, number>();
  for (const item of items) {
    const r = rows.get(item);
    if (r === undefined) continue;
    const k = p.labels[r] ?? UNLABELLED;
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return [...counts.entries()].map(([label, count]) => ({ name: className(p, label), count })).sort((a, b) => b.count - a.count || a.name.localeCompare(b.name));
}
