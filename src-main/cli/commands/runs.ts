import { noSuch } from '../../core/errors';
import { usageError } from '../errors';
import { initBackend } from '../../ml/backend';
import { getDataset } from '../../store/datasets';
import { deleteRun, getRun, labelRun, latestMetrics, listRuns, resolveRun, runMetrics, updateRun, type RunRow } from '../../store/runs';
import { checkResumable } from '../../tasks/trainConfig';
import { runResults } from '../../tasks/reportData';
import { isAlive, type Workspace } from '../../store/workspace';
import type { Command, CommandContext } from '../command';
import { subcommandArgs } from '../subcommands';
import { PretextError } from '../../core/errors';
import { runsImportOptions } from '../../api/schema/commands';
import { importRunResults } from '../../tasks/recipe/import';
import { checkFlags, readFlags, synopses } from '../args';
import { trainRun } from './train';

const usage = `Usage: pretext runs list
       pretext runs show ID      config, backend, per-epoch metrics, evaluations (baselines apart)
       pretext runs resume ID    continue a cancelled, failed or interrupted run from its last checkpoint
       pretext runs cancel ID    stop a run that is training in another process
       pretext runs tag ID TAG...      add tags to a run (runs untag ID TAG... removes them)
       pretext runs note ID TEXT...    set a run's notes (an empty TEXT '' clears them)
       pretext runs delete ID    delete a run that is not training, with its files (runs/ID)
       pretext runs import DIR ${synopses(runsImportOptions)}
                                 the results of an exported recipe (pretext export recipe; train.py's
                                 --out folder) as a run marked external: kNN, probe, maps, report, Compare`;

function alive(pid: number | null): boolean {
  return pid !== null && pid > 0 && isAlive(pid);
}

/** A 'running' run whose process is gone was killed: it shows (and is stored) as interrupted. */
function withLiveStatus(ws: Workspace, run: RunRow): RunRow {
  if (run.status === 'running' && !alive(run.pid)) {
    updateRun(ws, run.id, { status: 'interrupted', pid: null });
    return { ...run, status: 'interrupted', pid: null };
  }
  return run;
}

function find(ctx: CommandContext, ref: string | undefined): RunRow {
  if (!ref) throw usageError(`a run id is required\n${usage}`);
  const ws = ctx.workspace();
  const run = resolveRun(ws, ref);
  if (!run) throw noSuch('run', ref);
  return withLiveStatus(ws, run);
}

function perEpoch(ws: Workspace, runId: string): Record<string, number | string>[] {
  const rows = new Map<number, Record<string, number | string>>();
  for (const m of runMetrics(ws, runId)) {
    if (['loss', 'lr', 'views_per_s'].includes(m.name)) continue;
    const row = rows.get(m.epoch) ?? { epoch: m.epoch + 1 };
    row[m.name] = m.value;
    rows.set(m.epoch, row);
  }
  return [...rows.values()];
}

const pct = (v: number) => `${(100 * v).toFixed(1)}%`;

/** 'kNN 80.0%  probe 100% 78.5%', or null without any result. */
function resultsLine(r: { knnTop1: number | null; probeTop1: Record<string, number> }): string | null {
  const parts = [
    ...(r.knnTop1 === null ? [] : [`kNN ${pct(r.knnTop1)}`]),
    ...Object.entries(r.probeTop1)
      .sort(([a], [b]) => Number(a) - Number(b))
      .map(([f, v]) => `probe ${Number(f) * 100}% ${pct(v)}`),
  ];
  return parts.length ? parts.join('  ') : null;
}

/** `runs tag|untag ID TAG...` and `runs note ID TEXT...`: the run's tags or notes, stored. */
function labelCommand(sub: 'tag' | 'untag' | 'note', rest: string[], ctx: CommandContext): { id: string; tags: string[]; notes: string } {
  const [ref, ...words] = rest;
  const run = find(ctx, ref);
  const ws = ctx.workspace();
  if (sub === 'note') {
    if (words.length === 0) throw usageError(`runs note needs the text (use '' to clear the notes)\n${usage}`);
    labelRun(ws, run.id, { notes: words.join(' ').trim() });
  } else {
    if (words.length === 0) throw usageError(`runs ${sub} needs at least one tag\n${usage}`);
    labelRun(ws, run.id, { tags: sub === 'tag' ? [...run.tags, ...words] : run.tags.filter((t) => !words.includes(t)) });
  }
  const now = getRun(ws, run.id)!;
  ctx.print(sub === 'note' ? `${now.id} notes: ${now.notes || '(none)'}` : `${now.id} tags: ${now.tags.join(' ') || '(none)'}`);
  return { id: now.id, tags: now.tags, notes: now.notes };
}

/** `runs import DIR --dataset ID`: train.py's results stored as a run (tasks/recipe/import.ts). */
async function importCommand(args: string[], ctx: CommandContext) {
  const { flags, positionals } = readFlags(args, [runsImportOptions], usage, true);
  const v = checkFlags(flags, runsImportOptions, usage);
  const [dir, ...extra] = positionals;
  if (!dir || extra.length > 0) throw usageError(`runs import takes one folder\n${usage}`);
  if (!v.datasetId) throw usageError(`runs import needs --dataset ID\n${usage}`);
  await initBackend({ prefer: ctx.backend });
  const r = importRunResults(ctx.workspace(), { dir, dataset: v.datasetId });
  const knn = r.knnTop1.at(-1);
  ctx.print(`${r.runId}  imported: ${r.epochs} epochs, ${r.steps} steps on ${r.processes} ${r.device} process${r.processes === 1 ? '' : 'es'}${typeof knn === 'number' ? `  kNN ${pct(knn)}` : ''}`);
  return r;
}

