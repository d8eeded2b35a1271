/**
 * The comparison report's data model (tasks/reportData.ts fills it from the workspace, html.ts
 * renders it) and the pure helpers that shape it. Plain JSON: the HTML embeds it as is.
 */
import type { ProjectionAlgo, Split } from '../core/types';

/** Most points of one curve and of one map drawn in the report (evenly thinned beyond). */
export const MAX_CURVE_POINTS = 2000;
export const MAX_MAP_POINTS = 10_000;

export interface Curve {
  x: number[];
  y: number[];
}

export interface ReportMap {
  algo: ProjectionAlgo;
  split: Split;
  epoch: number;
  x: number[];
  y: number[];
  /** Class index per point, −1 unlabelled. */
  labels: number[];
  /** Points in the stored map (before thinning). */
  points: number;
  quality: Record<string, number>;
}

export interface ReportRun {
  id: string;
  method: string;
  datasetId: string;
  /** The dataset's name. */
  dataset: string;
  status: string;
  backend: string;
  device: string;
  epochs: number;
  epochsDone: number;
  trainSeconds: number;
  finalLoss: number | null;
  /** kNN top-1 of the latest `eval knn`, else the training monitor's last knn_top1. */
  knnTop1: number | null;
  knnSource: 'eval' | 'monitor' | null;
  /** Latest probe top-1 per label fraction (keys: '0.01', '0.1', '1'). */
  probeTop1: Record<string, number>;
  effectiveRank: number | null;
  /** The same scores of the random-init encoder, when evaluated. */
  randomInit: { knnTop1: number | null; probeTop1: Record<string, number> };
  config: Record<string, unknown>;
  curves: { loss: Curve; knnTop1: Curve };
  maps: ReportMap[];
  /** Stored maps that could not be read, with the reason. */
  mapErrors: string[];
}

export interface ReportData {
  title: string;
  createdAt: string;
  pretextVersion: string;
  datasets: { id: string; name: string; classes: string[] }[];
  runs: ReportRun[];
  /** Label fractions with a probe result in any run, ascending, as keys of probeTop1. */
  probeFractions: string[];
  /** Flattened config keys whose values differ between runs (all keys for a single run). */
  configDiff: { key: string; values: string[] }[];
}

/** Evenly spaced subset of at most `max` of `n` indices, keeping the first and the last. */
export function thin(n: number, max: number): number[] {
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  return Array.from({ length: max }, (_, i) => Math.round((i * (n - 1)) / (max - 1)));
}

/** `{a: {b: 1}}` → `{'a.b': 1}`; arrays and scalars are leaves. */
export function flatten(obj: Record<string, unknown>, prefix = '', out: Record<string, unknown> = {}): Record<string, unknown> {
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) flatten(v as Record<string, unknown>, key, out);
    else out[key] = v;
  }
  return out;
}

/** Keys whose values differ between the configs (every key when there is one config); absent shows as '—'. */
export function configDiff(configs: Record<string, unknown>[]): { key: string; values: string[] }[] {
  const flat = configs.map((c) => flatten(c));
  const keys = [...new Set(flat.flatMap((f) => Object.keys(f)))].sort();
  const show = (v: unknown) => (v === undefined ? '—' : typeof v === 'string' ? v : JSON.stringify(v));
  return keys
    .map((key) => ({ key, values: flat.map((f) => show(f[key])) }))
    .filter((row) => configs.length === 1 || row.values.some((v) => v !== row.values[0]));
}
