/**
 * The Train view's state: the dataset, the methods picked (several = a comparison), the
 * shared options, and each method's own parameters, starting from its defaults
 * (MethodInfo.params / train) and sent only where the user changed them. What each method
 * will really run with (the engine's resolution: the backend's batch, the warm-up rule, the
 * preset) comes from runs.preview, refreshed as the options change.
 */
import type { MethodInfo, ParamValue, TrainPreview, TrainRequest } from '../../../../src-main/api/contract';
import type { Workbench } from '../../lib/state/workbench.svelte';
import { parseSeeds, parseSweep, type TrainPrefill } from '../../lib/logic/trainRepeats';

export const BACKBONES = ['small', 'resnet18', 'resnet34', 'vit-mini', 'vit-tiny'] as const;
/** The backbone a ViT-only method (mae, data2vec) switches the form to when it has a ResNet. */
export const DEFAULT_VIT = 'vit-mini';
export const OPTIMIZERS = ['sgd', 'lars', 'adamw'] as const;

export interface SharedOptions {
  backbone: string;
  width: number;
  epochs: number;
  /** Empty fields (null) take each method's default. */
  batch: number | null;
  optimizer: string;
  lr: number | null;
  seed: number;
  /** Repeats: '0, 1, 2' trains each method once per seed (empty: the one seed above). */
  seeds?: string;
  /** A sweep: the option and its values ('0.1, 0.2, 0.5'); no option: none. */
  sweepKey?: string;
  sweepValues?: string;
}

/** Options a run had that the form has no field for ("train again" carries them). */
export type CarriedOptions = TrainPrefill['carried'];

/** The training options a sweep can run over (besides the picked methods' own). */
export const SWEEP_OPTIONS = ['lr', 'batch', 'width', 'epochs', 'weightDecay', 'momentum', 'warmupEpochs'] as const;

/** The request for the chosen methods; method params only where they differ from the defaults. */
export function trainRequest(
  datasetId: string,
  methods: readonly MethodInfo[],
  picked: readonly string[],
  o: SharedOptions,
  edited: Record<string, Record<string, ParamValue>>,
  carried: CarriedOptions = {},
): TrainRequest {
  const params: Record<string, Record<string, ParamValue>> = {};
  for (const name of picked) {
    const m = methods.find((x) => x.name === name);
    if (!m) throw new Error(`unknown method '${name}'`);
    const changed = Object.entries(edited[name] ?? {}).filter(([k, v]) => k in m.params && m.params[k] !== v);
    if (changed.length) params[name] = Object.fromEntries(changed);
  }
  const seeds = parseSeeds(o.seeds ?? '').value;
  const sweep = parseSweep(o.sweepKey ?? '', o.sweepValues ?? '').value;
  return {
    datasetId,
    methods: [...picked],
    backbone: o.backbone,
    width: o.width,
    epochs: o.epochs,
    ...(seeds ? { seeds } : { seed: o.seed }),
    ...(o.batch !== null ? { batch: o.batch } : {}),
    ...(o.optimizer ? { optimizer: o.optimizer } : {}),
    ...(o.lr !== null ? { lr: o.lr } : {}),
    ...carried,
    ...(Object.keys(params).length ? { params } : {}),
    ...(sweep ? { sweep } : {}),
  };
}

/** "Train again with these settings": a run page leaves its settings here and opens Train, which takes them. */
export const trainAgain = $state<{ pending: TrainPrefill | null }>({ pending: null });

export class TrainState {
  picked = $state<string[]>([]);
  options = $state<SharedOptions>({ backbone: 'small', width: 1, epochs: 10, batch: null, optimizer: '', lr: null, seed: 0, seeds: '', sweepKey: '', sweepValues: '' });
  /** Options taken from a run (train again) that the form has no field for, and that run's id. */
  carried = $state<CarriedOptions>({});
  carriedFrom = $state<string | null>(null);
  /** Edited method params by method name. */
  edited = $state<Record<string, Record<string, ParamValue>>>({});
  starting = $state(false);
  /** runs.preview of every method for the current options, by method name; empty until it answers. */
  preview = $state.raw<Record<string, TrainPreview>>({});
  private previewSeq = 0;

  constructor(readonly wb: Workbench) {}

