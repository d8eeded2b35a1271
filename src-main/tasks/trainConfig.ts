/**
 * A training request → one resolved RunConfig per method, checked against the dataset before
 * anything is stored: `pretext train` and the API's runs.create both call resolveTrainConfigs,
 * and a run is resumed only when checkRunConfig passes. A request that cannot train (an
 * unknown method, backbone, preset or option; a batch larger than the train split; the
 * supervised baseline on a dataset without two classes) is a PretextError naming the field.
 */
import { presetForMethod } from '../ml/augment';
import { checkBackbone } from '../ml/backbones/registry';
import { getMethod, isMethod, METHOD_NAMES, trainingViews, type Params } from '../ml/methods';
import { methodDefaults, resolveConfig, unknownOption, type RunConfig } from '../ml/train/config';
import type { TrainData } from '../ml/train/data';
import { PretextError } from '../core/errors';
import { didYouMean } from '../core/suggest';
import type { TrainOptions, TrainPreview } from '../core/types';
import { classNames, datasetItems, type DatasetRow } from '../store/datasets';
import type { SweepPoint } from '../store/runs';
import type { Workspace } from '../store/workspace';

/**
 * Largest default batch on the wasm and cpu backends: a step of 256 images at 32 px needs more
 * than wasm's 4 GiB heap (about 15 MB of tape per image and two views). A method whose own
 * default is smaller (cpc: 32 images of 25 patches) keeps its own.
 */
export const CPU_BATCH = 128;

/** The cap on a run's default batch on this backend: CPU_BATCH on wasm and cpu, none elsewhere. */
export function defaultBatch(backendName: string): number | undefined {
  return backendName === 'wasm' || backendName === 'cpu' ? CPU_BATCH : undefined;
}

/** What of a dataset decides whether a config can train on it. */
export interface DataFacts {
  datasetId: string;
  imageSize: number;
  trainImages: number;
  numClasses: number;
}

export function dataFacts(d: TrainData): DataFacts {
  return { datasetId: d.datasetId, imageSize: d.size, trainImages: d.trainIdx.length, numClasses: d.numClasses };
}

export function datasetFacts(ws: Workspace, row: DatasetRow): DataFacts {
  const trainImages = datasetItems(ws, row.id).filter((it) => it.split === 'train').length;
  return { datasetId: row.id, imageSize: row.imageSize, trainImages, numClasses: classNames(ws, row.id).length };
}

/** Throws a PretextError naming the field when `cfg` cannot train on the dataset. */
export function checkConfigForData(cfg: RunConfig, d: DataFacts): void {
  const def = getMethod(cfg.method);
  checkBackbone(cfg.backbone);
  trainingViews(cfg.method, cfg.preset, d.imageSize, cfg.params);
  if (d.trainImages < cfg.batch) {
    throw new PretextError(`dataset ${d.datasetId} has ${d.trainImages} training images, fewer than one batch of ${cfg.batch}; use --batch`, { field: 'batch' });
  }
  if (def.minClasses !== undefined && d.numClasses < def.minClasses) {
    throw new PretextError(`method ${def.name} needs a labelled dataset with at least ${def.minClasses} classes; dataset ${d.datasetId} has ${d.numClasses}`, { field: 'methods' });
  }
}

/** Throws a PretextError (field 'methods') unless every name is a method. */
export function checkMethods(names: readonly string[]): void {
  if (names.length === 0) throw new PretextError('methods: pick at least one method', { field: 'methods' });
  for (const m of names) {
    if (typeof m !== 'string' || !isMethod(m)) {
      throw new PretextError(`unknown method '${String(m)}'${didYouMean(String(m), METHOD_NAMES)} (known: ${METHOD_NAMES.join(', ')})`, { field: 'methods' });
    }
  }
}

