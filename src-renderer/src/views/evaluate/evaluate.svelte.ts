/**
 * The Evaluate & export view's state: kNN and linear-probe jobs for a run, its evaluations
 * (with its supervised baseline's), the evaluation picked for per-class results, a second run
 * to compare per class with, diagnostics, exports (export job, written inside the workspace → the shell delivers the
 * file: a download in a browser, a copy where the Save dialog says in Electron) and the HTML
 * report of the picked runs.
 */
import type { Diagnostics, EmbeddingFormat, EncoderFormat, Evaluation, LabelFraction, WrittenFile } from '../../../../src-main/api/contract';
import type { Workbench } from '../../lib/state/workbench.svelte';
import { shortId } from '../../lib/logic/format';

export class EvaluateState {
  runId = $state<string | null>(null);
  evals = $state.raw<Evaluation[]>([]);
  /** The supervised run the engine compares this run with (its evaluations are listed as baselines). */
  baselineId = $state<string | null>(null);
  /** The evaluation whose confusion matrix is shown (null: the latest of the run's own). */
  selectedId = $state<string | null>(null);
  /** The run compared per class with this one, and its evaluations. */
  otherId = $state<string | null>(null);
  otherEvals = $state.raw<Evaluation[]>([]);
  diagnostics = $state.raw<Diagnostics | null>(null);
  written = $state.raw<{ what: string; file: WrittenFile }[]>([]);
  /** Labels of the jobs this view started and is waiting on. */
  busy = $state<string[]>([]);
  /** Which rows an embeddings export writes. */
  embeddingSplit = $state<'test' | 'train' | 'all'>('test');

  constructor(readonly wb: Workbench) {}

  async load(): Promise<void> {
    const runId = this.runId;
    if (!runId) return;
    const runIds = this.baselineId ? [runId, this.baselineId] : [runId];
    await this.wb.guard(async () => {
      const evals = await this.wb.client.request('eval.list', { runIds });
      if (this.runId === runId) this.evals = evals;
    });
    await this.loadOther();
  }

  async loadOther(): Promise<void> {
    const otherId = this.otherId;
    if (!otherId) {
      this.otherEvals = [];
      return;
    }
    await this.wb.guard(async () => {
      const evals = await this.wb.client.request('eval.list', { runIds: [otherId] });
      if (this.otherId === otherId) this.otherEvals = evals;
    });
  }

  async loadDiagnostics(): Promise<void> {
    const runId = this.runId;
    if (!runId) return;
    await this.track('diagnostics', async () => {
      this.diagnostics = await this.wb.client.request('eval.diagnostics', { runId });
    });
  }

  private async track(label: string, action: () => Promise<void>): Promise<void> {
    this.busy = [...this.busy, label];
    try {
      await this.wb.guard(action);
    } finally {
      this.busy = this.busy.filter((b) => b !== label);
    }
  }

  /** kNN of this run (or of `runId`, the run compared with). */
  knn(runId = this.runId): Promise<void> {
    if (!runId) return Promise.resolve();
    return this.track(runId === this.runId ? 'kNN' : `kNN ${shortId(runId)}`, async () => {
      const { jobId } = await this.wb.client.request('eval.knn', { runId });
      await this.wb.jobs.resultOf(jobId);
      await this.load();
    });
  }

  probe(labelFraction: LabelFraction, runId = this.runId): Promise<void> {
    if (!runId) return Promise.resolve();
    return this.track(`probe ${labelFraction * 100}%${runId === this.runId ? '' : ` ${shortId(runId)}`}`, async () => {
      const { jobId } = await this.wb.client.request('eval.probe', { runId, labelFraction });
      await this.wb.jobs.resultOf(jobId);
      await this.load();
    });
  }

  /**
   * Export job (its file lands in the workspace) → deliver: a download in a browser; in
   * Electron the main process's Save dialog copies it where the user says, then reveals it.
   */
  private async exportFile(what: string, defaultName: string, start: () => Promise<{ jobId: string }>, open = false): Promise<void> {
    await this.track(what, async () => {
      const { jobId } = await start();
      const file = await this.wb.jobs.resultOf<WrittenFile>(jobId);
      this.written = [{ what, file }, ...this.written];
      const saved = await this.wb.shell.deliver(file, open, defaultName);
      // Where the user saved the copy (cancelled: the file stays in the workspace, listed there).
      if (saved !== null && saved !== file.path) this.written = this.written.map((w) => (w.file === file ? { what, file: { ...file, path: saved } } : w));
    });
  }

  exportEncoder(format: EncoderFormat): Promise<void> {
    const runId = this.runId;
    if (!runId) return Promise.resolve();
    const name = format === 'onnx' ? `encoder-${shortId(runId)}.onnx` : `encoder-${shortId(runId)}`;
    return this.exportFile(`encoder (${format})`, name, () => this.wb.client.request('export.encoder', { runId, format }));
  }

  exportEmbeddings(format: EmbeddingFormat): Promise<void> {
    const runId = this.runId;
    if (!runId) return Promise.resolve();
    const split = this.embeddingSplit;
    return this.exportFile(`embeddings (${format}, ${split})`, `embeddings-${shortId(runId)}-${split}.${format}`, () =>
      this.wb.client.request('export.embeddings', { runId, format, split }),
    );
  }

  report(runIds: string[]): Promise<void> {
    if (runIds.length === 0) return Promise.resolve();
    return this.exportFile('report', 'pretext-report.html', () => this.wb.client.request('report.create', { runIds }), true);
  }
}
