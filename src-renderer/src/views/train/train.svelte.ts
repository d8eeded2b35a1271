/**
 * The Train view's state: the dataset, the methods picked (several = a comparison), the
 * shared options, and each method's own parameters, starting from its defaults
 * (MethodInfo.params / train) and sent only where the user changed them.
 */
import type { MethodInfo, ParamValue, TrainRequest } from '../../../../src-main/api/contract';
import type { Workbench } from '../../lib/state/workbench.svelte';

export const BACKBONES = ['small', 'resnet18', 'resnet34'] as const;
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
}

/** The request for the chosen methods; method params only where they differ from the defaults. */
export function trainRequest(
  datasetId: string,
  methods: readonly MethodInfo[],
  picked: readonly string[],
  o: SharedOptions,
  edited: Record<string, Record<string, ParamValue>>,
): TrainRequest {
  const params: Record<string, Record<string, ParamValue>> = {};
  for (const name of picked) {
    const m = methods.find((x) => x.name === name);
    if (!m) throw new Error(`unknown method '${name}'`);
    const changed = Object.entries(edited[name] ?? {}).filter(([k, v]) => k in m.params && m.params[k] !== v);
    if (changed.length) params[name] = Object.fromEntries(changed);
  }
  return {
    datasetId,
    methods: [...picked],
    backbone: o.backbone,
    width: o.width,
    epochs: o.epochs,
    seed: o.seed,
    ...(o.batch !== null ? { batch: o.batch } : {}),
    ...(o.optimizer ? { optimizer: o.optimizer } : {}),
    ...(o.lr !== null ? { lr: o.lr } : {}),
    ...(Object.keys(params).length ? { params } : {}),
  };
}

export class TrainState {
  picked = $state<string[]>([]);
  options = $state<SharedOptions>({ backbone: 'small', width: 1, epochs: 10, batch: null, optimizer: '', lr: null, seed: 0 });
  /** Edited method params by method name. */
  edited = $state<Record<string, Record<string, ParamValue>>>({});
  starting = $state(false);

  constructor(readonly wb: Workbench) {}

  toggle(name: string, on: boolean): void {
    this.picked = on ? [...new Set([...this.picked, name])] : this.picked.filter((n) => n !== name);
  }

  setParam(method: string, key: string, value: ParamValue): void {
    this.edited = { ...this.edited, [method]: { ...(this.edited[method] ?? {}), [key]: value } };
  }

  paramValue(m: MethodInfo, key: string): ParamValue {
    return this.edited[m.name]?.[key] ?? m.params[key]!;
  }

  get canStart(): boolean {
    return !!this.wb.datasetId && this.picked.length > 0 && !this.starting;
  }

  /** runs.create, then the Runs view. */
  async start(): Promise<string[] | undefined> {
    const datasetId = this.wb.datasetId;
    if (!datasetId || !this.canStart) return undefined;
    this.starting = true;
    const res = await this.wb.guard(async () => {
      const r = await this.wb.client.request('runs.create', trainRequest(datasetId, this.wb.methods, this.picked, this.options, this.edited));
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