/** The training request the CLI and the API share: the methods of a comparison, options, per-method params. */
export interface TrainPlan extends TrainOptions {
  methods: string[];
  /** Method options by method name, e.g. { simclr: { temperature: 0.2 } }. */
  params?: Record<string, Params>;
  /** Repeats: one run per method and seed (replaces `seed`). */
  seeds?: number[];
  /** One option (a training option or a method's) over a list of values: one run per value. */
  sweep?: { key: string; values: (number | string | boolean)[] };
}

function num(name: string, v: unknown): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new PretextError(`${name} must be a number, got ${JSON.stringify(v)}`, { field: name });
  return v;
}

function bool(name: string, v: unknown): boolean | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw new PretextError(`${name} must be true or false, got ${JSON.stringify(v)}`, { field: name });
  return v;
}

function str(name: string, v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new PretextError(`${name} must be a string, got ${JSON.stringify(v)}`, { field: name });
  return v;
}

/** One RunConfig per method of the plan, each checked against the dataset; nothing is stored. */
export function resolveTrainConfigs(plan: TrainPlan, data: DataFacts, backendName: string): RunConfig[] {
  if (!Array.isArray(plan.methods)) throw new PretextError('methods: pick at least one method', { field: 'methods' });
  checkMethods(plan.methods);
  for (const m of Object.keys(plan.params ?? {})) {
    if (!plan.methods.includes(m)) throw new PretextError(`params: '${m}' is not a method of this request (${plan.methods.join(', ')})`, { field: `params.${m}` });
  }
  const overrides = {
    backbone: str('backbone', plan.backbone),
    width: num('width', plan.width),
    epochs: num('epochs', plan.epochs),
    batch: num('batch', plan.batch),
    seed: num('seed', plan.seed),
    optimizer: str('optimizer', plan.optimizer),
    lr: num('lr', plan.lr),
    weightDecay: num('weightDecay', plan.weightDecay),
    momentum: num('momentum', plan.momentum),
    warmupEpochs: num('warmupEpochs', plan.warmupEpochs),
    preset: str('preset', plan.preset),
    clipLr: bool('clipLr', plan.clipLr),
  };
  return plan.methods.map((name) => {
    try {
      const params = plan.params?.[name] ?? {};
      const resolve = (batch: number | undefined) => resolveConfig(name, { ...overrides, batch, params, trainImages: data.trainImages }, (base) => presetForMethod(base, data.imageSize));
      let cfg = resolve(overrides.batch);
      const cap = defaultBatch(backendName);
      if (overrides.batch === undefined && cap !== undefined && cfg.batch > cap) cfg = resolve(cap);
      checkConfigForData(cfg, data);
      return cfg;
    } catch (err) {
      if (err instanceof PretextError) {
        const field = err.field === undefined || err.field in overrides || err.field === 'methods' ? err.field : `params.${name}.${err.field}`;
        throw new PretextError(`${name}: ${err.message}`, { field: field ?? 'methods' });
      }
      throw new PretextError(`${name}: ${(err as Error).message}`, { field: 'methods' });
    }
  });
}

/** The values of `cfg` that a rule rather than the request set, each with its reason. */
export function resolutionNotes(plan: TrainOptions, cfg: RunConfig, data: Pick<DataFacts, 'imageSize' | 'trainImages'>, backendName: string, requested: Params = {}): string[] {
  const method = getMethod(cfg.method);
  const base = methodDefaults(cfg.method, cfg.backbone);
  const def = base.train;
  const notes: string[] = base.recipe !== undefined ? [`recipe: ${base.recipe}`] : [];
  notes.push(...(method.fitToData?.({ ...base.params, ...requested }, data.trainImages).notes ?? []));
  if (plan.batch === undefined || plan.batch === null) {
    notes.push(
      defaultBatch(backendName) === cfg.batch && def.batch > cfg.batch
        ? `batch ${cfg.batch}: the ${backendName} backend's default (method default ${def.batch} needs more memory than it has)`
        : `batch ${cfg.batch}: the method's default`,
    );
  }
  if ((plan.warmupEpochs === undefined || plan.warmupEpochs === null) && cfg.warmupEpochs !== def.warmupEpochs) {
    notes.push(`warmupEpochs ${cfg.warmupEpochs}: at most 10% of the ${cfg.epochs} epochs (method default ${def.warmupEpochs})`);
  }
  if (plan.preset === undefined || plan.preset === null) notes.push(`preset ${cfg.preset}: the method's augmentations for ${data.imageSize} px images`);
  if (cfg.batch !== 256) notes.push(`learning rate ${Number(cfg.scaledLr.toPrecision(4))}: ${cfg.lr} per 256 images × ${cfg.batch}/256`);
  return notes;
}

