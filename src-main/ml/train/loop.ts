/**
 * The training loop (solo-learn's BaseMethod, in TypeScript), over data in memory and a
 * resolved config: seeded data order and views, warm-up + cosine learning rate, the method's
 * loss and after-step hooks, per-step metrics, per-epoch monitoring, and a checkpoint after
 * every epoch (written where the caller says). It knows nothing of the workspace: the caller
 * (src-main/tasks/train.ts) persists what the hooks hand it. A loop resumed from a checkpoint
 * produces exactly the metrics an uninterrupted one with the same seed does (timings aside):
 * everything random is derived from (seed, epoch, step).
 */
import * as tf from '@tensorflow/tfjs-core';
import { renderViews, taskTargets, type ViewParams, type ViewSpec } from '../augment';
import { buildSeeded } from '../backbones/registry';
import { gatherPixels } from '../eval/embed';
import { getMethod, trainingViews, type SslModel, type StepInput } from '../methods';
import { CancelledError, PretextError, throwIfAborted } from '../../core/errors';
import { tick, type Control } from '../../core/control';
import { deriveSeed } from '../../core/rng';
import type { MetricPoint } from '../../core/types';
import { restoreCheckpoint, saveCheckpoint, type LoadedCheckpoint } from './checkpoint';
import type { RunConfig } from './config';
import type { TrainData } from './data';
import { epochMetrics } from './epochMetrics';
import { encoderChannels, evaluationSpec, featureNet } from '../methods/evaluation';
import { luminance } from '../backbones/luminance';
import { Optimizer } from './optimizers';
import { warmupCosineLr } from './schedule';
import { shuffled } from './seed';

export interface StepEvent {
  epoch: number;
  step: number;
  totalSteps: number;
  loss: number;
  /** The method's per-term metrics of the step, by name (logged as `loss_<name>`). */
  metrics: Record<string, number>;
  lr: number;
  viewsPerSecond: number;
}

/** The end of an epoch: its counters, and `save(path)` to write the checkpoint of the model now. */
export interface EpochEnd {
  epoch: number;
  /** The global step of the epoch's last step (where its monitored metrics are recorded). */
  step: number;
  stepsDone: number;
  trainSeconds: number;
  epochSeconds: number;
  metrics: Record<string, number>;
  save(path: string): Promise<void>;
}

export interface LoopHooks {
  /** What was built: backboneParams, trainableParams, featureDim. */
  onModel?(info: Record<string, number>): void;
  onStart?(e: { totalSteps: number; startStep: number; epochs: number }): void;
  onStep?(e: StepEvent): void;
  /** Metric points to keep, in order: step metrics in batches, then each epoch's rest. */
  onMetrics?(points: MetricPoint[]): void;
  /** After an epoch's metrics: the caller writes its checkpoint and records its progress. */
  onEpochEnd?(e: EpochEnd): Promise<void>;
}

/** Where a resumed loop starts: the checkpoint written after epoch `epoch` (0-based). */
export interface ResumeFrom {
  epoch: number;
  checkpoint: LoadedCheckpoint;
}

export interface LoopResult {
  status: 'completed' | 'cancelled';
  epochsDone: number;
  stepsDone: number;
  trainSeconds: number;
  /** The last value of the monitored metrics and the loss. */
  metrics: Record<string, number>;
}

/** Parameter counts of what was built: the backbone (what is evaluated and exported) and all that trains. */
export function modelInfo(model: SslModel): Record<string, number> {
  const count = (vs: readonly { size: number }[]) => vs.reduce((s, v) => s + v.size, 0);
  return {
    // Trainable weights, as torchvision counts parameters (batch-norm running statistics are buffers).
    backboneParams: model.backbone.trainableWeights.reduce((n, w) => n + (w.shape as number[]).reduce((a, b) => a * b, 1), 0),
    trainableParams: count(model.trainable()),
    featureDim: model.backbone.outputs[0]!.shape[1] as number,
  };
}

/** The method's model on the configured backbone, its weights seeded by the run's seed. */
export function buildModel(cfg: RunConfig, data: Pick<TrainData, 'size' | 'channels' | 'numClasses'> & { trainIdx?: readonly number[] }): SslModel {
  // An L-only encoder (EvaluationSpec.input 'luminance') is built for one channel.
  const channels = encoderChannels(evaluationSpec(cfg.method, cfg.params), data.channels);
  return buildSeeded(cfg, { size: data.size, channels }, (first, make) => {
    const featureDim = first.outputs[0]!.shape[1] as number;
    let handedOut = false;
    const factory = () => {
      if (handedOut) return make();
      handedOut = true;
      return first;
    };
    return getMethod(cfg.method).build(factory, featureDim, cfg.params, data.numClasses, { trainIndices: data.trainIdx ?? [] });
  });
}

