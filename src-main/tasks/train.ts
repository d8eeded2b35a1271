/**
 * Training a run of the workspace: checks its config against its dataset (a run that cannot
 * train is marked failed before it is ever 'running'), loads the data, resumes from the last
 * checkpoint, and runs the pure loop (ml/train/loop.ts) while recording its metrics, its
 * checkpoints (the newest only) and its progress in the store. The engine's training child and
 * the CLI both call runTraining.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describeBackend } from '../ml/backend';
import { readCheckpoint } from '../ml/train/checkpoint';
import { trainLoop, type EpochEnd, type ResumeFrom, type StepEvent } from '../ml/train/loop';
import type { TrainData } from '../ml/train/data';
import { CancelledError, noSuch, PretextError } from '../core/errors';
import { getDataset } from '../store/datasets';
import { appendMetrics, deleteCheckpoint, getRun, latestCheckpoint, recordCheckpoint, runDir, truncateMetrics, updateRun } from '../store/runs';
import type { Workspace } from '../store/workspace';
import { checkConfigForData, dataFacts } from './trainConfig';
import { loadTrainData } from './trainData';

export type { StepEvent };

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

/** Runs (or resumes) training of a run recorded in the workspace until its last epoch. */
export async function runTraining(ws: Workspace, runId: string, events: TrainEvents = {}): Promise<TrainResult> {
  const run = getRun(ws, runId);
  if (!run) throw noSuch('run', runId);
  const cfg = run.config;
  let data: TrainData;
  try {
    const dataset = getDataset(ws, run.datasetId);
    if (!dataset) throw new PretextError(`run ${runId}: its dataset ${run.datasetId} is gone`);
    data = loadTrainData(ws, dataset);
    checkConfigForData(cfg, dataFacts(data));
  } catch (err) {
    updateRun(ws, runId, { status: 'failed', error: (err as Error).message, pid: null });
    throw err;
  }
  mkdirSync(runDir(ws, runId), { recursive: true });
  updateRun(ws, runId, {
    status: 'running',
    backend: describeBackend().name,
    backendInfo: { ...describeBackend() },
    pid: process.pid,
    startedAt: run.startedAt ?? new Date().toISOString(),
    error: null,
    finishedAt: null,
  });
  try {
    const ckpt = latestCheckpoint(ws, runId);
    const resume: ResumeFrom | undefined = ckpt ? { epoch: ckpt.epoch, checkpoint: readCheckpoint(join(ws.dir, ckpt.path)) } : undefined;
    const r = await trainLoop(
      data,
      cfg,
      {
        onModel: (info) => updateRun(ws, runId, { modelInfo: info }),
        onStart: (e) => {
          // What the resumed run records again (everything, when it starts afresh).
          truncateMetrics(ws, runId, ckpt ? ckpt.step : -1);
          events.onStart?.({ runId, ...e });
        },
        onStep: (e) => events.onStep?.(e),
        onMetrics: (points) => appendMetrics(ws, runId, points),
        onEpochEnd: async (e) => {
          await checkpointEpoch(ws, runId, e);
          updateRun(ws, runId, { epochsDone: e.epoch + 1, stepsDone: e.stepsDone, trainSeconds: e.trainSeconds });
          events.onEpoch?.({ epoch: e.epoch, metrics: e.metrics });
        },
      },
      resume,
      { signal: events.signal },
    );
    if (r.status === 'cancelled') {
      updateRun(ws, runId, { status: 'cancelled', pid: null });
      const row = getRun(ws, runId)!;
      return { runId, status: 'cancelled', epochsDone: row.epochsDone, stepsDone: row.stepsDone, trainSeconds: row.trainSeconds, metrics: r.metrics };
    }
    updateRun(ws, runId, { status: 'completed', finishedAt: new Date().toISOString(), pid: null });
    return { runId, ...r, status: 'completed' };
  } catch (err) {
    if (err instanceof CancelledError) {
      updateRun(ws, runId, { status: 'cancelled', pid: null });
      const row = getRun(ws, runId)!;
      return { runId, status: 'cancelled', epochsDone: row.epochsDone, stepsDone: row.stepsDone, trainSeconds: row.trainSeconds, metrics: {} };
    }
    updateRun(ws, runId, { status: 'failed', error: (err as Error).message, pid: null });
    throw err;
  }
}

/** Writes the epoch's checkpoint and keeps the newest one only (the row points at it, then the old file goes). */
async function checkpointEpoch(ws: Workspace, runId: string, e: EpochEnd): Promise<void> {
  const rel = join('runs', runId, `checkpoint-e${String(e.epoch + 1).padStart(4, '0')}.bin`);
  await e.save(join(ws.dir, rel));
  const previous = latestCheckpoint(ws, runId);
  recordCheckpoint(ws, runId, { epoch: e.epoch, step: e.step, path: rel });
  if (previous && previous.path !== rel) {
    deleteCheckpoint(ws, runId, previous.epoch);
    rmSync(join(ws.dir, previous.path), { force: true });
  }
}
