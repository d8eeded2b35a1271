/** Human text for durations, ETAs, sizes and accuracies, as the views show them. */

/** 0.8s, 42s, 3m 05s, 1h 02m; '—' for a missing or invalid value. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds == null || !Number.isFinite(seconds) || seconds < 0) return '—';
  if (seconds < 10) return `${seconds.toFixed(1)}s`;
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  return `${h}h ${String(m % 60).padStart(2, '0')}m`;
}

/** 'ETA 3m 05s', or 'ETA —' while unknown. */
export function formatEta(seconds: number | null | undefined): string {
  return `ETA ${formatDuration(seconds)}`;
}

/** Parameter counts: 980, 702 k, 11.2 M; '—' when unknown. */
export function formatCount(n: number | null | undefined): string {
  if (n == null || !Number.isFinite(n)) return '—';
  if (n < 1000) return String(Math.round(n));
  if (n < 1e6) return `${Math.round(n / 1000)} k`;
  return `${(n / 1e6).toFixed(n < 1e7 ? 2 : 1)} M`;
}

/** 512 B, 1.5 KB, 12.3 MB (powers of 1024). */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '—';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} B` : `${v.toFixed(v < 10 ? 2 : 1)} ${units[u]}`;
}

/** An accuracy in [0, 1] as a percentage with one decimal; '—' when missing. */
export function formatPercent(x: number | null | undefined): string {
  if (x == null || !Number.isFinite(x)) return '—';
  return `${(x * 100).toFixed(1)}%`;
}

/** A metric value with about 4 significant digits; '—' when missing. */
export function formatValue(x: number | null | undefined): string {
  if (x == null || !Number.isFinite(x)) return '—';
  if (x !== 0 && (Math.abs(x) < 1e-3 || Math.abs(x) >= 1e5)) return x.toExponential(2);
  return String(Number(x.toPrecision(4)));
}

/**
 * Remaining seconds from progress so far: elapsed · (total − done) / done. null until
 * something is done, or when the total is unknown.
 */
export function estimateEta(done: number, total: number, elapsedSeconds: number): number | null {
  if (!(done > 0) || !(total > 0) || !(elapsedSeconds >= 0)) return null;
  if (done >= total) return 0;
  return (elapsedSeconds * (total - done)) / done;
}

/** A run or dataset id as the tables show it: without its kind prefix ('run-'), 8 characters. */
export function shortId(id: string): string {
  return id.replace(/^[a-z]+-/, '').slice(0, 8);
}

/** How a metric is read: its label, its unit, whether it is a fraction shown as a percentage, per step or per epoch. */
export interface MetricMeta {
  label: string;
  /** The axis title and table heading: the label with its unit, e.g. 'kNN top-1 (%)'. */
  title: string;
  /** A fraction in [0, 1] that the views show as a percentage. */
  percent: boolean;
  /** Recorded every training step (smoothable) rather than once per epoch. */
  perStep: boolean;
}

/** The one mapping from metric keys to what the views call them. */
const METRICS: Record<string, Omit<MetricMeta, 'title'> & { unit?: string }> = {
  loss: { label: 'Loss', perStep: true, percent: false },
  lr: { label: 'Learning rate', perStep: true, percent: false },
  views_per_s: { label: 'Throughput', unit: 'views/s', perStep: true, percent: false },
  knn_top1: { label: 'kNN top-1', unit: '%', perStep: false, percent: true },
  feature_std: { label: 'Feature std (collapse)', perStep: false, percent: false },
  uniformity: { label: 'Uniformity', perStep: false, percent: false },
  alignment: { label: 'Alignment', perStep: false, percent: false },
  top1: { label: 'Top-1', unit: '%', perStep: false, percent: true },
  top5: { label: 'Top-5', unit: '%', perStep: false, percent: true },
};

/** A metric's label, unit and kind; an unknown key reads as itself, per epoch. */
export function metricMeta(key: string): MetricMeta {
  const m = Object.hasOwn(METRICS, key) ? METRICS[key]! : { label: key, perStep: false, percent: false };
  const unit = 'unit' in m ? m.unit : undefined;
  return { label: m.label, title: unit ? `${m.label} (${unit})` : m.label, percent: m.percent, perStep: m.perStep };
}

/** A metric value as the views show it: a percentage for fractions, else about 4 significant digits. */
export function formatMetric(key: string, x: number | null | undefined): string {
  return metricMeta(key).percent ? formatPercent(x) : formatValue(x);
}

/** Runs named so that two of the same method can be told apart: 'simclr 1a2b3c4d, byol 5e6f7a8b'. */
export function runsCaption(runs: readonly { id: string; method: string }[]): string {
  return runs.map((r) => `${r.method} ${shortId(r.id)}`).join(', ');
}
