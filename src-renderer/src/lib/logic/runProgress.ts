/**
 * What a run's page and the runs table say about its progress: the epochs (an untrained
 * baseline has none to count) and the training time so far (live while it trains: the stored
 * time only moves at each epoch's end, the step points carry the running clock).
 */
import type { MetricPoint, RunInfo } from '../../../../src-main/api/contract';

/** The random-init baseline, or any run whose model has nothing to train: no epochs to count. */
export function isUntrained(run: Pick<RunInfo, 'method' | 'modelInfo'>): boolean {
  return run.method === 'random' || run.modelInfo?.['trainableParams'] === 0;
}

/** '1/2' epochs; 'untrained' for the random-init baseline, whose single pass is not an epoch. */
export function epochProgress(run: Pick<RunInfo, 'method' | 'modelInfo' | 'epochsDone' | 'epochs'>): string {
  return isUntrained(run) ? 'untrained' : `${run.epochsDone}/${run.epochs}`;
}

/**
 * Seconds of training so far: while it trains, the newest point's clock (the stored time moves
 * only at each epoch's end); once it stopped, the stored time.
 */
export function elapsedSeconds(run: Pick<RunInfo, 'trainSeconds' | 'status'>, points: readonly MetricPoint[]): number {
  let wall = run.trainSeconds;
  if (run.status !== 'running') return wall;
  for (const p of points) if (Number.isFinite(p.wall) && p.wall > wall) wall = p.wall;
  return wall;
}
