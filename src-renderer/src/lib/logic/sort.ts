/** Table sorting: numbers numerically, strings naturally, missing values last either way. */
export type SortDir = 'asc' | 'desc';
export type SortValue = number | string | null | undefined;

export function compareValues(a: SortValue, b: SortValue, dir: SortDir = 'asc'): number {
  const missA = a == null || (typeof a === 'number' && Number.isNaN(a));
  const missB = b == null || (typeof b === 'number' && Number.isNaN(b));
  if (missA || missB) return missA === missB ? 0 : missA ? 1 : -1;
  let c: number;
  if (typeof a === 'number' && typeof b === 'number') c = a - b;
  else c = String(a).localeCompare(String(b), undefined, { numeric: true, sensitivity: 'base' });
  return dir === 'asc' ? c : -c;
}

/** A sorted copy; ties keep their input order. */
export function sortRows<T>(rows: readonly T[], key: (row: T) => SortValue, dir: SortDir = 'asc'): T[] {
  return rows
    .map((row, i) => ({ row, i }))
    .sort((x, y) => compareValues(key(x.row), key(y.row), dir) || x.i - y.i)
    .map((x) => x.row);
}

/** Clicking a column: a new column sorts ascending, the same column flips. */
export function nextSort<K>(current: { key: K; dir: SortDir }, key: K): { key: K; dir: SortDir } {
  if (current.key !== key) return { key, dir: 'asc' };
  return { key, dir: current.dir === 'asc' ? 'desc' : 'asc' };
}
