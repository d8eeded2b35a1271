/**
 * The Compare view's state: the runs picked (shared with Embeddings and Evaluate), their
 * metric points and evaluations, the metric shown, EMA smoothing and the x axis; the HTML
 * report of exactly these runs.
 */
import type { Evaluation, MetricPoint, WrittenFile } from '../../../../src-main/api/contract';
import { shortId } from '../../lib/logic/format';
import type { Workbench } from '../../lib/state/workbench.svelte';
import { mergePoints, type XAxis } from '../../lib/logic/series';

export class CompareState {
  points = $state.raw<Record<string, MetricPoint[]>>({});
  evals = $state.raw<Evaluation[]>([]);
  metric = $state('loss');
  smoothing = $state(0.6);
  axis = $state<XAxis>('step');
  /** Runs that differ only in their seed drawn as one mean ± std band (when there are such runs). */
  grouped = $state(true);
  loading = $state(false);
  reporting = $state(false);
  /** The last report written: where, and which runs it compares. */
  report = $state<{ file: WrittenFile; runIds: string[] } | null>(null);

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

  /** report.create of the picked runs, then delivered (a download, or the app's Save dialog) and opened. */
  async createReport(): Promise<void> {
    const runIds = [...this.wb.runIds];
    if (runIds.length === 0 || this.reporting) return;
    this.reporting = true;
    await this.wb.guard(async () => {
      const { jobId } = await this.wb.client.request('report.create', { runIds });
      const file = await this.wb.jobs.resultOf<WrittenFile>(jobId);
      this.report = { file, runIds };
      await this.wb.shell.deliver(file, true, `pretext-report-${runIds.map(shortId).join('-').slice(0, 80)}.html`);
    });
    this.reporting = false;
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
