/**
 * The training loop (solo-learn's BaseMethod, in TypeScript): seeded data order and views,
 * warm-up + cosine learning rate, the method's loss and after-step hooks, per-step metrics,
 * per-epoch monitoring, and a checkpoint after every epoch. A run resumed from its last
 * checkpoint records exactly the metrics an uninterrupted run with the same seed records
 * (timings aside): everything random is derived from (seed, epoch, step).
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { deriveSeed, renderViews, resolvePreset, type ViewSpec } from '../augment';
import { describeBackend } from '../backend';
import { resnet, type ResNetName, RESNET_NAMES } from '../backbones/resnet';
import { gatherPixels } from '../eval/embed';
import { getMethod, type SslModel, type StepInput } from '../methods';
import { CancelledError } from '../../core/errors';
import { getDataset } from '../../store/datasets';
import { appendMetrics, getRun, latestCheckpoint, recordCheckpoint, runDir, truncateMetrics, updateRun } from '../../store/runs';
import { type MetricPoint } from '../../core/types';
import type { Workspace } from '../../store/workspace';
import { readCheckpoint, restoreCheckpoint, saveCheckpoint } from './checkpoint';
import type { RunConfig } from './config';
import { loadTrainData, type TrainData } from './data';
import { epochMetrics } from './epochMetrics';
import { Optimizer } from './optimizers';
import { warmupCosineLr } from './schedule';
import { shuffled, withSeed } from './seed';

export interface StepEvent {
  epoch: number;
  step: number;
  totalSteps: number;
  loss: number;
  lr: number;
  viewsPerSecond: number;
}

export interface TrainEvents {
  onStart?(e: { runId: string; totalSteps: number; startStep: number; epochs: number }): void;
  onStep?(e: StepEvent): void;
  onEpoch?(e: { epoch: number; metrics: Record<string, number> }): void;
  signal?: AbortSignal;
}

export interface TrainResult {
  runId: string;
  status: 'completed' | 'cancelled';
  epochsDone: number;
  stepsDone: number;
  trainSeconds: number;
  metrics: Record<string, number>;
}

export function makeBackboneFactory(cfg: RunConfig, size: number, channels: number): () => tfl.LayersModel {
  if (!RESNET_NAMES.includes(cfg.backbone as ResNetName)) {
    throw new Error(`unknown backbone '${cfg.backbone}' (known: ${RESNET_NAMES.join(', ')})`);
  }
  return () => resnet(cfg.backbone as ResNetName, { size, channels: channels as 1 | 3, width: cfg.width });
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

function viewsOf(cfg: RunConfig, size: number): ViewSpec[] {
  const def = getMethod(cfg.method);
  if (cfg.preset === 'method') {
    if (typeof def.preset !== 'function') throw new Error(`method ${def.name} declares no views of its own`);
    return def.preset(size);
  }
  return resolvePreset(cfg.preset, size);
}

function buildModel(cfg: RunConfig, data: TrainData): SslModel {
  const make = makeBackboneFactory(cfg, data.size, data.channels);
  return withSeed(deriveSeed(cfg.seed, 7), () => {
    const first = make();
    const featureDim = first.outputs[0]!.shape[1] as number;
    let handedOut = false;
    const factory = () => {
      if (handedOut) return make();
      handedOut = true;
      return first;
    };
    return getMethod(cfg.method).build(factory, featureDim, cfg.params, data.numClasses);
  });
}

/** Runs (or resumes) training of a run recorded in the workspace until its last epoch. */
export async function runTraining(ws: Workspace, runId: string, events: TrainEvents = {}): Promise<TrainResult> {
  const run = getRun(ws, runId);
  if (!run) throw new Error(`no run ${runId}`);
  const cfg = run.config as unknown as RunConfig;
  const dataset = getDataset(ws, run.datasetId);
  if (!dataset) throw new Error(`run ${runId}: its dataset ${run.datasetId} is gone`);
  let data: TrainData;
  try {
    data = loadTrainData(ws, dataset);
    if (data.trainIdx.length < cfg.batch) {
      throw new Error(`dataset ${dataset.id} has ${data.trainIdx.length} training images, fewer than one batch of ${cfg.batch}; use --batch`);
    }
  } catch (err) {
    updateRun(ws, runId, { status: 'failed', error: (err as Error).message, pid: null });
    throw err;
  }
  const batch = cfg.batch;
  mkdirSync(runDir(ws, runId), { recursive: true });
  updateRun(ws, runId, {
    status: 'running',
    backend: describeBackend().name,
    backendInfo: describeBackend() as unknown as Record<string, unknown>,
    pid: process.pid,
    startedAt: run.startedAt ?? new Date().toISOString(),
    error: null,
    finishedAt: null,
  });

  let model: SslModel;
  try {
    model = buildModel(cfg, data);
    updateRun(ws, runId, { modelInfo: modelInfo(model) });
  } catch (err) {
    updateRun(ws, runId, { status: 'failed', error: (err as Error).message, pid: null });
    throw err;
  }
  const optimizer = model.trains
    ? new Optimizer(model.trainable(), {
        name: cfg.optimizer,
        weightDecay: cfg.weightDecay,
        momentum: cfg.momentum,
        eta: cfg.eta,
        excludeBiasAndNorm: cfg.excludeBiasAndNorm,
      })
    : null;
  const stepsPerEpoch = Math.floor(data.trainIdx.length / batch);
  const epochs = model.trains ? cfg.epochs : 1;
  const totalSteps = model.trains ? epochs * stepsPerEpoch : 0;
  const views = viewsOf(cfg, data.size);
  let startEpoch = 0;
  let trainSeconds = 0;
  let last: Record<string, number> = {};
  try {
    const ckpt = latestCheckpoint(ws, runId);
    if (ckpt) {
      const loaded = readCheckpoint(join(ws.dir, ckpt.path));
      restoreCheckpoint(loaded, model, optimizer);
      startEpoch = ckpt.epoch + 1;
      trainSeconds = loaded.meta.trainSeconds;
      truncateMetrics(ws, runId, ckpt.step);
    } else {
      truncateMetrics(ws, runId, -1);
    }
    events.onStart?.({ runId, totalSteps, startStep: startEpoch * stepsPerEpoch, epochs });

    for (let epoch = startEpoch; epoch < epochs; epoch++) {
      const order = shuffled(data.trainIdx, deriveSeed(cfg.seed, 1, epoch));
      const pending: MetricPoint[] = [];
      const epochStart = performance.now();
      const steps = model.trains ? stepsPerEpoch : 0;
      for (let s = 0; s < steps; s++) {
        if (events.signal?.aborted) throw new CancelledError();
        const step = epoch * stepsPerEpoch + s;
        const t0 = performance.now();
        const lr = warmupCosineLr(step, {
          baseLr: cfg.scaledLr,
          totalSteps,
          warmupSteps: cfg.warmupEpochs * stepsPerEpoch,
        });
        const loss = await trainStep(model, optimizer!, data, order.slice(s * batch, (s + 1) * batch), views, {
          seed: cfg.seed,
          epoch,
          step: s,
          globalStep: step,
          totalSteps,
          lr,
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
        );
        if (pending.length >= 150) appendMetrics(ws, runId, pending.splice(0));
        events.onStep?.({ epoch, step, totalSteps, loss, lr, viewsPerSecond });
        // Yield to the event loop: progress output, Ctrl-C and IPC stay responsive.
        await new Promise((r) => setImmediate(r));
      }
      if (events.signal?.aborted) throw new CancelledError();
      const lastStep = Math.max(0, (epoch + 1) * steps - 1);
      const monitored = await epochMetrics(model.backbone, data, cfg, views);
      for (const [name, value] of Object.entries(monitored)) pending.push({ name, step: lastStep, epoch, value, wall: trainSeconds });
      appendMetrics(ws, runId, pending);
      last = { ...last, ...monitored };
      if (steps > 0) last['loss'] = pending.filter((p) => p.name === 'loss').at(-1)?.value ?? Number.NaN;
      await checkpointEpoch(ws, runId, model, optimizer, epoch, lastStep, trainSeconds, (performance.now() - epochStart) / 1000);
      updateRun(ws, runId, { epochsDone: epoch + 1, stepsDone: (epoch + 1) * steps, trainSeconds });
      events.onEpoch?.({ epoch, metrics: monitored });
    }
    updateRun(ws, runId, { status: 'completed', finishedAt: new Date().toISOString(), pid: null });
    return { runId, status: 'completed', epochsDone: epochs, stepsDone: totalSteps, trainSeconds, metrics: last };
  } catch (err) {
    if (err instanceof CancelledError) {
      updateRun(ws, runId, { status: 'cancelled', pid: null });
      const r = getRun(ws, runId)!;
      return { runId, status: 'cancelled', epochsDone: r.epochsDone, stepsDone: r.stepsDone, trainSeconds: r.trainSeconds, metrics: last };
    }
    updateRun(ws, runId, { status: 'failed', error: (err as Error).message, pid: null });
    throw err;
  } finally {
    optimizer?.dispose();
    model.dispose();
  }
}

interface StepContext {
  seed: number;
  epoch: number;
  step: number;
  globalStep: number;
  totalSteps: number;
  lr: number;
}

async function trainStep(
  model: SslModel,
  optimizer: Optimizer,
  data: TrainData,
  indices: number[],
  views: ViewSpec[],
  c: StepContext,
): Promise<number> {
  const pixels = gatherPixels(data, indices);
  const viewTensors = renderViews({ pixels, shape: [indices.length, data.size, data.size, data.channels] }, views, { seed: c.seed, epoch: c.epoch, step: c.step }, { normalize: data.stats });
  const labels = tf.tensor1d(Int32Array.from(indices, (i) => Math.max(0, data.labels[i]!)), 'int32');
  const input: StepInput = { views: viewTensors, labels, step: c.globalStep, totalSteps: c.totalSteps };
  const targets = model.targets?.(input) ?? [];
  try {
    const { value, grads } = tf.variableGrads(() => model.loss(input, targets), model.trainable());
    optimizer.apply(grads, c.lr);
    tf.dispose(grads);
    model.afterStep?.(input, targets);
    const loss = (await value.data())[0]!;
    value.dispose();
    return loss;
  } finally {
    tf.dispose([...viewTensors, labels, ...targets]);
  }
}

async function checkpointEpoch(
  ws: Workspace,
  runId: string,
  model: SslModel,
  optimizer: Optimizer | null,
  epoch: number,
  step: number,
  trainSeconds: number,
  epochSeconds: number,
): Promise<void> {
  const rel = join('runs', runId, `checkpoint-e${String(epoch + 1).padStart(4, '0')}.bin`);
  await saveCheckpoint(join(ws.dir, rel), model, optimizer, { epoch, step, trainSeconds, epochSeconds });
  const previous = latestCheckpoint(ws, runId);
  recordCheckpoint(ws, runId, { epoch, step, path: rel });
  // Keep the newest checkpoint only; the row now points at it, so the old file can go.
  if (previous && previous.path !== rel) {
    ws.db.prepare('DELETE FROM checkpoints WHERE run_id = ? AND epoch = ?').run(runId, previous.epoch);
    rmSync(join(ws.dir, previous.path), { force: true });
  }
}
