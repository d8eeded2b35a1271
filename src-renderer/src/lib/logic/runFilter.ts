/**
 * The Runs table's filter: words separated by spaces, every word must match. `tag:NAME` matches
 * a run with exactly that tag; any other word matches (case-insensitively) a part of the run's
 * method, id, dataset, status, group, tags or notes.
 */
export interface FilterableRun {
  id: string;
  method: string;
  datasetName: string;
  status: string;
  groupId: string | null;
  tags: readonly string[];
  notes: string;
}

export function runMatches(r: FilterableRun, query: string): boolean {
  const words = query.trim().toLowerCase().split(/\s+/).filter(Boolean);
  const text = [r.id, r.method, r.datasetName, r.status, r.groupId ?? '', ...r.tags, r.notes].join('\n').toLowerCase();
  return words.every((w) => (w.startsWith('tag:') && w.length > 4 ? r.tags.some((t) => t.toLowerCase() === w.slice(4)) : text.includes(w)));
}

export function filterRuns<R extends FilterableRun>(runs: readonly R[], query: string): R[] {
  return query.trim() ? runs.filter((r) => runMatches(r, query)) : [...runs];
}

/** Every tag of the runs, most used first (then by name): the filter's suggestions. */
export function allTags(runs: readonly { tags: readonly string[] }[]): string[] {
  const count = new Map<string, number>();
  for (const r of runs) for (const t of r.tags) count.set(t, (count.get(t) ?? 0) + 1);
  return [...count].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([t]) => t);
}

/** A tag field's text as tags: split at spaces and commas, deduplicated, in order. */
export function parseTags(text: string): string[] {
  return [...new Set(text.split(/[\s,]+/).filter(Boolean))];
}
