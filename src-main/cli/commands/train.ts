/**
 * `pretext train`: one run per method on the same data (a comparison). The flags are those of
 * runs.create (api/schema trainRequest), read and checked against its ranges at entry; the
 * request they make is resolved by the same resolveTrainConfigs as runs.create, and every
 * config is checked before anything is stored.
 */
import { noSuch, CancelledError, PretextError } from '../../core/errors';
import { initBackend } from '../../ml/backend';
import { BACKBONE_NAMES } from '../../ml/backbones/registry';
import { METHOD_NAMES } from '../../ml/methods';
import { CPU_BATCH, datasetFacts, defaultBatch, paramsFromSets, resolveTrainConfigs } from '../../tasks/trainConfig';
import { runTraining, type TrainResult } from '../../tasks/train';
import { trainRequest } from '../../api/schema/requests';
import { resolveDataset } from '../../store/datasets';
import { createRun, getRun, updateRun } from '../../store/runs';
import type { Workspace } from '../../store/workspace';
import { checkFlags, flagErrors, flagLines, readFlags, synopsis } from '../args';
import type { Command, CommandContext } from '../command';

const usage = `Usage: pretext train ${synopsis(trainRequest, 'datasetId')} ${synopsis(trainRequest, 'methods')} [OPTIONS]

Trains one run per method on the same data (a comparison), one after another.
Methods: ${METHOD_NAMES.join(', ')}
Backbones: ${BACKBONE_NAMES.join(', ')}

Options (each method's defaults follow its paper's small-data settings; see 'runs show'):
${flagLines(trainRequest)}
--method and --set may be repeated; --set KEY=VALUE goes to every method of the comparison
that has the option KEY (e.g. --set temperature=0.5 --set projOut=128).`;

const withoutParams = trainRequest.omit({ params: true });
const paramsOnly = trainRequest.pick({ params: true });

/** The training request of the flags, every value checked against trainRequest (a bad one: exit 2 naming its flag). */
function requestOf(args: string[]) {
  const { flags } = readFlags(args, [trainRequest], usage);
  const { set, ...rest } = flags;
  const req = checkFlags(rest, withoutParams, usage);
  // `--set KEY=VALUE` → each method's params (typed by the method), then checked as runs.create checks them.
  const sets = Array.isArray(set) ? set : [];
  const params = flagErrors(trainRequest, () => paramsFromSets(req.methods!, sets));
  return { ...req, methods: req.methods!, datasetId: req.datasetId!, ...checkFlags({ set: params }, paramsOnly, usage) };
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
    const req = requestOf(args);
    const ws = ctx.workspace();
    const dataset = resolveDataset(ws, req.datasetId);
    if (!dataset) throw noSuch('dataset', req.datasetId);
    const names = req.methods;
    const backend = await initBackend({ prefer: ctx.backend });
    for (const s of backend.skipped) ctx.progress.log(`backend ${s.name} unavailable: ${s.reason}`);
    ctx.progress.log(`backend: ${backend.name} (${backend.device})`);
    if (req.batch === undefined && defaultBatch(backend.name) !== undefined) {
      ctx.progress.log(`batch ${CPU_BATCH} (the default on ${backend.name}; set --batch to change)`);
    }
    // Resolve and check every config first: a bad request fails before anything is stored.
    const configs = flagErrors(trainRequest, () => resolveTrainConfigs(req, datasetFacts(ws, dataset), backend.name));
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