/** Trains (or resumes) until the config's last epoch; cancelled by control.signal after a step. */
export async function trainLoop(
  data: TrainData,
  cfg: RunConfig,
  hooks: LoopHooks = {},
  resume?: ResumeFrom,
  control: Control = {},
): Promise<LoopResult> {
  const batch = cfg.batch;
  if (data.trainIdx.length < batch) {
    throw new PretextError(`dataset ${data.datasetId} has ${data.trainIdx.length} training images, fewer than one batch of ${batch}; use --batch`, { field: 'batch' });
  }
  const views = trainingViews(cfg.method, cfg.preset, data.size, cfg.params);
  const model = buildModel(cfg, data);
  let optimizer: Optimizer | null = null;
  try {
    hooks.onModel?.(modelInfo(model));
    optimizer = model.trains
      ? new Optimizer(model.trainable(), {
          name: cfg.optimizer,
          weightDecay: cfg.weightDecay,
          momentum: cfg.momentum,
          eta: cfg.eta,
          excludeBiasAndNorm: cfg.excludeBiasAndNorm,
          clipLr: cfg.clipLr ?? false,
          ...(cfg.beta2 !== undefined ? { beta2: cfg.beta2 } : {}),
        }, model.paramGroups())
      : null;
    return await epochs(model, optimizer, data, cfg, views, hooks, resume, control);
  } finally {
    optimizer?.dispose();
    model.dispose();
  }
}

async function epochs(
  model: SslModel,
  optimizer: Optimizer | null,
  data: TrainData,
  cfg: RunConfig,
  views: ViewSpec[],
  hooks: LoopHooks,
  resume: ResumeFrom | undefined,
  control: Control,
): Promise<LoopResult> {
  const batch = cfg.batch;
  const stepsPerEpoch = Math.floor(data.trainIdx.length / batch);
  const epochs = model.trains ? cfg.epochs : 1;
  const totalSteps = model.trains ? epochs * stepsPerEpoch : 0;
  let startEpoch = 0;
  let trainSeconds = 0;
  let last: Record<string, number> = {};
  let epochsDone = 0;
  if (resume) {
    restoreCheckpoint(resume.checkpoint, model, optimizer);
    startEpoch = resume.epoch + 1;
    trainSeconds = resume.checkpoint.meta.trainSeconds;
  }
  try {
    hooks.onStart?.({ totalSteps, startStep: startEpoch * stepsPerEpoch, epochs });
    for (let epoch = startEpoch; epoch < epochs; epoch++) {
      const order = shuffled(data.trainIdx, deriveSeed(cfg.seed, 1, epoch));
      const pending: MetricPoint[] = [];
      const epochStart = performance.now();
      const steps = model.trains ? stepsPerEpoch : 0;
      if (steps > 0) model.onEpochStart?.({ epoch, seed: cfg.seed });
      for (let s = 0; s < steps; s++) {
        throwIfAborted(control.signal);
        const step = epoch * stepsPerEpoch + s;
        const t0 = performance.now();
        const lr = warmupCosineLr(step, { baseLr: cfg.scaledLr, totalSteps, warmupSteps: cfg.warmupEpochs * stepsPerEpoch });
        const { loss, metrics } = await trainStep(model, optimizer!, data, order.slice(s * batch, (s + 1) * batch), views, {
          seed: cfg.seed,
          epoch,
          step: s,
          stepsPerEpoch,
          globalStep: step,
          totalSteps,
          lr,
          baseLr: cfg.scaledLr,
          luminance: evaluationSpec(cfg.method, cfg.params).input === 'luminance',
        });
        if (!Number.isFinite(loss)) {
          throw new Error(`the loss became ${loss} at step ${step} (epoch ${epoch + 1}); try a lower --lr`);
        }
        const dt = (performance.now() - t0) / 1000;
        trainSeconds += dt;
        const viewsPerSecond = (views.length * batch) / dt;
        pending.push(
          { name: 'loss', step, epoch, value: loss, wall: trainSeconds },
          { name: 'lr', step, epoch, value: lr, wall: trainSeconds },
          { name: 'views_per_s', step, epoch, value: viewsPerSecond, wall: trainSeconds },
          ...Object.entries(metrics).map(([name, value]) => ({ name: `loss_${name}`, step, epoch, value, wall: trainSeconds })),
        );
        if (pending.length >= 150) hooks.onMetrics?.(pending.splice(0));
        hooks.onStep?.({ epoch, step, totalSteps, loss, metrics, lr, viewsPerSecond });
        // Yield to the event loop: progress output, Ctrl-C and IPC stay responsive.
        await tick();
      }
      throwIfAborted(control.signal);
      const lastStep = Math.max(0, (epoch + 1) * steps - 1);
      const monitored = await epochMetrics(featureNet(model, evaluationSpec(cfg.method, cfg.params), data.stats), data, cfg, views);
      for (const [name, value] of Object.entries(monitored)) pending.push({ name, step: lastStep, epoch, value, wall: trainSeconds });
      hooks.onMetrics?.(pending);
      last = { ...last, ...monitored };
      if (steps > 0) last['loss'] = pending.filter((p) => p.name === 'loss').at(-1)?.value ?? Number.NaN;
      const meta = { epoch, step: lastStep, trainSeconds, epochSeconds: (performance.now() - epochStart) / 1000 };
      await hooks.onEpochEnd?.({
        ...meta,
        stepsDone: (epoch + 1) * steps,
        metrics: monitored,
        save: (path) => saveCheckpoint(path, model, optimizer, meta),
      });
      epochsDone = epoch + 1;
    }
    return { status: 'completed', epochsDone: epochs, stepsDone: totalSteps, trainSeconds, metrics: last };
  } catch (err) {
    if (!(err instanceof CancelledError)) throw err;
    const done = Math.max(epochsDone, startEpoch);
    return { status: 'cancelled', epochsDone: done, stepsDone: done * (model.trains ? stepsPerEpoch : 0), trainSeconds, metrics: last };
  }
}

