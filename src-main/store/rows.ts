/** Row lookups every table of the workspace shares: by id, and by id or unique id prefix. */
import type { Workspace } from './workspace';

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
