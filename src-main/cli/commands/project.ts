import { noSuch } from '../../core/errors';
import { usageError } from '../errors';
import type { ProjectionAlgo, Split } from '../../api/contract';
import { initBackend } from '../../ml/backend';
import { PROJECTION_ALGOS } from '../../ml/maps/computeMap';
import { createProjection } from '../../tasks/project';
import { resolveRun } from '../../store/runs';
import { projectOptions } from '../../api/schema/commands';
import { flagLines, parseOptions, synopses } from '../args';
import type { Command } from '../command';
import { PretextError } from '../../core/errors';

const usage = `Usage: pretext project RUN ${synopses(projectOptions)}

Maps the run's embeddings (latest checkpoint; computed and cached on first use) to 2-D and
stores the map with the run. Prints the time and the map's trustworthiness (k = 10, on a
seeded subsample of 2,000 points) and 2-D kNN label accuracy.
${flagLines(projectOptions)}`;

export const projectCommand: Command = {
  name: 'project',
  summary: 'RUN --algo pca|tsne|umap — 2-D map of a run\'s embeddings, stored with the run',
  usage,
  async run(args, ctx) {
    const { values: o, positionals } = parseOptions(args, projectOptions, usage, true);
    if (positionals.length !== 1) throw usageError(`exactly one run id is required\n${usage}`);
    const algo = o.algo!;
    const split = o.split ?? 'test';
    const seed = o.seed ?? 0;
    const maxPoints = o.maxPoints;
    const ws = ctx.workspace();
    const ref = positionals[0]!;
    const run = resolveRun(ws, ref);
    if (!run) throw noSuch('run', ref);
    await initBackend({ ...(ctx.backend ? { prefer: ctx.backend } : {}) });
    const p = await createProjection(
      ws,
      run.id,
      { algo: algo as ProjectionAlgo, split: split as Split, seed, ...(maxPoints !== undefined ? { maxPoints } : {}) },
      { signal: ctx.signal, progress: ctx.progress },
    );
    const q = p.quality;
    const extra = Object.entries(q)
      .filter(([k]) => !['trustworthiness', 'k', 'sample', 'knn2d'].includes(k))
      .map(([k, v]) => `${k} ${Number.isInteger(v) ? v : v.toFixed(4)}`)
      .join(', ');
    ctx.print(
      `${algo} map of run ${run.id} (epoch ${p.epoch}, ${split}, ${p.indices.length} points) in ${p.seconds.toFixed(1)} s\n` +
        `trustworthiness(k=${q['k']}) ${q['trustworthiness']!.toFixed(4)} on ${q['sample']} points` +
        (q['knn2d'] !== undefined ? `, 2-D kNN accuracy ${(100 * q['knn2d']).toFixed(1)} %` : '') +
        (extra ? `\n${extra}` : ''),
    );
    return {
      runId: p.runId,
      epoch: p.epoch,
      split: p.split,
      algo: p.algo,
      points: p.indices.length,
      seconds: p.seconds,
      quality: p.quality,
    };
  },
};
