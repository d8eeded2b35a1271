/**
 * A 2-D map (PCA, t-SNE or UMAP) of n × d features, by name: the one entry point the projection
 * task (tasks/project.ts) and the eval benchmark use.
 */
import type { Control } from '../../core/control';
import { PretextError } from '../../core/errors';
import type { ProjectionAlgo } from '../../core/types';
import { pca } from './pca';
import { tsne } from './tsne';
import { umap } from './umap';

export const PROJECTION_ALGOS: readonly ProjectionAlgo[] = ['pca', 'tsne', 'umap'];

export interface MapResult {
  coords: Float32Array;
  /** Algorithm-specific extras (explained variance, KL divergence, epochs). */
  extra: Record<string, number>;
  params: Record<string, unknown>;
  /** Seconds per stage (t-SNE, UMAP). */
  timings: Record<string, number>;
}

/** Maps n×d features to 2-D with the named algorithm. */
export async function computeMap(
  algo: ProjectionAlgo,
  x: Float32Array,
  n: number,
  d: number,
  seed: number,
  ctl: Control = {},
): Promise<MapResult> {
  if (algo === 'pca') {
    const r = await pca(x, n, d, 2);
    return {
      coords: r.scores,
      extra: { explainedVariance: (r.variance[0]! + (r.variance[1] ?? 0)) / (r.totalVariance || 1) },
      params: {},
      timings: {},
    };
  }
  if (algo === 'tsne') {
    const r = await tsne(x, n, d, { seed }, ctl);
    return { coords: r.coords, extra: { kl: r.kl }, timings: r.timings, params: { perplexity: 30, exaggeration: 12, earlyIterations: 250, iterations: 500, init: 'pca' } };
  }
  if (algo === 'umap') {
    const r = await umap(x, n, d, { seed }, ctl);
    return { coords: r.coords, extra: { epochs: r.epochs }, timings: r.timings, params: { nNeighbors: 15, minDist: 0.1, epochs: r.epochs } };
  }
  throw new PretextError(`unknown projection algorithm '${String(algo)}': expected one of ${PROJECTION_ALGOS.join(', ')}`, { field: 'algo' });
}

