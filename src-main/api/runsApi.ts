/** runs.* and jobs.*: training runs (each in its own child process, one at a time) and the job list. */
import type { MetricPoint } from './contract';
import { getDataset } from '../store/datasets';
import { createRun, deleteRun, getRun, labelRun, listRuns, newGroupId, runMetrics, updateRun } from '../store/runs';
import { isAlive } from '../store/workspace';
import { trainInChild } from '../engine/trainRunner';
import type { TrainChildOut } from '../engine/trainProtocol';
import type { Handlers, ServiceContext } from './context';
import { liveRun, runInfo } from './dto';
import { notFound, PretextError } from '../core/errors';
import { checkResumable, datasetFacts, planRuns, previewTrainConfigs } from '../tasks/trainConfig';

const STEP_METRICS = new Set(['loss', 'lr', 'views_per_s']);
const METRICS_INTERVAL_MS = 250;

/** Queues a training job for a run (new or resumed); its progress is relayed as events. */
export function submitTraining(ctx: ServiceContext, runId: string): string {
  const { ws } = ctx;
  const run = getRun(ws, runId)!;
  const entry = { jobId: '', totalSteps: null as number | null, pid: null as number | null };
  const job = ctx.jobs.submit({ kind: 'train', label: `${run.method} ${run.id}`, runId, datasetId: run.datasetId, lane: 'train' }, async (ctl) => {
    let startStep = 0;
    let base = 0;
    let t0 = performance.now();
    let pending: MetricPoint[] = [];
    let timer: ReturnType<typeof setTimeout> | null = null;
    const flush = () => {
      timer = null;
      if (pending.length > 0) ctx.emit('run.metrics', { runId, points: pending });
      pending = [];
    };
    const onMessage = (m: TrainChildOut) => {
      switch (m.type) {
        case 'backend':
          for (const s of m.skipped) ctl.progress.log(`backend ${s.name} unavailable: ${s.reason}`);
          break;
        case 'start':
          startStep = m.startStep;
          base = m.trainSeconds;
          t0 = performance.now();
          entry.totalSteps = m.totalSteps;
          ctl.progress.start(`${run.method} ${run.id}`, Math.max(0, m.totalSteps - m.startStep), 'step');
          ctx.emit('run.status', { runId, status: 'running', epochsDone: getRun(ws, runId)?.epochsDone ?? 0, error: null });
          break;
        case 'step': {
          ctl.progress.update(m.step + 1 - startStep, `loss ${m.loss.toFixed(4)} ${m.viewsPerSecond.toFixed(0)} views/s`);
          const wall = base + (performance.now() - t0) / 1000;
          const at = { step: m.step, epoch: m.epoch, wall };
          pending.push({ name: 'loss', value: m.loss, ...at }, { name: 'lr', value: m.lr, ...at }, { name: 'views_per_s', value: m.viewsPerSecond, ...at });
          timer ??= setTimeout(flush, METRICS_INTERVAL_MS);
          break;
        }
        case 'epoch': {
          flush();
          const points = runMetrics(ws, runId).filter((p) => p.epoch === m.epoch && !STEP_METRICS.has(p.name));
          if (points.length > 0) ctx.emit('run.metrics', { runId, points });
          ctx.emit('run.status', { runId, status: 'running', epochsDone: m.epoch + 1, error: null });
          break;
        }
        default:
          break;
      }
    };
    try {
      const outcome = await trainInChild(ws, runId, { backend: ctx.opts.backend, childPath: ctx.opts.trainChildPath }, ctl, {
        onSpawn: (pid) => (entry.pid = pid),
        onMessage,
      });
      ctl.progress.finish('done');
      return outcome;
    } finally {
      if (timer) clearTimeout(timer);
      flush();
    }
  });
  entry.jobId = job.id;
  ctx.training.set(runId, entry);
  return job.id;
}

/**
 * A run whose training process is still exiting (the engine died and its child is on its way
 * out) is waited for, up to a few seconds, before it can be resumed.
 */
