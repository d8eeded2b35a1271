/**
 * `pretext eval knn|probe|diagnostics RUN`: evaluates a run's latest checkpoint on its
 * dataset's test split and stores the result in the workspace. kNN and the probe print one
 * table with the run, the random-init encoder of its config and the supervised baseline run
 * of the same dataset (evaluated when it has no result yet), the run's per-class accuracy and
 * confusion matrix; --json prints {rows: [...]}, each row with its role ('run', 'random-init',
 * 'supervised': a baseline is never the run's result) and its evaluation (result.confusion:
 * {classes, counts[true][predicted]}; result.perClass).
 */
import { noSuch } from '../../core/errors';
import { usageError } from '../errors';
import type { Confusion, Diagnostics } from '../../api/contract';
import { initBackend } from '../../ml/backend';
import { runDiagnostics } from '../../tasks/diagnostics';
import { evalKnnWithBaselines, evalProbeWithBaselines } from '../../tasks/evaluate';
import type { BaselineRow } from '../../tasks/runContext';
import { resolveRun } from '../../store/runs';
import { z } from 'zod';
import { evalKnnOptions, evalProbeOptions } from '../../api/schema/commands';
import { checkFlags, readFlags, synopses } from '../args';
import type { Command, CommandContext } from '../command';
import { PretextError } from '../../core/errors';

const usage = `Usage: pretext eval knn RUN ${synopses(evalKnnOptions)}
       pretext eval probe RUN ${synopses(evalProbeOptions)}
       pretext eval diagnostics RUN

knn          weighted kNN (cosine, votes exp(s/T)) of test images against the train split
probe        softmax regression on frozen, standardised features (full-batch L-BFGS);
             --label-fraction trains on a stratified, seeded fraction of the train split
diagnostics  alignment, uniformity, effective rank, per-dimension std (collapse checks)
Features are the backbone's (before the projector) at the run's latest checkpoint.`;

const pct = (v: unknown) => (typeof v === 'number' ? `${(100 * v).toFixed(2)} %` : '-');

function printTable(rows: BaselineRow[], ctx: CommandContext, withTop5: boolean): void {
  const head = ['run', 'method', 'encoder', 'epoch', 'top-1', ...(withTop5 ? ['top-5'] : []), 'train', 'test', 'seconds'];
  const body = rows.map((r) => {
    const res = r.evaluation.result;
    const encoder = r.role === 'random-init' ? 'random-init' : 'trained';
    return [r.runId, r.method, encoder, String(r.evaluation.epoch), pct(res['top1']), ...(withTop5 ? [pct(res['top5'])] : []), String(res['trainCount'] ?? '-'), String(res['testCount'] ?? '-'), typeof res['seconds'] === 'number' ? res['seconds'].toFixed(1) : '-'];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  for (const line of [head, ...body]) ctx.print(line.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd());
  const perClass = rows[0]!.evaluation.result['perClass'] as Record<string, number> | undefined;
  if (perClass) {
    ctx.print(`\nper class (${rows[0]!.runId}):`);
    const w = Math.max(...Object.keys(perClass).map((k) => k.length));
    for (const [name, acc] of Object.entries(perClass)) ctx.print(`  ${name.padEnd(w)}  ${pct(acc)}`);
  }
  const confusion = rows[0]!.evaluation.result['confusion'] as Confusion | undefined;
  if (confusion) printConfusion(confusion, ctx);
}

/** The run's confusion matrix: a row per true class, a column per predicted class (numbered). */
function printConfusion(c: Confusion, ctx: CommandContext): void {
  ctx.print('\nconfusion (rows: true class, columns: predicted class, counts):');
  const w = Math.max(...c.classes.map((k) => k.length));
  const cw = Math.max(3, ...c.counts.flat().map((v) => String(v).length));
  ctx.print(`  ${''.padEnd(w + 5)}${c.classes.map((_, j) => String(j).padStart(cw)).join(' ')}`);
  c.counts.forEach((row, i) => ctx.print(`  ${String(i).padStart(2)}  ${c.classes[i]!.padEnd(w)} ${row.map((v) => String(v).padStart(cw)).join(' ')}`));
}

function printDiagnostics(d: Diagnostics, ctx: CommandContext): void {
  const std = d.perDimStd;
  const mean = std.reduce((s, v) => s + v, 0) / std.length;
  ctx.print(`run ${d.runId}, epoch ${d.epoch}, ${d.dim} dimensions`);
  ctx.print(`  alignment (α=2)     ${d.alignment.toFixed(4)}   (lower: views closer)`);
  ctx.print(`  uniformity (t=2)    ${d.uniformity.toFixed(4)}   (lower: more uniform; −4 at most)`);
  ctx.print(`  effective rank      ${d.effectiveRank.toFixed(2)} of ${d.dim}`);
  ctx.print(`  per-dimension std   mean ${mean.toFixed(4)}, min ${Math.min(...std).toFixed(4)}, max ${Math.max(...std).toFixed(4)} (collapse → 0; healthy ≈ 1/√D = ${(1 / Math.sqrt(d.dim)).toFixed(4)})`);
}

export const evalCommand: Command = {
  name: 'eval',
  summary: 'knn | probe | diagnostics — evaluate a run’s encoder, with baselines',
  usage,
  async run(args, ctx) {
    const [which, ...rest] = args;
    if (which !== 'knn' && which !== 'probe' && which !== 'diagnostics') throw usageError(`unknown evaluation '${which ?? ''}'\n${usage}`);
    const { flags, positionals } = readFlags(rest, [evalKnnOptions, evalProbeOptions], usage, true);
    const ref = positionals[0];
    if (!ref) throw usageError(`a run id is required\n${usage}`);
    if (positionals.length > 1) throw usageError(`unexpected arguments: ${positionals.slice(1).join(' ')}\n${usage}`);
    const misplaced = (flag: string) => `--${flag} does not apply to 'eval ${which}'`;
    const { k, temperature } = which === 'knn' ? checkFlags(flags, evalKnnOptions, usage, misplaced) : {};
    const { labelFraction, seed } = which === 'probe' ? checkFlags(flags, evalProbeOptions, usage, misplaced) : {};
    if (which === 'diagnostics') checkFlags(flags, z.object({}), usage, misplaced);
    const ws = ctx.workspace();
    const run = resolveRun(ws, ref);
    if (!run) throw noSuch('run', ref);
    const backend = await initBackend({ prefer: ctx.backend });
    ctx.progress.log(`backend: ${backend.name} (${backend.device})`);
    const ctl = { signal: ctx.signal, progress: ctx.progress };
    if (which === 'diagnostics') {
      const d = await runDiagnostics(ws, run.id, ctl);
      printDiagnostics(d, ctx);
      return d;
    }
    const out =
      which === 'knn'
        ? await evalKnnWithBaselines(ws, run.id, { k, temperature }, ctl)
        : await evalProbeWithBaselines(ws, run.id, { labelFraction, seed }, ctl);
    printTable(out.rows, ctx, which === 'probe');
    return out;
  },
};
