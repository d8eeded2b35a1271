/**
 * A run's resolved configuration: the method's defaults (papers' small-data settings, as in
 * solo-learn's CIFAR configs) overridden by the user's options, every value explicit, stored
 * as JSON on the run. The learning rate is given per 256 images and scaled linearly with the
 * batch size, as solo-learn does (lr × batch / 256). Warm-up is the method's (10 epochs) or
 * 10% of the run, whichever is shorter, unless given.
 *
 * Defaults resolve in three layers: the method's (`train`, `params`), then its recipe for the
 * run's backbone (MethodDefinition.backboneDefaults: MoCo v3 and DINO train a ViT with AdamW
 * where a ResNet gets LARS), then the user's options. The recipe applied is recorded on the
 * config (`recipe`), so `runs show` and the preview say why the values differ.
 */
import { getMethod, type Params, type TrainDefaults } from '../methods';
import { PretextError } from '../../core/errors';
import { didYouMean } from '../../core/suggest';
import type { TrainOptions } from '../../core/types';
import type { OptimizerName } from './optimizers';
import { VIT_NAMES } from '../backbones/vit';

export interface RunConfig extends TrainDefaults {
  method: string;
  params: Params;
  backbone: string;
  width: number;
  epochs: number;
  seed: number;
  /** LARS clip_lr, explicit (runs stored before it existed read as false). */
  clipLr: boolean;
  /** lr × batch / 256: what the optimiser gets at the end of warm-up. */
  scaledLr: number;
  /** Augmentation preset name, or 'method' when the method declares its views itself. */
  preset: string;
  knnK: number;
  knnTemperature: number;
  /** The backbone recipe applied between the method's defaults and the user's options (absent: none). */
  recipe?: string;
}

export interface RunOverrides extends TrainOptions {
  knnK?: number;
  knnTemperature?: number;
  /** Method hyper-parameters by name (e.g. temperature, projOut). */
  params?: Params;
  /**
   * Images of the train split: a method sizes what depends on it (MoCo's queue) with its
   * fitToData, and the resolved config records the size used.
   */
  trainImages?: number;
}

const OPTIMIZERS: OptimizerName[] = ['sgd', 'lars', 'adamw'];

function check(cond: boolean, message: string, field: string): void {
  if (!cond) throw new PretextError(message, { field });
}

/**
 * A method's defaults for a backbone: its own, overlaid with its backbone recipe when it
 * declares one for `backbone` (the recipe's note says what and why).
 */
export function methodDefaults(methodName: string, backbone: string): { train: TrainDefaults; params: Params; recipe?: string } {
  const def = getMethod(methodName);
  const r = def.backboneDefaults?.(backbone);
  if (!r) return { train: { ...def.train }, params: { ...def.params } };
  for (const k of Object.keys(r.params ?? {})) {
    if (!Object.hasOwn(def.params, k)) throw new Error(`${def.name}: its ${backbone} recipe sets '${k}', not an option of the method`);
  }
  return { train: { ...def.train, ...(r.train ?? {}) }, params: { ...def.params, ...(r.params ?? {}) }, recipe: r.note };
}