async function untilStopped(ws: ServiceContext['ws'], id: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    const row = getRun(ws, id);
    if (!row || row.status !== 'running' || row.pid === null || !isAlive(row.pid) || Date.now() > deadline) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** After a training job: forget it, settle a run that never started, tell the UI. */
export function trainingFinished(ctx: ServiceContext, runId: string): void {
  ctx.training.delete(runId);
  const run = getRun(ctx.ws, runId);
  if (!run) return;
  if (run.status === 'queued') updateRun(ctx.ws, runId, { status: 'cancelled' });
  const now = getRun(ctx.ws, runId)!;
  ctx.emit('run.status', { runId, status: now.status, epochsDone: now.epochsDone, error: now.error });
}

export function runsHandlers(
  ctx: ServiceContext,
): Handlers<'runs.create' | 'runs.preview' | 'runs.list' | 'runs.get' | 'runs.metrics' | 'runs.cancel' | 'runs.resume' | 'runs.delete' | 'runs.label' | 'jobs.list' | 'jobs.cancel'> {
  const { ws } = ctx;
  const ownPids = () => new Set([...ctx.training.values()].flatMap((t) => (t.pid === null ? [] : [t.pid])));
  const info = (id: string) => {
    const row = getRun(ws, id);
    if (!row) throw notFound(`run '${id}'`);
    const t = ctx.training.get(id);
    return runInfo(ws, liveRun(ws, row, ownPids()), { jobId: t?.jobId ?? null, totalSteps: t?.totalSteps ?? null });
  };
  return {
    'runs.create': async (req) => {
      const dataset = getDataset(ws, req.datasetId);
      if (!dataset) throw notFound(`dataset '${req.datasetId}'`);
      const backend = await ctx.backend();
      // Every run (methods × seeds × sweep values) is resolved and checked before one is stored.
      const planned = planRuns(req, datasetFacts(ws, dataset), backend.name);
      const groupId = newGroupId();
      const runIds: string[] = [];
      const jobIds: string[] = [];
      for (const { config: cfg, sweep } of planned) {
        const run = createRun(ws, dataset.id, cfg.method, cfg, { groupId, sweep });
        runIds.push(run.id);
        jobIds.push(submitTraining(ctx, run.id));
        ctx.emit('run.status', { runId: run.id, status: 'queued', epochsDone: 0, error: null });
      }
      return { runIds, jobIds, groupId };
    },
    'runs.preview': async (req) => {
      const dataset = getDataset(ws, req.datasetId);
      if (!dataset) throw notFound(`dataset '${req.datasetId}'`);
      const backend = await ctx.backend();
      return previewTrainConfigs(req, datasetFacts(ws, dataset), backend.name);
    },
    'runs.list': async (req) => {
      const datasetId = req ? req.datasetId : undefined;
      return listRuns(ws)
        .filter((r) => datasetId === undefined || r.datasetId === datasetId)
        .map((r) => info(r.id));
    },
    'runs.get': async ({ id }) => info(id),
    'runs.metrics': async ({ id, names, sinceStep }) => {
      if (!getRun(ws, id)) throw notFound(`run '${id}'`);
      const wanted = names && names.length > 0 ? new Set(names) : null;
      return runMetrics(ws, id).filter((p) => (wanted === null || wanted.has(p.name)) && (sinceStep === undefined || p.step > sinceStep));
    },
    'runs.cancel': async ({ id }) => {
      const run = info(id);
      const t = ctx.training.get(id);
      if (t) return { cancelled: ctx.jobs.cancel(t.jobId) };
      const row = getRun(ws, id)!;
      if (row.status === 'queued') {
        updateRun(ws, id, { status: 'cancelled' });
        ctx.emit('run.status', { runId: id, status: 'cancelled', epochsDone: row.epochsDone, error: null });
        return { cancelled: true };
      }
      if (row.status === 'running' && row.pid !== null && isAlive(row.pid)) {
        // Training in another process (the CLI): it turns SIGINT into a clean cancel.
        process.kill(row.pid, 'SIGINT');
        return { cancelled: true };
      }
      throw new PretextError(`run ${id} is not training (status ${run.status})`);
    },
    'runs.resume': async ({ id }) => {
      await untilStopped(ws, id);
      const run = info(id);
      if (ctx.training.has(id)) throw new PretextError(`run ${id} is already queued or training`);
      if (run.status === 'completed') throw new PretextError(`run ${id} is already completed`);
      if (run.status === 'running') throw new PretextError(`run ${id} is training in process ${getRun(ws, id)!.pid}`);
      checkResumable(ws, getRun(ws, id)!.config, getDataset(ws, run.datasetId), id);
      const jobId = submitTraining(ctx, id);
      return { jobId };
    },
    'runs.delete': async ({ id }) => {
      const run = info(id);
      if (ctx.training.has(id) || run.status === 'running') throw new PretextError(`run ${id} is training; cancel it first`);
      return { deleted: deleteRun(ws, id) };
    },
    'runs.label': async ({ id, tags, notes }) => {
      info(id);
      labelRun(ws, id, { tags, notes });
      return info(id);
    },
    'jobs.list': async () => ctx.jobs.list(),
    'jobs.cancel': async ({ id }) => {
      if (!ctx.jobs.get(id)) throw notFound(`job '${id}'`);
      return { cancelled: ctx.jobs.cancel(id) };
    },
  };
}
