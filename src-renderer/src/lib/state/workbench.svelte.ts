/**
 * The workbench's shared state: the client and shell, the current view, the engine's status,
 * the jobs, and the lists every view reads (datasets, runs, methods, presets), kept fresh by
 * the engine's events. Views keep their own state in their folder and read this one.
 */
import type { ApiClient, DatasetInfo, EngineStatus, MethodInfo, PresetInfo, RunInfo } from '../../../../src-main/api/contract';
import type { Shell } from '../transport/shell';
import type { ViewName as View } from '../../../../src-main/api/views';
import { JobsState } from './jobs.svelte';

export interface Notice {
  id: number;
  kind: 'error' | 'info';
  text: string;
}

export class Workbench {
  view = $state<View>('datasets');
  engine = $state<EngineStatus>({ state: 'starting' });
  backend = $state<string | null>(null);
  datasets = $state.raw<DatasetInfo[]>([]);
  runs = $state.raw<RunInfo[]>([]);
  methods = $state.raw<MethodInfo[]>([]);
  presets = $state.raw<PresetInfo[]>([]);
  notices = $state<Notice[]>([]);
  /** The dataset the views work on, and the runs picked in Runs/Compare/Embeddings/Evaluate. */
  datasetId = $state<string | null>(null);
  runIds = $state<string[]>([]);
  /** Ctrl+O or the menu asked for the import dialog; the Datasets view opens it and clears this. */
  importPending = $state(false);
  /** Ctrl+Enter asked to start training; the Train view starts it and clears this. */
  trainPending = $state(false);
  /** The run whose live page Runs shows. */
  openRunId = $state<string | null>(null);
  readonly jobs: JobsState;
  private noticeSeq = 0;

  constructor(
    readonly client: ApiClient,
    readonly shell: Shell,
  ) {
    this.jobs = new JobsState(client);
  }

  /** Subscribes to events and loads the lists; returns the unsubscribe. */
  connect(): () => void {
    const c = this.client;
    const offs = [
      this.jobs.connect(),
      c.on('engine.status', (s) => {
        this.engine = s;
        if (s.state === 'ready') void this.refresh();
      }),
      c.on('datasets.changed', () => void this.refreshDatasets()),
      c.on('run.status', () => void this.refreshRuns()),
      c.on('run.metrics', ({ runId, points }) => this.applyMetrics(runId, points)),
      c.on('job.finished', (j) => {
        if (j.status === 'failed' && j.error) this.notify('error', `${j.label}: ${j.error}`);
        if (j.kind === 'import') void this.refreshDatasets();
      }),
    ];
    void this.refresh();
    return () => offs.forEach((off) => off());
  }

  async refresh(): Promise<void> {
    await Promise.all([
      this.guard(async () => {
        const info = await this.client.request('app.info', undefined);
        this.engine = info.engine;
        this.backend = info.backend ? `${info.backend.name} · ${info.backend.device}` : null;
      }),
      this.refreshDatasets(),
      this.refreshRuns(),
      this.guard(async () => (this.methods = await this.client.request('methods.list', undefined))),
      this.guard(async () => (this.presets = await this.client.request('augment.presets', undefined))),
    ]);
  }

  async refreshDatasets(): Promise<void> {
    await this.guard(async () => {
      this.datasets = await this.client.request('datasets.list', undefined);
      if (!this.datasetId || !this.datasets.some((d) => d.id === this.datasetId)) this.datasetId = this.datasets[0]?.id ?? null;
    });
  }

  async refreshRuns(): Promise<void> {
    await this.guard(async () => (this.runs = await this.client.request('runs.list', undefined)));
  }

  private applyMetrics(runId: string, points: { name: string; value: number }[]): void {
    const i = this.runs.findIndex((r) => r.id === runId);
    if (i < 0 || points.length === 0) return;
    const r = this.runs[i]!;
    const latest = { ...r.latest };
    for (const p of points) latest[p.name] = p.value;
    this.runs = this.runs.map((x, j) => (j === i ? { ...r, latest } : x));
  }

  get dataset(): DatasetInfo | null {
    return this.datasets.find((d) => d.id === this.datasetId) ?? null;
  }

  navigate(view: View): void {
    this.view = view;
  }

  notify(kind: Notice['kind'], text: string): void {
    const id = ++this.noticeSeq;
    this.notices = [...this.notices, { id, kind, text }].slice(-5);
    if (kind === 'info') setTimeout(() => this.dismiss(id), 6000);
  }

  dismiss(id: number): void {
    this.notices = this.notices.filter((n) => n.id !== id);
  }

  /** Runs an action; its error becomes a notice instead of an unhandled rejection. */
  async guard<T>(action: () => Promise<T>): Promise<T | undefined> {
    try {
      return await action();
    } catch (err) {
      this.notify('error', err instanceof Error ? err.message : String(err));
      return undefined;
    }
  }
}
