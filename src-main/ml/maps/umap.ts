/**
 * UMAP (McInnes et al. 2018) with the `umap-js` library: n_neighbors 15, min_dist 0.1, its
 * default epoch schedule (200 epochs above 7,500 points, as umap-learn's 200 for large data),
 * seeded through its `random` option. umap-js's own nearest-neighbour search (NN-descent in
 * JS) is its slow part, so the kNN graph is computed here exactly (ml/eval/knn.ts, on the tfjs
 * backend) on the top principal components (50, as for t-SNE) and handed over with
 * setPrecomputedKNN, in umap-learn's layout: the point itself first at distance 0.
 * umap-js initialises the layout uniformly at random (umap-learn uses a spectral layout).
 */
import { UMAP } from 'umap-js';
import type { Control } from '../../core/control';
import { Rng } from '../../core/rng';
import { abortCheck, iterate, reducedKnn, stageTimer, type MapCoords } from './stages';

export interface UmapOptions {
  nNeighbors?: number;
  minDist?: number;
  nEpochs?: number;
  seed?: number;
  pcaDims?: number;
}

export interface UmapResult extends MapCoords {
  epochs: number;
}

export async function umap(x: Float32Array, n: number, d: number, opts: UmapOptions = {}, ctl: Control = {}): Promise<UmapResult> {
  const nNeighbors = opts.nNeighbors ?? 15;
  if (n <= nNeighbors) throw new Error(`UMAP needs more than n_neighbors=${nNeighbors} points, got ${n}`);
  const check = abortCheck(ctl);
  const { timings, lap } = stageTimer();

  const dims = Math.min(opts.pcaDims ?? 50, d, n - 1);
  const { reduced, graph: g } = await reducedKnn(x, n, d, { dims, k: nNeighbors - 1, label: 'UMAP neighbours' }, ctl, lap);
  const knnIndices: number[][] = [];
  const knnDistances: number[][] = [];
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) {
    const idx = [i];
    const dist = [0];
    for (let j = 0; j < g.k; j++) {
      idx.push(g.indices[i * g.k + j]!);
      dist.push(Math.sqrt(g.distances[i * g.k + j]!));
    }
    knnIndices.push(idx);
    knnDistances.push(dist);
    rows.push(Array.from(reduced.scores.subarray(i * dims, (i + 1) * dims)));
  }
  lap('knn');
  check();

  const rng = new Rng(opts.seed ?? 0);
  const model = new UMAP({
    nComponents: 2,
    nNeighbors,
    minDist: opts.minDist ?? 0.1,
    random: () => rng.next(),
    ...(opts.nEpochs ? { nEpochs: opts.nEpochs } : {}),
  });
  model.setPrecomputedKNN(knnIndices, knnDistances);
  const epochs = model.initializeFit(rows);
  lap('graph');
  await iterate('UMAP', epochs, 'epoch', 5, () => model.step(), ctl);
  lap('optimize');
  const emb = model.getEmbedding();
  const coords = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    coords[2 * i] = emb[i]![0]!;
    coords[2 * i + 1] = emb[i]![1]!;
  }
  return { coords, epochs, timings };
}