export function resolveConfig(methodName: string, o: RunOverrides, defaultPreset: (base: string) => string): RunConfig {
  const def = getMethod(methodName);
  const backbone = o.backbone ?? 'small';
  const base = methodDefaults(methodName, backbone);
  const params: Params = { ...base.params };
  for (const [k, v] of Object.entries(o.params ?? {})) {
    if (!Object.hasOwn(def.params, k)) throw unknownOption(def.name, k, Object.keys(def.params));
    if (typeof v !== typeof def.params[k]) throw new PretextError(`option ${k} of ${def.name} must be a ${typeof def.params[k]}`, { field: k });
    params[k] = v;
  }
  const epochs = o.epochs ?? 10;
  // The papers warm up for 10 of 1000 epochs; a short run keeps the same 10% share at most.
  const warmupDefault = Math.min(base.train.warmupEpochs, Math.round(epochs * 0.1));
  const train: TrainDefaults = {
    ...base.train,
    warmupEpochs: warmupDefault,
    ...(o.optimizer !== undefined ? { optimizer: o.optimizer as OptimizerName } : {}),
    ...(o.lr !== undefined ? { lr: o.lr } : {}),
    ...(o.weightDecay !== undefined ? { weightDecay: o.weightDecay } : {}),
    ...(o.momentum !== undefined ? { momentum: o.momentum } : {}),
    ...(o.batch !== undefined ? { batch: o.batch } : {}),
    ...(o.warmupEpochs !== undefined ? { warmupEpochs: o.warmupEpochs } : {}),
  };
  const clipLr = o.clipLr ?? train.clipLr ?? false;
  const cfg: RunConfig = {
    method: def.name,
    params,
    ...train,
    clipLr,
    backbone,
    width: o.width ?? 1,
    epochs,
    seed: o.seed ?? 0,
    scaledLr: (train.lr * train.batch) / 256,
    preset: o.preset ?? (typeof def.preset === 'string' ? defaultPreset(def.preset) : 'method'),
    knnK: o.knnK ?? 200,
    knnTemperature: o.knnTemperature ?? 0.1,
    ...(base.recipe !== undefined ? { recipe: base.recipe } : {}),
  };
  check(OPTIMIZERS.includes(cfg.optimizer), `optimizer must be one of ${OPTIMIZERS.join(', ')}, got '${cfg.optimizer}'`, 'optimizer');
  check(Number.isInteger(cfg.epochs) && cfg.epochs >= 1, `epochs must be a positive integer, got ${cfg.epochs}`, 'epochs');
  check(Number.isInteger(cfg.batch) && cfg.batch >= 2, `batch must be an integer ≥ 2, got ${cfg.batch}`, 'batch');
  check(Number.isInteger(cfg.seed) && cfg.seed >= 0, `seed must be a non-negative integer, got ${cfg.seed}`, 'seed');
  check(cfg.lr > 0 && Number.isFinite(cfg.lr), `lr must be > 0, got ${cfg.lr}`, 'lr');
  check(cfg.weightDecay >= 0, `weight decay must be ≥ 0, got ${cfg.weightDecay}`, 'weightDecay');
  check(cfg.momentum >= 0 && cfg.momentum < 1, `momentum must be in [0, 1), got ${cfg.momentum}`, 'momentum');
  check(cfg.warmupEpochs >= 0 && cfg.warmupEpochs <= cfg.epochs, `warm-up epochs must be in [0, epochs], got ${cfg.warmupEpochs}`, 'warmupEpochs');
  check(typeof cfg.clipLr === 'boolean', `clipLr must be true or false, got ${String(cfg.clipLr)}`, 'clipLr');
  check(!cfg.clipLr || cfg.optimizer === 'lars', `clipLr clips LARS's layer lr; optimizer ${cfg.optimizer} has none (use --optimizer lars)`, 'clipLr');
  check(
    !def.requiresViT || (VIT_NAMES as readonly string[]).includes(cfg.backbone),
    `method ${def.name} masks a ViT's patch tokens and needs a ViT backbone (${VIT_NAMES.join(', ')}), got '${cfg.backbone}': use --backbone vit-mini`,
    'backbone',
  );
  check(cfg.beta2 === undefined || (cfg.beta2 > 0 && cfg.beta2 < 1), `beta2 must be in (0, 1), got ${String(cfg.beta2)}`, 'beta2');
  check(cfg.width > 0, `width must be > 0, got ${cfg.width}`, 'width');
  check(Number.isInteger(cfg.knnK) && cfg.knnK >= 1, `knn k must be a positive integer, got ${cfg.knnK}`, 'knnK');
  check(cfg.knnTemperature > 0, `knn temperature must be > 0, got ${cfg.knnTemperature}`, 'knnTemperature');
  try {
    def.validate?.(params, train);
  } catch (err) {
    throw err instanceof PretextError ? err : new PretextError((err as Error).message, { field: 'params' });
  }
  if (o.trainImages !== undefined && def.fitToData) cfg.params = def.fitToData(params, o.trainImages).params;
  return cfg;
}

/** A method option that does not exist: the error lists the method's options, with a "did you mean". */
export function unknownOption(method: string, key: string, options: readonly string[]): PretextError {
  return new PretextError(
    `method ${method} has no option '${key}'${didYouMean(key, options)} (options: ${options.join(', ') || 'none'})`,
    { field: key },
  );
}
