/**
 * SQLite rows as the store's objects: snake_case columns become camelCase keys (in the table's
 * column order), and the columns that hold JSON are parsed; lookups by id and by unique id prefix.
 */
import type { Workspace } from './workspace';

/** The row's columns as a `T`: `run_id` → `runId`, each column named in `json` parsed. */
export function camelRow<T>(raw: object, json: readonly string[] = []): T {
  const out: Record<string, unknown> = {};
  for (const [column, value] of Object.entries(raw)) {
    const key = column.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
    out[key] = json.includes(column) ? (JSON.parse(value as string) as unknown) : value;
  }
  return out as T;
}

/** The row of `table` with this id, converted; undefined when none. */
export function rowById<Raw, Row>(ws: Workspace, table: string, id: string, from: (r: Raw) => Row): Row | undefined {
  const r = ws.db.prepare(`SELECT * FROM ${table} WHERE id = ?`).get(id) as Raw | undefined;
  return r && from(r);
}

/** The row whose id is `ref`, or the only one whose id starts with it; undefined when none or ambiguous. */
export function rowByIdOrPrefix<Raw, Row>(ws: Workspace, table: string, ref: string, from: (r: Raw) => Row): Row | undefined {
  const exact = rowById(ws, table, ref, from);
  if (exact) return exact;
  const rows = ws.db.prepare(`SELECT * FROM ${table} WHERE id LIKE ? || '%'`).all(ref) as Raw[];
  return rows.length === 1 ? from(rows[0]!) : undefined;
}
