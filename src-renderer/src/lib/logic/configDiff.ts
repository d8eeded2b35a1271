/**
 * The config diff of the Compare view: runs' resolved configs flattened to dotted keys
 * ('optimizer.lr'), and only the keys whose values differ between the runs (a key missing
 * from a run differs from one that is present).
 */
export type Flat = Record<string, unknown>;

export function flattenConfig(config: unknown, prefix = '', out: Flat = {}): Flat {
  if (config !== null && typeof config === 'object' && !Array.isArray(config)) {
    const entries = Object.entries(config as Record<string, unknown>);
    if (entries.length === 0 && prefix) out[prefix] = {};
    for (const [k, v] of entries) flattenConfig(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (prefix) {
    out[prefix] = config;
  }
  return out;
}

export interface DiffRow {
  key: string;
  /** One value per config, in the order given; undefined where the key is missing. */
  values: unknown[];
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export function configDiff(configs: readonly unknown[]): DiffRow[] {
  const flats = configs.map((c) => flattenConfig(c));
  const keys = new Set<string>();
  for (const f of flats) for (const k of Object.keys(f)) keys.add(k);
  const rows: DiffRow[] = [];
  for (const key of [...keys].sort()) {
    const values = flats.map((f) => (key in f ? f[key] : undefined));
    if (values.some((v) => !same(v, values[0]))) rows.push({ key, values });
  }
  return rows;
}

/** A config value as a table cell shows it. */
export function showValue(v: unknown): string {
  if (v === undefined) return '—';
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}
