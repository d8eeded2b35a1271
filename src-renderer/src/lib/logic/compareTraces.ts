/**
 * Compare's curve traces: one per run, or, with seeds grouped, one per group of seeds (runs
 * that differ only in their seed): its mean line with a shaded band of ± one std, named with
 * the number of seeds; a group of one run is drawn as that run.
 */
import type { Curve } from './series';
import { shortId } from './format';
import { bandOf, seedGroups, type GroupableRun } from './seedStats';

/** A plotly scatter trace (lib/plot's Trace, structurally). */
export interface CurveTrace {
  type: 'scatter';
  mode: Curve['mode'];
  name: string;
  x: number[];
  y: number[];
  line: { color: string; width?: number };
  marker?: { color: string; size: number };
  fill?: 'tonexty';
  fillcolor?: string;
  showlegend?: boolean;
  hoverinfo?: 'skip';
  legendgroup?: string;
  [key: string]: unknown;
}

/** '#4c78a8' at alpha a: 'rgba(76,120,168,0.2)'. */
export function withAlpha(hex: string, a: number): string {
  const n = Number.parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255},${(n >> 8) & 255},${n & 255},${a})`;
}

function runTrace(r: GroupableRun, c: Curve, color: string): CurveTrace {
  return { type: 'scatter', mode: c.mode, name: `${r.method} ${shortId(r.id)}`, x: c.x, y: c.y, line: { color }, marker: { color, size: 6 } };
}

/** The traces of `runs` (curves[i] is runs[i]'s), grouped by seeds when `grouped`. */
export function compareTraces(runs: readonly GroupableRun[], curves: readonly Curve[], grouped: boolean, palette: readonly string[]): CurveTrace[] {
  if (!grouped) return runs.map((r, i) => runTrace(r, curves[i]!, palette[i % palette.length]!));
  const curveOf = new Map(runs.map((r, i) => [r.id, curves[i]!]));
  return seedGroups(runs).flatMap((g, i): CurveTrace[] => {
    const color = palette[i % palette.length]!;
    const cs = g.runs.map((r) => curveOf.get(r.id)!);
    if (g.runs.length === 1) return [runTrace(g.runs[0]!, cs[0]!, color)];
    const b = bandOf(cs);
    const mode = b.x.length <= 1 ? 'markers' : cs[0]!.mode;
    const edge = { type: 'scatter' as const, mode: 'lines' as const, x: b.x, line: { color, width: 0 }, showlegend: false, hoverinfo: 'skip' as const, legendgroup: g.key };
    return [
      { ...edge, name: `${g.label} +1 std`, y: b.hi },
      { ...edge, name: `${g.label} −1 std`, y: b.lo, fill: 'tonexty', fillcolor: withAlpha(color, 0.2) },
      { type: 'scatter', mode, name: `${g.label} mean ± std (${g.runs.length} seeds)`, x: b.x, y: b.mean, line: { color }, marker: { color, size: 6 }, legendgroup: g.key },
    ];
  });
}
