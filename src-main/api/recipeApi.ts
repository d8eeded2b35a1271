/**
 * export.recipe and runs.import: the UI's "Run on a cluster…" and "Import results…" (issue 15),
 * the same tasks as `pretext export recipe` and `pretext runs import`, as jobs in the work
 * process (engine/workChild.ts).
 * - export.recipe zips the run's recipe folder into its exports folder (tasks/recipe/zip.ts);
 *   the job's result is that WrittenFile, which the server gives a download URL.
 * - runs.import reads a results folder the engine may read (an upload, or a data root): the
 *   three files are checked at once (a missing one answers a bad-request naming it), the rest
 *   (recipe, metrics, safetensors header, shapes, finiteness) by the task, which stores nothing
 *   when one is bad. The uploaded folder is removed once the job is over; the new run is
 *   announced with run.status.
 */
import { existsSync, rmSync, statSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { RECIPE_RESULT_FILES } from '../core/recipeCommands';
import { notFound, PretextError } from '../core/errors';
import { getDataset } from '../store/datasets';
import { getRun } from '../store/runs';
import { recipeUnsupported } from '../tasks/recipe/export';
import type { ImportResultsInfo } from './contract';
import type { Handlers, ServiceContext } from './context';
import { checkReadable, stagedFolder } from './pathAccess';

export function recipeHandlers(ctx: ServiceContext): Handlers<'export.recipe' | 'runs.import'> {
  const { ws } = ctx;
  return {
    'export.recipe': async ({ runId, withData }) => {
      const run = getRun(ws, runId);
      if (!run) throw notFound(`run '${runId}'`);
      const why = recipeUnsupported(run.config.method, run.config.backbone);
      if (why) throw new PretextError(`export recipe: run ${runId}: ${why}`, { field: 'runId' });
      const args = { runId, withData: Boolean(withData) };
      const job = ctx.jobs.submit({ kind: 'export', label: `recipe ${run.method} ${runId}${args.withData ? ' with data' : ''}`, runId }, (ctl) => ctx.work.run('exportRecipe', args, ctl));
      return { jobId: job.id };
    },
    'runs.import': async ({ dir, datasetId }) => {
      const path = checkReadable(dir, 'dir', { tmpDir: ws.tmpDir, dataRoots: ctx.opts.dataRoots });
      if (!statSync(path, { throwIfNoEntry: false })?.isDirectory()) throw new PretextError(`runs import: ${dir} is not a folder (pick the folder train.py wrote with --out)`, { field: 'dir' });
      for (const name of RECIPE_RESULT_FILES) {
        if (!existsSync(join(path, name))) {
          throw new PretextError(`runs import: ${name} is missing from ${basename(path)} (the folder train.py wrote with --out holds ${RECIPE_RESULT_FILES.join(', ')})`, { field: 'dir' });
        }
      }
      if (!getDataset(ws, datasetId)) throw notFound(`dataset '${datasetId}'`);
      const staged = stagedFolder(ws.tmpDir, path);
      const source = staged ? `uploaded: ${relative(staged, resolve(path)) || basename(path)}` : path;
      const job = ctx.jobs.submit({ kind: 'import', label: `import results: ${staged ? `${basename(path)}/` : path}`, datasetId }, async (ctl) => {
        try {
          const r = (await ctx.work.run('importResults', { dir: path, datasetId, source }, ctl)) as ImportResultsInfo;
          const run = getRun(ws, r.runId);
          if (run) ctx.emit('run.status', { runId: run.id, status: run.status, epochsDone: run.epochsDone, error: null });
          return r;
        } finally {
          // An uploaded folder has served its purpose, imported or refused.
          if (staged) rmSync(staged, { recursive: true, force: true });
        }
      });
      return { jobId: job.id };
    },
  };
}
