import { noSuch, CancelledError, PretextError } from '../../core/errors';
import { usageError } from '../errors';
import { initBackend } from '../../ml/backend';
import { BACKBONE_NAMES } from '../../ml/backbones/registry';
import { METHOD_NAMES } from '../../ml/methods';
import { CPU_BATCH, datasetFacts, defaultBatch, paramsFromSets, resolveTrainConfigs } from '../../tasks/trainConfig';
import { runTraining, type TrainResult } from '../../tasks/train';
import { resolveDataset } from '../../store/datasets';
import { createRun, getRun, updateRun } from '../../store/runs';
import type { Workspace } from '../../store/workspace';
import { parseCommandArgs } from '../args';
import type { Command, CommandContext } from '../command';

const usage = `Usage: pretext train --dataset ID --method NAME[,NAME...] [OPTIONS]

Trains one run per method on the same data (a comparison), one after another.
Methods: ${METHOD_NAMES.join(', ')}

Options (each method's defaults follow its paper's small-data settings; see 'runs show'):
  --backbone B         ${BACKBONE_NAMES.join(', ')} (default small)
  --width W            width multiplier of the backbone (default 1)
  --epochs N           (default 10)
  --batch N            batch size (method default 256; ${CPU_BATCH} on the wasm and cpu backends)
  --seed N             data order, views and initial weights (default 0)
  --optimizer O        sgd, lars or adamw (method default)
  --lr X               learning rate per 256 images; scaled by batch/256 (method default)
  --weight-decay X     (method default)
  --momentum X         (method default)
  --warmup-epochs N    (method default: 10 or 10% of the run, the shorter)
  --preset NAME        augmentation preset (method default; see 'pretext augment')
  --set KEY=VALUE      a method option, e.g. --set temperature=0.5 --set projOut=128`;

function parse(args: string[]) {
  return parseCommandArgs(
    args,
    {
      dataset: { type: 'string' },
      method: { type: 'string', multiple: true },
      backbone: { type: 'string' },
      width: { type: 'string' },
      epochs: { type: 'string' },
      batch: { type: 'string' },
      seed: { type: 'string' },
      optimizer: { type: 'string' },
      lr: { type: 'string' },
      'weight-decay': { type: 'string' },
      momentum: { type: 'string' },
      'warmup-epochs': { type: 'string' },
      preset: { type: 'string' },
      set: { type: 'string', multiple: true },
    },
    usage,
  ).values;
}

function number(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw usageError(`--${name} must be a number, got '${v}'`);
  return n;
}

/** A request error of the shared resolution, as a usage error (exit 2). */
function asUsage<T>(f: () => T): T {
  try {
    return f();
  } catch (err) {
    if (err instanceof PretextError && err.code === 'bad-request') throw usageError(err.message, err.field ?? 'usage');
    throw err;
  }
}

/** Trains one run and shows a progress bar; returns the summary printed by --json. */
export async function trainRun(ws: Workspace, runId: string, ctx: CommandContext): Promise<TrainResult & { backend: string; method: string }> {
  const run = getRun(ws, runId)!;
  let total = 0;
  let start = 0;
  const result = await runTraining(ws, runId, {
    signal: ctx.signal,
    onStart: (e) => {
      total = e.totalSteps;
      start = e.startStep;
      ctx.progress.start(`${run.method} ${run.id}`, Math.max(0, total - start), 'step');
    },
    onStep: (e) => ctx.progress.update(e.step + 1 - start, `loss ${e.loss.toFixed(4)} ${e.viewsPerSecond.toFixed(0)} views/s`),
    onEpoch: (e) => {
      const m = Object.entries(e.metrics).map(([k, v]) => `${k} ${v.toFixed(4)}`).join('  ');
      ctx.progress.log(`${run.method} epoch ${e.epoch + 1}: ${m}`);
    },
  });
  if (result.status === 'completed') ctx.progress.finish('done');
  else ctx.progress.log(`${run.method} ${run.id} cancelled after ${result.epochsDone} epochs; continue with: pretext runs resume ${run.id}`);
  return { ...result, backend: getRun(ws, runId)!.backend ?? '', method: run.method };
}

export const trainCommand: Command = {
  name: 'train',
  summary: 'train SSL methods on a dataset (one run per method)',
  usage,
  async run(args, ctx) {
    const v = parse(args);
    if (!v.dataset) throw usageError(`--dataset is required\n${usage}`);
    if (!v.method || v.method.length === 0) throw usageError(`--method is required (one of ${METHOD_NAMES.join(', ')})`);
    const ws = ctx.workspace();
    const dataset = resolveDataset(ws, v.dataset);
    if (!dataset) throw noSuch('dataset', v.dataset);
    // `--method a,b` and `--method a --method b` both make a comparison.
    const names = v.method.flatMap((m) => m.split(',')).map((m) => m.trim()).filter(Boolean);
    const params = asUsage(() => paramsFromSets(names, v.set ?? []));
    const plan = {
      methods: names,
      backbone: v.backbone,
      width: number('width', v.width),
      epochs: number('epochs', v.epochs),
      batch: number('batch', v.batch),
      seed: number('seed', v.seed),
      optimizer: v.optimizer,
      lr: number('lr', v.lr),
      weightDecay: number('weight-decay', v['weight-decay']),
      momentum: number('momentum', v.momentum),
      warmupEpochs: number('warmup-epochs', v['warmup-epochs']),
      preset: v.preset,
      params,
    };
    const backend = await initBackend({ prefer: ctx.backend });
    for (const s of backend.skipped) ctx.progress.log(`backend ${s.name} unavailable: ${s.reason}`);
    ctx.progress.log(`backend: ${backend.name} (${backend.device})`);
    if (plan.batch === undefined && defaultBatch(backend.name) !== undefined) {
      ctx.progress.log(`batch ${CPU_BATCH} (the default on ${backend.name}; set --batch to change)`);
    }
    // Resolve and check every config first: a bad request fails before anything is stored.
    const configs = asUsage(() => resolveTrainConfigs(plan, datasetFacts(ws, dataset), backend.name));
    const runs = configs.map((cfg) => createRun(ws, dataset.id, cfg.method, cfg));
    // One run after another; a run that fails does not stop the comparison, Ctrl-C does.
    const summary: Record<string, unknown>[] = [];
    const failures: string[] = [];
    for (const run of runs) {
      if (ctx.signal.aborted) {
        updateRun(ws, run.id, { status: 'cancelled' });
        continue;
      }
      try {
        const r = await trainRun(ws, run.id, ctx);
        const m = Object.entries(r.metrics).map(([k, x]) => `${k} ${x.toFixed(4)}`).join('  ');
        ctx.print(`${r.runId}  ${r.method.padEnd(10)} ${r.status}  ${r.epochsDone} epochs  ${r.trainSeconds.toFixed(1)} s  ${m}`);
        summary.push({ id: r.runId, method: r.method, backend: r.backend, status: r.status, epochs: r.epochsDone, seconds: r.trainSeconds, metrics: r.metrics });
      } catch (err) {
        ctx.progress.log(`${run.method} ${run.id} failed: ${(err as Error).message}`);
        failures.push(`${run.method} (${run.id}): ${(err as Error).message}`);
      }
    }
    if (ctx.signal.aborted) throw new CancelledError();
    if (failures.length > 0) throw new PretextError(`${failures.length} of ${runs.length} runs failed: ${failures.join('; ')}`);
    return names.length === 1 ? summary[0] : { runs: summary };
  },
};
