/**
 * A TrainRequest → one resolved RunConfig per method, as `pretext train` resolves its options
 * (src-main/cli/commands/train.ts): method defaults, overrides, the method's preset for the
 * dataset's size, batch 128 by default on the wasm and cpu backends.
 */
import { presetForMethod } from '../ml/augment';
import { getMethod, methods, type Params } from '../ml/methods';
import { resolveConfig, type RunConfig } from '../ml/train/config';
import type { DatasetRow } from '../store/datasets';
import type { TrainRequest } from './contract';
import { PretextError } from '../core/errors';

/** Default batch on the wasm and cpu backends (the CLI's CPU_BATCH: wasm's 4 GiB heap). */
export const CPU_BATCH = 128;

function num(name: string, v: unknown): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new PretextError(`${name} must be a number, got ${JSON.stringify(v)}`);
  return v;
}

export function resolveTrainConfigs(req: TrainRequest, dataset: DatasetRow, backendName: string): RunConfig[] {
  if (!Array.isArray(req.methods) || req.methods.length === 0) throw new PretextError('methods: pick at least one method');
  for (const m of req.methods) {
    if (!methods[m]) throw new PretextError(`unknown method '${m}' (known: ${Object.keys(methods).join(', ')})`);
  }
  let batch = num('batch', req.batch);
  if (batch === undefined && (backendName === 'wasm' || backendName === 'cpu')) batch = CPU_BATCH;
  const overrides = {
    backbone: req.backbone,
    width: num('width', req.width),
    epochs: num('epochs', req.epochs),
    batch,
    seed: num('seed', req.seed),
    optimizer: req.optimizer,
    lr: num('lr', req.lr),
    weightDecay: num('weightDecay', req.weightDecay),
    momentum: num('momentum', req.momentum),
    warmupEpochs: num('warmupEpochs', req.warmupEpochs),
    preset: req.preset,
  };
  return req.methods.map((name) => {
    try {
      const def = getMethod(name);
      // Options of another method of the comparison are not this one's.
      const params: Params = {};
      for (const [k, v] of Object.entries(req.params?.[name] ?? {})) if (k in def.params) params[k] = v;
      return resolveConfig(name, { ...overrides, params }, (base) => presetForMethod(base, dataset.imageSize));
    } catch (err) {
      throw new PretextError(`${name}: ${(err as Error).message}`);
    }
  });
}