export const runsCommand: Command = {
  name: 'runs',
  summary: 'list | show | resume | cancel | tag | untag | note | delete | import — training runs',
  usage,
  async run(args, ctx) {
    if (args[0] === 'tag' || args[0] === 'untag' || args[0] === 'note') return labelCommand(args[0], args.slice(1), ctx);
    if (args[0] === 'import') return importCommand(args.slice(1), ctx);
    const { sub, ref } = subcommandArgs(args, usage);
    switch (sub) {
      case 'delete': {
        const ws = ctx.workspace();
        const run = find(ctx, ref);
        if (run.status === 'running') throw new PretextError(`run ${run.id} is training in process ${run.pid}; cancel it first (pretext runs cancel ${run.id})`);
        deleteRun(ws, run.id);
        ctx.print(`deleted ${run.id} (${run.method}) and its files`);
        return { id: run.id, deleted: true };
      }
      case undefined:
      case 'list': {
        const ws = ctx.workspace();
        const runs = listRuns(ws).map((r) => {
          const live = withLiveStatus(ws, r);
          return { ...live, dataset: getDataset(ws, r.datasetId)?.name ?? r.datasetId, latest: latestMetrics(ws, r.id) };
        });
        if (runs.length === 0) ctx.print('no runs yet; try pretext train --dataset ID --method simclr,byol');
        for (const r of runs) {
          const knn = r.latest['knn_top1'];
          const epochs = r.config.epochs;
          ctx.print(
            `${r.id}  ${r.method.padEnd(10)} ${r.dataset.padEnd(20)} ${(r.backend ?? '-').padEnd(5)} ${r.status.padEnd(11)} epoch ${r.epochsDone}/${epochs}  kNN ${knn === undefined ? '   -  ' : `${(100 * knn).toFixed(1)}%`}  ${r.trainSeconds.toFixed(0)} s${r.tags.length ? `  [${r.tags.join(' ')}]` : ''}`,
          );
        }
        return { runs };
      }
      case 'show': {
        const ws = ctx.workspace();
        const run = find(ctx, ref);
        const epochs = perEpoch(ws, run.id);
        ctx.print(`${run.id}  ${run.method} on ${run.datasetId}  ${run.status}${run.error ? ` (${run.error})` : ''}`);
        ctx.print(`  backend  ${run.backend ?? '-'} ${(run.backendInfo as { device?: string }).device ?? ''}`);
        ctx.print(`  time     ${run.trainSeconds.toFixed(1)} s over ${run.epochsDone} epochs, ${run.stepsDone} steps`);
        const m = run.modelInfo;
        if (m['backboneParams'] !== undefined) {
          ctx.print(`  model    backbone ${m['backboneParams'].toLocaleString('en-US')} parameters, ${(m['trainableParams'] ?? 0).toLocaleString('en-US')} trained with the heads, ${m['featureDim']}-d features`);
        }
        ctx.print(`  config   ${JSON.stringify(run.config)}`);
        if (run.groupId) ctx.print(`  group    ${run.groupId}${run.sweep ? `  sweep ${run.sweep.key}=${String(run.sweep.value)}` : ''}`);
        if (run.tags.length) ctx.print(`  tags     ${run.tags.join(' ')}`);
        if (run.notes) ctx.print(`  notes    ${run.notes}`);
        for (const e of epochs) ctx.print(`  ${Object.entries(e).map(([k, v]) => `${k} ${typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(4) : v}`).join('  ')}`);
        const { randomInit, ...results } = runResults(ws, run.id);
        ctx.print(`  results  ${resultsLine(results) ?? "none yet (pretext eval knn|probe)"}`);
        const baseline = resultsLine(randomInit);
        if (baseline) ctx.print(`  baseline random-init encoder (not this run's result): ${baseline}`);
        return { ...run, epochs, latest: latestMetrics(ws, run.id), results, baselines: { randomInit } };
      }
      case 'resume': {
        const ws = ctx.workspace();
        const run = find(ctx, ref);
        if (run.status === 'completed') throw new PretextError(`run ${run.id} is already completed`);
        if (run.status === 'running') throw new PretextError(`run ${run.id} is training in process ${run.pid}`);
        checkResumable(ws, run.config, getDataset(ws, run.datasetId), run.id);
        const backend = await initBackend({ prefer: ctx.backend ?? run.backend ?? undefined });
        if (run.backend && backend.name !== run.backend) {
          ctx.progress.log(`note: run ${run.id} trained on ${run.backend}, resuming on ${backend.name}`);
        }
        const r = await trainRun(ws, run.id, ctx);
        ctx.print(`${r.runId}  ${r.status}  ${r.epochsDone} epochs  ${r.trainSeconds.toFixed(1)} s`);
        return { id: r.runId, method: r.method, backend: r.backend, status: r.status, epochs: r.epochsDone, seconds: r.trainSeconds, metrics: r.metrics };
      }
      case 'cancel': {
        const ws = ctx.workspace();
        const run = find(ctx, ref);
        if (run.status === 'queued') {
          updateRun(ws, run.id, { status: 'cancelled' });
        } else if (run.status === 'running') {
          // The training process turns SIGINT into a clean cancel after the current step.
          process.kill(run.pid!, 'SIGINT');
          const deadline = Date.now() + 60_000;
          while (getRun(ws, run.id)!.status === 'running' && alive(run.pid) && Date.now() < deadline) {
            await new Promise((r) => setTimeout(r, 200));
          }
        } else {
          throw new PretextError(`run ${run.id} is not training (status ${run.status})`);
        }
        const status = withLiveStatus(ws, getRun(ws, run.id)!).status;
        ctx.print(`${run.id} ${status}`);
        return { id: run.id, status };
      }
      default:
        throw usageError(`unknown subcommand 'runs ${sub}'\n${usage}`);
    }
  },
};
