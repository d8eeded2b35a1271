/**
 * SQLite rows as the store's objects: snake_case columns become camelCase keys (in the table's
 * column order), and the columns that hold JSON are parsed.
 */

/** The row's columns as a `T`: `run_id` → `runId`, each column named in `json` parsed. */
export function camelRow<T>(raw: object, json: readonly string[] = []): T {
  const out: Record<string, unknown> = {};
  for (const [column, value] of Object.entries(raw)) {
    const key = column.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
    out[key] = json.includes(column) ? (JSON.parse(value as string) as unknown) : value;
  }
  return out as T;
}