/**
 * Each method of the plan resolved as runs.create would resolve it (resolveTrainConfigs), with
 * the reason for each value a rule set, or why it cannot train; nothing is stored.
 */
export function previewTrainConfigs(plan: TrainPlan, data: DataFacts, backendName: string): TrainPreview[] {
  const methods = Array.isArray(plan.methods) ? plan.methods : [];
  return methods.map((method) => {
    const one: TrainPlan = { ...plan, methods: [method], params: plan.params?.[method] ? { [method]: plan.params[method] } : {} };
    try {
      const cfg = resolveTrainConfigs(one, data, backendName)[0]!;
      return { method, config: { ...cfg }, notes: resolutionNotes(plan, cfg, data, backendName, plan.params?.[method]), error: null, field: null };
    } catch (err) {
      if (!(err instanceof PretextError)) throw err;
      return { method, config: null, notes: [], error: err.message, field: err.field ?? null };
    }
  });
}

/**
 * `--set KEY=VALUE` options → each method's params: a key goes to every method of the
 * comparison that has it; a key that none has is an error listing their options.
 */
export function paramsFromSets(methods: readonly string[], sets: readonly string[]): Record<string, Params> {
  checkMethods(methods);
  const out: Record<string, Params> = {};
  for (const s of sets) {
    const eq = s.indexOf('=');
    if (eq < 1) throw new PretextError(`--set expects KEY=VALUE, got '${s}'`, { field: 'set' });
    const key = s.slice(0, eq);
    const raw = s.slice(eq + 1);
    const owners = methods.map(getMethod).filter((def) => Object.hasOwn(def.params, key));
    if (owners.length === 0) {
      if (methods.length === 1) throw new PretextError(`--set: ${unknownOption(methods[0]!, key, Object.keys(getMethod(methods[0]!).params)).message}`, { field: 'set' });
      const options = [...new Set(methods.flatMap((m) => Object.keys(getMethod(m).params)))];
      throw new PretextError(
        `--set: no method of ${methods.join(', ')} has an option '${key}'${didYouMean(key, options)} (options: ${options.join(', ') || 'none'})`,
        { field: 'set' },
      );
    }
    for (const def of owners) {
      const kind = typeof def.params[key];
      (out[def.name] ??= {})[key] = kind === 'number' ? Number(raw) : kind === 'boolean' ? raw === 'true' : raw;
    }
  }
  return out;
}

/** Throws when a stored run's config cannot train on its dataset: resume refuses it, leaving the run as it is. */
export function checkResumable(ws: Workspace, cfg: RunConfig, dataset: DatasetRow | undefined, runId: string): void {
  if (!dataset) throw new PretextError(`run ${runId} cannot resume: its dataset is gone`);
  try {
    checkConfigForData(cfg, datasetFacts(ws, dataset));
  } catch (err) {
    throw new PretextError(`run ${runId} cannot resume: ${(err as Error).message}`);
  }
}

/** The training options a sweep may run over (the seed is repeated with `seeds` instead). */
export const SWEEPABLE_OPTIONS = ['backbone', 'width', 'epochs', 'batch', 'optimizer', 'lr', 'weightDecay', 'momentum', 'warmupEpochs', 'clipLr', 'preset'] as const;
/** Runs one request may start: methods × seeds × sweep values. */
export const MAX_PLANNED_RUNS = 64;

