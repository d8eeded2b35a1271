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