interface StepContext {
  seed: number;
  epoch: number;
  /** Step within the epoch. */
  step: number;
  stepsPerEpoch: number;
  globalStep: number;
  totalSteps: number;
  /** The scheduled lr of the step, and the run's base lr (groups with a fixed lr). */
  lr: number;
  baseLr: number;
  /** The method's encoder sees luminance (EvaluationSpec.input): its views are converted. */
  luminance: boolean;
}

async function trainStep(
  model: SslModel,
  optimizer: Optimizer,
  data: TrainData,
  indices: number[],
  views: ViewSpec[],
  c: StepContext,
): Promise<{ loss: number; metrics: Record<string, number> }> {
  const pixels = gatherPixels(data, indices);
  const seedPath = { seed: c.seed, epoch: c.epoch, step: c.step };
  const drawn: (readonly ViewParams[])[] = [];
  const onParams = (v: number, p: readonly ViewParams[]) => (drawn[v] = p);
  const rendered = renderViews({ pixels, shape: [indices.length, data.size, data.size, data.channels] }, views, seedPath, { normalize: data.stats, onParams });
  // An L-only encoder's method gets its views as luminance (ml/backbones/luminance.ts).
  const viewTensors = c.luminance ? rendered.map((v) => tf.tidy(() => luminance(v, data.stats))) : rendered;
  if (viewTensors !== rendered) tf.dispose(rendered);
  // Task views' targets (rotation, permutation, neighbour), drawn with the views.
  const tasks = views.some((s) => s.task) ? views.map((s, v) => (s.task ? tf.tensor1d(taskTargets(s.task, drawn[v]!), 'int32') : null)) : undefined;
  const labels = tf.tensor1d(Int32Array.from(indices, (i) => Math.max(0, data.labels[i]!)), 'int32');
  const batchIndices = tf.tensor1d(Int32Array.from(indices), 'int32');
  const input: StepInput = {
    views: viewTensors,
    specs: views,
    labels,
    indices: batchIndices,
    epoch: c.epoch,
    stepInEpoch: c.step,
    stepsPerEpoch: c.stepsPerEpoch,
    step: c.globalStep,
    totalSteps: c.totalSteps,
    seedPath,
    ...(tasks ? { taskTargets: tasks } : {}),
  };
  const targets = model.targets?.(input) ?? [];
  let kept: Record<string, tf.Scalar> = {};
  try {
    const { value, grads } = tf.variableGrads(() => {
      const out = model.loss(input, targets);
      // The per-term metrics outlive the gradient's tidy; read and disposed below.
      kept = out.metrics ?? {};
      for (const m of Object.values(kept)) tf.keep(m);
      return out.loss;
    }, model.trainable());
    const applied = model.beforeApply ? model.beforeApply(grads, input) : grads;
    optimizer.apply(applied, c.lr, c.baseLr);
    tf.dispose([grads, applied]);
    model.afterStep?.(input, targets);
    const loss = (await value.data())[0]!;
    value.dispose();
    const metrics: Record<string, number> = {};
    for (const [name, m] of Object.entries(kept)) metrics[name] = (await m.data())[0]!;
    return { loss, metrics };
  } finally {
    tf.dispose([...viewTensors, labels, batchIndices, ...targets, ...Object.values(kept), ...(tasks ?? []).filter((t) => t !== null)]);
  }
}
