/**
 * runs.reconstruct: an MAE run's reconstructions of a few test images (tasks/reconstruct.ts),
 * computed here as augment.preview computes its views (a few images through the encoder and
 * decoder: no job), the pictures as PNG data URLs at the gallery's thumbnail scale.
 */
import type { ReconstructView } from './contract';
import type { Handlers, ServiceContext } from './context';
import { notFound } from '../core/errors';
import { getDataset } from '../store/datasets';
import { getRun } from '../store/runs';
import { reconstructImages } from '../tasks/reconstruct';
import { pngDataUrl, thumbScale } from './dto';

export function reconstructHandlers(ctx: ServiceContext): Handlers<'runs.reconstruct'> {
  const { ws } = ctx;
  return {
    'runs.reconstruct': async (req): Promise<ReconstructView> => {
      const run = getRun(ws, req.runId);
      if (!run) throw notFound(`run '${req.runId}'`);
      const row = getDataset(ws, run.datasetId);
      if (!row) throw notFound(`dataset '${run.datasetId}'`);
      await ctx.backend();
      const r = await reconstructImages(ws, req.runId, { count: req.count ?? 4, ...(req.seed !== undefined ? { seed: req.seed } : {}), scale: thumbScale(row.imageSize) });
      return {
        runId: r.runId,
        epoch: r.epoch,
        maskRatio: r.maskRatio,
        images: r.images.map((im) => ({ index: im.index, original: pngDataUrl(im.original), masked: pngDataUrl(im.masked), reconstruction: pngDataUrl(im.reconstruction) })),
      };
    },
  };
}
