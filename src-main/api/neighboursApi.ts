/**
 * neighbours.query: nearest-neighbour retrieval across runs (tasks/neighbours.ts) as a job in
 * the work process, since it may compute embeddings (progress, cancel). The engine adds the
 * PNG thumbnails of the query and of every neighbour to the job's result, from the dataset's
 * stored pixels as the Datasets gallery shows them (tasks/thumbnail.ts).
 */
import type { NeighboursResult } from './contract';
import type { Handlers, ServiceContext } from './context';
import { notFound, PretextError } from '../core/errors';
import { getDataset } from '../store/datasets';
import { getRun } from '../store/runs';
import type { Workspace } from '../store/workspace';
import { thumbnailPng } from '../tasks/thumbnail';
import { pngDataUrl, thumbScale } from './dto';
import { checkReadable } from './pathAccess';

/** The result with a thumbnail on the query (a dataset image) and on each neighbour. */
export async function withThumbnails(ws: Workspace, r: NeighboursResult): Promise<NeighboursResult> {
  const row = getDataset(ws, r.datasetId);
  if (!row) return r;
  const scale = thumbScale(row.imageSize);
  const cache = new Map<number, string>();
  const thumb = async (index: number) => {
    let t = cache.get(index);
    if (t === undefined) cache.set(index, (t = pngDataUrl(await thumbnailPng(ws, row, index, scale))));
    return t;
  };
  const runs = [];
  for (const run of r.runs) {
    const neighbours = [];
    for (const n of run.neighbours) neighbours.push({ ...n, thumb: await thumb(n.index) });
    runs.push({ ...run, neighbours });
  }
  return { ...r, query: r.query.index === null ? r.query : { ...r.query, thumb: await thumb(r.query.index) }, runs };
}

export function neighboursHandlers(ctx: ServiceContext): Handlers<'neighbours.query'> {
  const { ws } = ctx;
  return {
    'neighbours.query': async (req) => {
      for (const id of req.runIds) if (!getRun(ws, id)) throw notFound(`run '${id}'`);
      if ((req.index === undefined) === (req.path === undefined)) {
        throw new PretextError('the query: give index (a dataset image) or path (an image file), one of the two', { field: 'index' });
      }
      const query = req.index !== undefined ? { index: req.index } : { file: checkReadable(req.path!, 'path', { tmpDir: ws.tmpDir, dataRoots: ctx.opts.dataRoots }) };
      const what = req.index !== undefined ? `image ${req.index}` : 'a file';
      const job = ctx.jobs.submit({ kind: 'neighbours', label: `neighbours of ${what} in ${req.runIds.length} run${req.runIds.length === 1 ? '' : 's'}`, runId: req.runIds[0]! }, async (ctl) =>
        withThumbnails(ws, (await ctx.work.run('neighbours', { runIds: req.runIds, query, k: req.k ?? 8 }, ctl)) as NeighboursResult),
      );
      return { jobId: job.id };
    },
  };
}
