import { noSuch } from '../../core/errors';
import { deleteDataset, listDatasets, resolveDataset, summarizeDataset } from '../../store/datasets';
import type { CommandContext } from '../command';
import { requireRef, subcommandsCommand } from '../subcommands';

const usage = `Usage: pretext datasets list
       pretext datasets show ID      counts per split and class, failed files
       pretext datasets delete ID    removes the dataset's rows and pixel files`;

function findOrFail(ctx: CommandContext, ref: string | undefined) {
  const id = requireRef(ref, 'a dataset id', usage);
  const row = resolveDataset(ctx.workspace(), id);
  if (!row) throw noSuch('dataset', id);
  return row;
}

async function list(_ref: string | undefined, ctx: CommandContext) {
  const ws = ctx.workspace();
  const rows = listDatasets(ws).map((r) => summarizeDataset(ws, r));
  if (rows.length === 0) ctx.print(`no datasets yet in ${ctx.workspaceDir}; try 'pretext import --sample fashion-mnist'`);
  for (const r of rows) {
    ctx.print(
      `${r.id}  ${r.name.padEnd(24)} ${String(r.numItems).padStart(6)} images  ${r.imageSize}px ${r.channels === 1 ? 'gray' : 'rgb '}  train ${r.splits.train} / test ${r.splits.test}  ${r.classes.length} classes`,
    );
  }
  return {
    datasets: rows.map(({ failed, perClass, ...r }) => ({ ...r, failedCount: failed.length })),
  };
}

async function show(ref: string | undefined, ctx: CommandContext) {
  const s = summarizeDataset(ctx.workspace(), findOrFail(ctx, ref));
  ctx.print(`${s.id}  ${s.name}\n  source   ${s.source} (${s.sourceKind})\n  images   ${s.numItems} at ${s.imageSize}×${s.imageSize}×${s.channels}\n  splits   train ${s.splits.train}, test ${s.splits.test}`);
  for (const [cls, n] of Object.entries(s.perClass)) ctx.print(`    ${cls.padEnd(20)} train ${n.train}  test ${n.test}`);
  if (s.failed.length > 0) {
    ctx.print(`  failed   ${s.failed.length} files`);
    for (const f of s.failed.slice(0, 50)) ctx.print(`    ${f.file}: ${f.reason}`);
    if (s.failed.length > 50) ctx.print(`    … and ${s.failed.length - 50} more (--json lists all)`);
  }
  return s;
}

/** Refused, in words, while runs use the dataset (the store checks it, for the API too). */
async function remove(ref: string | undefined, ctx: CommandContext) {
  const row = findOrFail(ctx, ref);
  deleteDataset(ctx.workspace(), row.id);
  ctx.print(`deleted ${row.id} (${row.name})`);
  return { deleted: row.id };
}

export const datasetsCommand = subcommandsCommand('datasets', 'list | show ID | delete ID — the datasets in the workspace', usage, [
  ['list', list],
  ['show', show],
  ['delete', remove],
]);
