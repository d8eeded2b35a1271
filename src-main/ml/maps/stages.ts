/**
 * What t-SNE and UMAP share: stage timings, the cancel check, and their first two stages (the
 * top principal components of the features, then the exact kNN graph on them).
 */
import { tick, type Control } from '../../core/control';
import { CancelledError } from '../../core/errors';
import { exactKnn, type KnnGraph } from '../eval/knn';
import { pca, type PcaResult } from './pca';

/** What every nonlinear map returns: n×2 interleaved coordinates and seconds per stage. */
export interface MapCoords {
  coords: Float32Array;
  timings: Record<string, number>;
}

/** Seconds per named stage: lap(name) records the time since the previous lap (or the start). */
export function stageTimer(): { timings: Record<string, number>; lap(name: string): void } {
  const timings: Record<string, number> = {};
  let t0 = performance.now();
  return {
    timings,
    lap(name) {
      const t = performance.now();
      timings[name] = (t - t0) / 1000;
      t0 = t;
    },
  };
}

/** Throws CancelledError once the control's signal is aborted. */
export const abortCheck = (ctl: Control) => (): void => {
  if (ctl.signal?.aborted) throw new CancelledError();
};

/**
 * The top `dims` principal components of the n×d rows (stage 'pca'), then their exact
 * k-nearest-neighbour graph, with progress under `label`.
 */
export async function reducedKnn(
  x: Float32Array,
  n: number,
  d: number,
  o: { dims: number; k: number; label: string },
  ctl: Control,
  lap: (name: string) => void,
): Promise<{ reduced: PcaResult; graph: KnnGraph }> {
  const check = abortCheck(ctl);
  const reduced = await pca(x, n, d, o.dims, { tick: async () => (check(), await tick()) });
  lap('pca');
  check();
  ctl.progress?.start(o.label, n, 'pts');
  const graph = await exactKnn(reduced.scores, n, o.dims, o.k, {
    ...(ctl.signal ? { signal: ctl.signal } : {}),
    onBlock: (done) => ctl.progress?.update(done),
  });
  return { reduced, graph };
}

/**
 * The optimisation stage: `step(i)` for i < total, with progress, a cancel check and a yield to
 * the event loop every `every` steps.
 */
export async function iterate(label: string, total: number, unit: string, every: number, step: (i: number) => void, ctl: Control): Promise<void> {
  const check = abortCheck(ctl);
  ctl.progress?.start(label, total, unit);
  for (let i = 0; i < total; i++) {
    step(i);
    if (i % every === every - 1) {
      ctl.progress?.update(i + 1);
      check();
      await tick();
    }
  }
  ctl.progress?.finish();
}
