/**
 * The Train view's repeats and sweep fields as a request's `seeds` and `sweep`, with the words
 * for a value the request would refuse; and the settings of a stored run as the form's values
 * ("train again with these settings").
 */
import { MAX_SEED } from '../../../../src-main/api/schema/fields';
import { MAX_SEEDS, MAX_SWEEP_VALUES } from '../../../../src-main/api/schema/requests';

export type Parsed<T> = { value: T | undefined; error: string | null };

/** '0, 1, 2' → [0, 1, 2]; empty → none (the single seed field applies). */
export function parseSeeds(text: string): Parsed<number[]> {
  const parts = text.split(',').map((s) => s.trim()).filter(Boolean);
  if (parts.length === 0) return { value: undefined, error: null };
  const bad = parts.find((s) => !/^\d+$/.test(s) || Number(s) > MAX_SEED);
  if (bad !== undefined) return { value: undefined, error: `seeds: '${bad}' is not a seed (a whole number from 0 to ${MAX_SEED})` };
  const seeds = parts.map(Number);
  if (new Set(seeds).size !== seeds.length) return { value: undefined, error: 'seeds: a seed is repeated' };
  if (seeds.length > MAX_SEEDS) return { value: undefined, error: `seeds: at most ${MAX_SEEDS}, got ${seeds.length}` };
  return { value: seeds, error: null };
}

/** A sweep value as typed: a number, true/false, or a name. */
export function sweepValue(s: string): number | string | boolean {
  return s === 'true' ? true : s === 'false' ? false : s !== '' && Number.isFinite(Number(s)) ? Number(s) : s;
}

/** An option and '0.1, 0.2, 0.5' → { key, values }; no option or no values → none. */
export function parseSweep(key: string, text: string): Parsed<{ key: string; values: (number | string | boolean)[] }> {
  const values = text.split(',').map((s) => s.trim()).filter(Boolean);
  if (!key || values.length === 0) return { value: undefined, error: key && !values.length ? `sweep: give the values of ${key}, e.g. 0.1, 0.2, 0.5` : null };
  if (values.length > MAX_SWEEP_VALUES) return { value: undefined, error: `sweep: at most ${MAX_SWEEP_VALUES} values, got ${values.length}` };
  if (new Set(values).size !== values.length) return { value: undefined, error: 'sweep: a value is repeated' };
  return { value: { key, values: values.map(sweepValue) }, error: null };
}

/** What a stored run's config sets in the Train form: the shared options, the method's params, and the rest carried as they are. */
export interface TrainPrefill {
  runId: string;
  datasetId: string;
  method: string;
  options: { backbone: string; width: number; epochs: number; batch: number | null; optimizer: string; lr: number | null; seed: number };
  params: Record<string, number | string | boolean>;
  /** Options the form has no field for, sent as the run had them. */
  carried: { weightDecay?: number; momentum?: number; warmupEpochs?: number; preset?: string };
}

export function prefillOf(run: { id: string; datasetId: string; method: string; config: Record<string, unknown> }): TrainPrefill {
  const c = run.config;
  const n = (k: string): number | undefined => (typeof c[k] === 'number' ? (c[k] as number) : undefined);
  const s = (k: string): string | undefined => (typeof c[k] === 'string' ? (c[k] as string) : undefined);
  const params = c['params'] !== null && typeof c['params'] === 'object' ? (c['params'] as Record<string, number | string | boolean>) : {};
  const carried: TrainPrefill['carried'] = {};
  for (const k of ['weightDecay', 'momentum', 'warmupEpochs'] as const) if (n(k) !== undefined) carried[k] = n(k);
  if (s('preset') !== undefined) carried.preset = s('preset');
  return {
    runId: run.id,
    datasetId: run.datasetId,
    method: run.method,
    options: { backbone: s('backbone') ?? 'small', width: n('width') ?? 1, epochs: n('epochs') ?? 10, batch: n('batch') ?? null, optimizer: s('optimizer') ?? '', lr: n('lr') ?? null, seed: n('seed') ?? 0 },
    params: { ...params },
    carried,
  };
}
