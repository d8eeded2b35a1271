/**
 * `pretext train`: one run per method on the same data (a comparison). The flags are those of
 * runs.create (api/schema trainRequest), read and checked against its ranges at entry; the
 * request they make is resolved by the same resolveTrainConfigs as runs.create, and every
 * config is checked before anything is stored.
 */
import type { z } from 'zod';
import { noSuch, CancelledError, PretextError } from '../../core/errors';
import { initBackend } from '../../ml/backend';
import { BACKBONE_NAMES } from '../../ml/backbones/registry';
import { methods } from '../../ml/methods';
import { shortCite } from '../../ml/methods/cite';
import { CPU_BATCH, datasetFacts, defaultBatch, paramsFromSets, planRuns, resolutionNotes, type DataFacts, type PlannedRun } from '../../tasks/trainConfig';
import { runTraining, type TrainResult } from '../../tasks/train';
import { trainRequest } from '../../api/schema/requests';
import { resolveDataset } from '../../store/datasets';
import { createRun, getRun, newGroupId, updateRun } from '../../store/runs';
import type { Workspace } from '../../store/workspace';
import { checkFlags, flagErrors, flagLines, quoted, readFlags, synopsis } from '../args';
import { usageError } from '../errors';
import type { Command, CommandContext } from '../command';

/** One line per method: name, what it does, and its paper (the whole reference: 'runs show'). */
function methodLines(): string {
  const ms = Object.values(methods);
  const w = Math.max(...ms.map((m) => m.name.length)) + 2;
  return ms
    .map((m) => {
      const cite = shortCite(m.reference);
      return `  ${m.name.padEnd(w)}${m.summary}${cite ? ` (${cite})` : ''}`;
    })
    .join('\n');
}

const usage = `Usage: pretext train ${synopsis(trainRequest, 'datasetId')} ${synopsis(trainRequest, 'methods')} [OPTIONS]

Trains one run per method on the same data (a comparison), one after another.
Methods:
${methodLines()}
Backbones: ${BACKBONE_NAMES.join(', ')}

Options (each method's defaults follow its paper's small-data settings; see 'runs show'):
${flagLines(trainRequest)}
--method and --set may be repeated; --set KEY=VALUE goes to every method of the comparison
that has the option KEY (e.g. --set temperature=0.5 --set projOut=128).
--seeds 0,1,2 repeats each method once per seed; --sweep KEY=V1,V2,... runs each method once
per value of one option (lr, batch, width, ... or a method option such as temperature); the
runs of one command form a group that Compare shows as mean ± std.
--dry-run resolves and prints each run's config (the method's defaults, its recipe for the
backbone, then your options) with the reason for each value a rule set; nothing is stored.`;

const withoutParams = trainRequest.omit({ params: true, seeds: true, sweep: true });
const paramsOnly = trainRequest.pick({ params: true });

/** A flag's value checked against its field of trainRequest: the value, or a usage error naming the flag. */
function checked<T>(schema: z.ZodType<T>, flag: string, raw: string, value: unknown): T {
  const r = schema.safeParse(value);
  if (!r.success) {
    // The item at fault as typed ('x' of '0,x'), else the whole value.
    const issue = r.error.issues[0]!;
    const at = issue.path.reduce<unknown>((v, k) => (v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined), value);
    const got = issue.path.length && (typeof at === 'string' || typeof at === 'number') ? String(at) : raw;
    const where = issue.path.filter((k) => typeof k === 'string').join('.');
    throw usageError(`--${flag}${where ? ` ${where}` : ''} ${issue.message}, got ${quoted(got)}\n${usage}`, `--${flag}`);
  }
  return r.data;
}

/** `--seeds 0,1,2` (or repeated) → [0, 1, 2]. */
function seedsFlag(given: string | string[] | undefined): number[] | undefined {
  if (given === undefined) return undefined;
  const raw = [given].flat().join(',');
  const parts = raw.split(',').map((s) => s.trim());
  const nums = parts.map((s) => (s === '' || !Number.isFinite(Number(s)) ? s : Number(s)));
  return checked(trainRequest.shape.seeds, 'seeds', raw, nums);
}

/** A sweep value as typed: a number, true/false, or a name (a preset, an optimizer). */
const sweepValue = (s: string): number | string | boolean => (s === 'true' ? true : s === 'false' ? false : s !== '' && Number.isFinite(Number(s)) ? Number(s) : s);