  /** Asks the engine what each method would run with now; a later answer replaces an earlier one. */
  async refreshPreview(): Promise<void> {
    const seq = ++this.previewSeq;
    const datasetId = this.wb.datasetId;
    const names = this.wb.methods.map((m) => m.name);
    if (!datasetId || names.length === 0) {
      this.preview = {};
      return;
    }
    try {
      const req = trainRequest(datasetId, this.wb.methods, names, this.options, this.edited);
      const list = await this.wb.client.request('runs.preview', req);
      if (seq === this.previewSeq) this.preview = Object.fromEntries(list.map((p) => [p.method, p]));
    } catch {
      // An option the schema refuses (an empty width, say): the fields say so; keep the last preview.
    }
  }

  /** The batch the picked (or first) method gets when the field is empty, as the engine resolves it: '128'. */
  get defaultBatch(): string | null {
    const first = this.preview[this.picked[0] ?? this.wb.methods[0]?.name ?? ''];
    const b = first?.config?.['batch'];
    return this.options.batch === null && typeof b === 'number' ? String(b) : null;
  }

  /** Why the picked methods cannot start as they are (the engine's words, or a bad seeds or sweep field), if any cannot. */
  get blocked(): string | null {
    const repeats = parseSeeds(this.options.seeds ?? '').error ?? parseSweep(this.options.sweepKey ?? '', this.options.sweepValues ?? '').error;
    if (repeats) return repeats;
    const bad = this.picked.map((n) => this.preview[n]).find((p) => p?.error);
    return bad?.error ?? null;
  }

  /** How many runs Start makes: methods × seeds × sweep values. */
  get runCount(): number {
    const seeds = parseSeeds(this.options.seeds ?? '').value?.length ?? 1;
    const values = parseSweep(this.options.sweepKey ?? '', this.options.sweepValues ?? '').value?.values.length ?? 1;
    return this.picked.length * seeds * values;
  }

  /** The form set to a run's settings: its dataset, its method alone with its params, its options. */
  applyPrefill(p: TrainPrefill): void {
    this.wb.datasetId = p.datasetId;
    this.picked = [p.method];
    this.options = { ...p.options, seeds: '', sweepKey: '', sweepValues: '' };
    this.edited = { [p.method]: { ...p.params } };
    this.carried = { ...p.carried };
    this.carriedFrom = p.runId;
  }

  /** Drops the options carried from a run: the methods' defaults apply again. */
  clearCarried(): void {
    this.carried = {};
    this.carriedFrom = null;
  }

  /** Why the backbone changed by itself, and to what: shown beside it while it stays that one. */
  private autoBackbone = $state<{ note: string; backbone: string } | null>(null);

  get backboneNote(): string | null {
    return this.autoBackbone?.backbone === this.options.backbone ? this.autoBackbone.note : null;
  }

  toggle(name: string, on: boolean): void {
    this.picked = on ? [...new Set([...this.picked, name])] : this.picked.filter((n) => n !== name);
    // Masked image modelling masks a ViT's patch tokens: picking it on a ResNet moves the form to a ViT.
    const m = this.wb.methods.find((x) => x.name === name);
    if (on && m?.requiresViT && !this.options.backbone.startsWith('vit-')) {
      this.autoBackbone = { note: `${name} trains a ViT: backbone set to ${DEFAULT_VIT} (was ${this.options.backbone})`, backbone: DEFAULT_VIT };
      this.options.backbone = DEFAULT_VIT;
    }
  }

  setParam(method: string, key: string, value: ParamValue): void {
    this.edited = { ...this.edited, [method]: { ...(this.edited[method] ?? {}), [key]: value } };
  }

  paramValue(m: MethodInfo, key: string): ParamValue {
    return this.edited[m.name]?.[key] ?? m.params[key]!;
  }

  get canStart(): boolean {
    return !!this.wb.datasetId && this.picked.length > 0 && !this.starting && this.blocked === null;
  }

  /** runs.create, then the Runs view. */
  async start(): Promise<string[] | undefined> {
    const datasetId = this.wb.datasetId;
    if (!datasetId || !this.canStart) return undefined;
    this.starting = true;
    const res = await this.wb.guard(async () => {
      const r = await this.wb.client.request('runs.create', trainRequest(datasetId, this.wb.methods, this.picked, this.options, this.edited, this.carried));
      await this.wb.refreshRuns();
      this.wb.runIds = r.runIds;
      this.wb.openRunId = r.runIds[0] ?? null;
      this.wb.navigate('runs');
      return r.runIds;
    });
    this.starting = false;
    return res;
  }
}
