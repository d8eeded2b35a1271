/**
 * The Compare view's state: the runs picked (shared with Embeddings and Evaluate), their
 * metric points and evaluations, the metric shown, EMA smoothing and the x axis.
 */
import type { Evaluation, MetricPoint } from '../../../../src-main/api/contract';
import type { Workbench } from '../../lib/state/workbench.svelte';
import { mergePoints, type XAxis } from '../../lib/logic/series';

export class CompareState {
  points = $state.raw<Record<string, MetricPoint[]>>({});
  evals = $state.raw<Evaluation[]>([]);
  metric = $state('loss');
  smoothing = $state(0.6);
  axis = $state<XAxis>('step');
  loading = $state(false);

  constructor(readonly wb: Workbench) {}

  toggle(runId: string, on: boolean): void {
    const ids = this.wb.runIds.filter((id) => id !== runId);
    this.wb.runIds = on ? [...ids, runId] : ids;
  }

  /** Follows the picked runs live: new metric points, and evaluations as their jobs finish. */
  connect(): () => void {
    const offs = [
      this.wb.client.on('run.metrics', ({ runId, points }) => {
        const cur = this.points[runId];
        if (cur) this.points = { ...this.points, [runId]: mergePoints(cur, points) };
      }),
      this.wb.client.on('job.finished', (j) => {
        if ((j.kind === 'knn' || j.kind === 'probe') && j.runId && this.wb.runIds.includes(j.runId)) void this.loadEvals();
      }),
    ];
    return () => offs.forEach((off) => off());
  }

  private async loadEvals(): Promise<void> {
    const ids = [...this.wb.runIds];
    await this.wb.guard(async () => {
      this.evals = ids.length ? await this.wb.client.request('eval.list', { runIds: ids }) : [];
    });
  }

  /** Loads the picked runs' points and evaluations. */
  async load(): Promise<void> {
    const ids = [...this.wb.runIds];
    this.loading = true;
    await this.wb.guard(async () => {
      const [lists, evals] = await Promise.all([
        Promise.all(ids.map((id) => this.wb.client.request('runs.metrics', { id }))),
        ids.length ? this.wb.client.request('eval.list', { runIds: ids }) : Promise.resolve([]),
      ]);
      this.points = Object.fromEntries(ids.map((id, i) => [id, lists[i]!]));
      this.evals = evals;
    });
    this.loading = false;
  }
}