/** One run of a request: its resolved config and, in a sweep, the value it takes. */
export interface PlannedRun {
  config: RunConfig;
  sweep: SweepPoint | null;
}

/** The plan with the sweep's option set to `value`: a training option, or the option of every method that has it. */
function withSweepValue(plan: TrainPlan, key: string, value: number | string | boolean): TrainPlan {
  if ((SWEEPABLE_OPTIONS as readonly string[]).includes(key)) return { ...plan, [key]: value };
  const lacking = plan.methods.filter((m) => !Object.hasOwn(getMethod(m).params, key));
  if (lacking.length > 0) {
    const options = [...SWEEPABLE_OPTIONS, ...new Set(plan.methods.flatMap((m) => Object.keys(getMethod(m).params)))];
    throw new PretextError(
      `sweep: ${lacking.join(', ')} ${lacking.length === 1 ? 'has' : 'have'} no option '${key}'${didYouMean(key, options)} (a sweep runs over ${SWEEPABLE_OPTIONS.join(', ')} or an option every method of the request has)`,
      { field: 'sweep' },
    );
  }
  const params: Record<string, Params> = { ...plan.params };
  for (const m of plan.methods) params[m] = { ...params[m], [key]: value };
  return { ...plan, params };
}

/**
 * Every run of a request, each resolved and checked as resolveTrainConfigs checks one method:
 * for each sweep value, for each seed, one run per method (so early runs already compare
 * methods). Nothing is stored. `seeds` and `seed` together, a sweep over the seed, or more than
 * MAX_PLANNED_RUNS runs are refused, naming the field.
 */
export function planRuns(plan: TrainPlan, data: DataFacts, backendName: string): PlannedRun[] {
  const seeds = plan.seeds ?? [plan.seed ?? undefined];
  if (plan.seeds !== undefined && plan.seed !== undefined && plan.seed !== null) {
    throw new PretextError('give seeds (repeats) or seed, not both', { field: 'seeds' });
  }
  if (plan.seeds !== undefined && new Set(plan.seeds).size !== plan.seeds.length) throw new PretextError('seeds: a seed is repeated', { field: 'seeds' });
  const sweep = plan.sweep;
  if (sweep && sweep.key === 'seed') throw new PretextError('sweep: repeat seeds with --seeds (the API\'s seeds), not a sweep', { field: 'sweep' });
  const values = sweep ? sweep.values : [undefined];
  const methods = Array.isArray(plan.methods) ? plan.methods.length : 0;
  const total = methods * seeds.length * values.length;
  if (total > MAX_PLANNED_RUNS) {
    throw new PretextError(`${methods} methods × ${seeds.length} seeds × ${values.length} values is ${total} runs, more than ${MAX_PLANNED_RUNS} in one request`, { field: sweep ? 'sweep' : 'seeds' });
  }
  const out: PlannedRun[] = [];
  for (const value of values) {
    let base: TrainPlan = { ...plan, seeds: undefined, sweep: undefined };
    if (sweep && value !== undefined) {
      checkMethods(plan.methods);
      base = withSweepValue(base, sweep.key, value);
    }
    for (const seed of seeds) {
      try {
        const configs = resolveTrainConfigs({ ...base, seed }, data, backendName);
        for (const config of configs) out.push({ config, sweep: sweep && value !== undefined ? { key: sweep.key, value } : null });
      } catch (err) {
        if (!(err instanceof PretextError) || !sweep) throw err;
        const field = err.field === sweep.key || err.field?.endsWith(`.${sweep.key}`) ? 'sweep' : err.field;
        throw new PretextError(`sweep ${sweep.key}=${String(value)}: ${err.message}`, { field });
      }
    }
  }
  return out;
}