/** `--sweep temperature=0.1,0.2,0.5` → { key: 'temperature', values: [0.1, 0.2, 0.5] }. */
function sweepFlag(raw: string | undefined) {
  if (raw === undefined) return undefined;
  const eq = raw.indexOf('=');
  if (eq < 1) throw usageError(`--sweep expects KEY=V1,V2,..., got ${quoted(raw)}\n${usage}`, '--sweep');
  const values = raw.slice(eq + 1).split(',').map((s) => s.trim());
  return checked(trainRequest.shape.sweep, 'sweep', raw, { key: raw.slice(0, eq), values: values.map(sweepValue) });
}

/** The training request of the flags, every value checked against trainRequest (a bad one: exit 2 naming its flag). */
function requestOf(args: string[]) {
  const { flags } = readFlags(args, [trainRequest], usage);
  const { set, seeds, sweep, ...rest } = flags;
  const req = { ...checkFlags(rest, withoutParams, usage), seeds: seedsFlag(seeds as string | string[] | undefined), sweep: sweepFlag(sweep as string | undefined) };
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

/** `--dry-run`: each planned run's resolved config and the notes on what a rule set; nothing stored. */
function dryRunOf(planned: PlannedRun[], req: ReturnType<typeof requestOf>, facts: DataFacts, backendName: string, ctx: CommandContext) {
  const runs = planned.map((p) => ({ config: p.config, sweep: p.sweep, notes: resolutionNotes(req, p.config, facts, backendName, req.params?.[p.config.method]) }));
  for (const r of runs) {
    const c = r.config;
    const sweep = r.sweep ? `  ${r.sweep.key}=${String(r.sweep.value)}` : '';
    ctx.print(`${c.method} on ${c.backbone}${sweep}: ${c.optimizer} lr ${c.lr} per 256 (${Number(c.scaledLr.toPrecision(4))} at batch ${c.batch}), weight decay ${c.weightDecay}, warm-up ${c.warmupEpochs} of ${c.epochs} epochs, seed ${c.seed}`);
    ctx.print(`  params: ${Object.entries(c.params).map(([k, v]) => `${k}=${String(v)}`).join(' ')}`);
    for (const n of r.notes) ctx.print(`  note: ${n}`);
  }
  return { dryRun: true, runs };
}

export const trainCommand: Command = {
  name: 'train',
  summary: 'train SSL methods on a dataset (one run per method)',
  usage,
  async run(argv, ctx) {
    const dryRun = argv.includes('--dry-run');
    const args = argv.filter((a) => a !== '--dry-run');
    const req = requestOf(args);
    const ws = ctx.workspace();
    const dataset = resolveDataset(ws, req.datasetId);
    if (!dataset) throw noSuch('dataset', req.datasetId);
    const backend = await initBackend({ prefer: ctx.backend });
    for (const s of backend.skipped) ctx.progress.log(`backend ${s.name} unavailable: ${s.reason}`);
    ctx.progress.log(`backend: ${backend.name} (${backend.device})`);
    if (req.batch === undefined && defaultBatch(backend.name) !== undefined) {
      ctx.progress.log(`batch: the method's default, at most ${CPU_BATCH} on ${backend.name} (set --batch to change)`);
    }
    // Resolve and check every config first: a bad request fails before anything is stored.
    const facts = datasetFacts(ws, dataset);
    const planned = flagErrors(trainRequest, () => planRuns(req, facts, backend.name));
    if (dryRun) return dryRunOf(planned, req, facts, backend.name, ctx);
    const groupId = newGroupId();
    const runs = planned.map((p) => createRun(ws, dataset.id, p.config.method, p.config, { groupId, sweep: p.sweep }));
    if (runs.length > 1) ctx.progress.log(`group ${groupId}: ${runs.length} runs`);
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
        const sweep = run.sweep ? `  ${run.sweep.key}=${String(run.sweep.value)}` : '';
        ctx.print(`${r.runId}  ${r.method.padEnd(10)} seed ${run.config.seed}${sweep}  ${r.status}  ${r.epochsDone} epochs  ${r.trainSeconds.toFixed(1)} s  ${m}`);
        summary.push({
          id: r.runId, method: r.method, seed: run.config.seed, group: groupId, sweep: run.sweep,
          backend: r.backend, status: r.status, epochs: r.epochsDone, seconds: r.trainSeconds, metrics: r.metrics,
        });
      } catch (err) {
        ctx.progress.log(`${run.method} ${run.id} failed: ${(err as Error).message}`);
        failures.push(`${run.method} (${run.id}): ${(err as Error).message}`);
      }
    }
    if (ctx.signal.aborted) throw new CancelledError();
    if (failures.length > 0) throw new PretextError(`${failures.length} of ${runs.length} runs failed: ${failures.join('; ')}`);
    return runs.length === 1 ? summary[0] : { group: groupId, runs: summary };
  },
};
