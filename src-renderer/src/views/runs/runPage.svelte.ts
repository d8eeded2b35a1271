/**
 * A run's live page: its metric points, loaded once (runs.metrics) and extended by the
 * run.metrics events while it trains.
 */
import type { MetricPoint, RunInfo } from '../../../../src-main/api/contract';
import type { Workbench } from '../../lib/state/workbench.svelte';
import { mergePoints } from '../../lib/logic/series';

export class RunPageState {
  points = $state.raw<MetricPoint[]>([]);
  loading = $state(false);

  constructor(
    readonly wb: Workbench,
    readonly runId: string,
  ) {}

  get run(): RunInfo | undefined {
    return this.wb.runs.find((r) => r.id === this.runId);
  }

  /** Loads the points and follows the run; returns the unsubscribe. */
  connect(): () => void {
    const off = this.wb.client.on('run.metrics', ({ runId, points }) => {
      if (runId === this.runId) this.points = mergePoints(this.points, points);
    });
    this.loading = true;
    void this.wb
      .guard(async () => {
        const pts = await this.wb.client.request('runs.metrics', { id: this.runId });
        this.points = mergePoints(pts, this.points);
      })
      .finally(() => (this.loading = false));
    return off;
  }

  cancel(): Promise<unknown> {
    return this.wb.guard(() => this.wb.client.request('runs.cancel', { id: this.runId }));
  }

  resume(): Promise<unknown> {
    return this.wb.guard(async () => {
      await this.wb.client.request('runs.resume', { id: this.runId });
      await this.wb.refreshRuns();
    });
  }
}
