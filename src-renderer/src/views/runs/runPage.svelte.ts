/**
 * A run's live page: its metric points, loaded once (runs.metrics) and extended by the
 * run.metrics events while it trains.
 */
import type { MetricPoint, ReconstructView, RunInfo } from '../../../../src-main/api/contract';
import type { Workbench } from '../../lib/state/workbench.svelte';
import { mergePoints } from '../../lib/logic/series';
import { prefillOf } from '../../lib/logic/trainRepeats';
import { trainAgain } from '../train/train.svelte';

export class RunPageState {
  points = $state.raw<MetricPoint[]>([]);
  loading = $state(false);
  /** An MAE run's reconstructions of a few test images (runs.reconstruct), once asked. */
  reconstructions = $state.raw<ReconstructView | null>(null);
  reconstructing = $state(false);

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

  /** Asks for the run's reconstructions (MAE runs with a checkpoint); `seed` draws other masks. */
  reconstruct(seed?: number): Promise<unknown> {
    this.reconstructing = true;
    return this.wb
      .guard(async () => {
        this.reconstructions = await this.wb.client.request('runs.reconstruct', { runId: this.runId, count: 4, ...(seed !== undefined ? { seed } : {}) });
      })
      .finally(() => (this.reconstructing = false));
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

  /** Replaces the run's tags and/or notes (runs.label); the runs list then shows them. */
  label(u: { tags?: string[]; notes?: string }): Promise<unknown> {
    return this.wb.guard(async () => {
      const now = await this.wb.client.request('runs.label', { id: this.runId, ...u });
      this.wb.runs = this.wb.runs.map((r) => (r.id === now.id ? now : r));
    });
  }

  /** Deletes the run and its files (runs.delete), then shows the runs without it. */
  delete(): Promise<unknown> {
    return this.wb.guard(async () => {
      await this.wb.client.request('runs.delete', { id: this.runId });
      this.wb.runIds = this.wb.runIds.filter((id) => id !== this.runId);
      if (this.wb.openRunId === this.runId) this.wb.openRunId = null;
      await this.wb.refreshRuns();
    });
  }

  /** The Train view, set to this run's settings. */
  trainAgain(): void {
    const run = this.run;
    if (!run) return;
    trainAgain.pending = prefillOf(run);
    this.wb.navigate('train');
  }

  /** Compare, with the runs of this run's group picked. */
  compareGroup(): void {
    const run = this.run;
    if (!run?.groupId) return;
    this.wb.runIds = this.wb.runs.filter((r) => r.groupId === run.groupId).map((r) => r.id);
    this.wb.navigate('compare');
  }
}
