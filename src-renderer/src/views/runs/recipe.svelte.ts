/**
 * Issue 15 in the Runs view: "Run on a cluster…" on a run (export.recipe: a job that zips the
 * run's recipe as a PyTorch DDP program; the shell delivers the zip: a download in a browser, a
 * Save dialog in Electron) and "Import results…" (the folder train.py wrote: its three result
 * files uploaded in a browser, or picked in Electron's dialog; runs.import; the new run opens).
 */
import type { ExternalInfo, ImportResultsInfo, JobInfo, WrittenFile } from '../../../../src-main/api/contract';
import { RECIPE_RESULT_FILES } from '../../../../src-main/core/recipeCommands';
import { formatDuration } from '../../lib/logic/format';
import type { Workbench } from '../../lib/state/workbench.svelte';

/** "external: node7, 2 × cuda, 1h 02m": where an imported run trained. */
export function externalSummary(e: ExternalInfo): string {
  return `external: ${e.where}, ${e.processes} × ${e.device}, ${formatDuration(e.wallSeconds)}`;
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

export class ClusterExportState {
  withData = $state(false);
  jobId = $state<string | null>(null);
  busy = $state(false);
  error = $state<string | null>(null);
  /** The zip as delivered (where it was saved in Electron; the workspace file in a browser). */
  saved = $state<string | null>(null);

  constructor(
    readonly wb: Workbench,
    readonly runId: string,
  ) {}

  get job(): JobInfo | undefined {
    return this.wb.jobs.list.find((j) => j.id === this.jobId);
  }

  async export(): Promise<void> {
    this.busy = true;
    this.error = null;
    this.saved = null;
    try {
      const { jobId } = await this.wb.client.request('export.recipe', { runId: this.runId, withData: this.withData });
      this.jobId = jobId;
      const file = await this.wb.jobs.resultOf<WrittenFile>(jobId);
      const name = file.path.split(/[\\/]/).pop() ?? 'recipe.zip';
      const where = await this.wb.shell.deliver(file, false, name);
      this.saved = where ?? file.path;
    } catch (err) {
      this.error = message(err);
    } finally {
      this.busy = false;
    }
  }

  cancel(): Promise<void> {
    return this.jobId ? this.wb.jobs.cancel(this.jobId) : Promise.resolve();
  }
}

/** The picked folder's result files: those directly in its one top folder, by name. */
export function resultFiles(files: File[]): { folder: string | null; found: File[]; missing: string[] } {
  const rel = (f: File) => ((f as File & { webkitRelativePath?: string }).webkitRelativePath || f.name).split('/');
  const folder = files.length ? (rel(files[0]!).length > 1 ? rel(files[0]!)[0]! : null) : null;
  const found = files.filter((f) => {
    const parts = rel(f);
    return (parts.length === 2 || (parts.length === 1 && folder === null)) && (RECIPE_RESULT_FILES as readonly string[]).includes(parts.at(-1)!);
  });
  const names = new Set(found.map((f) => rel(f).at(-1)));
  return { folder, found, missing: RECIPE_RESULT_FILES.filter((n) => !names.has(n)) };
}

export class ImportResultsState {
  datasetId = $state<string | null>(null);
  /** Browser: the files of the picked folder (only the result files are uploaded). */
  files = $state.raw<File[]>([]);
  /** Electron: the folder picked in the native dialog. */
  path = $state<string | null>(null);
  upload = $state<{ sent: number; total: number } | null>(null);
  jobId = $state<string | null>(null);
  busy = $state(false);
  error = $state<string | null>(null);
  imported = $state<ImportResultsInfo | null>(null);

  constructor(readonly wb: Workbench) {
    this.datasetId = wb.datasetId;
  }

  get picked(): ReturnType<typeof resultFiles> {
    return resultFiles(this.files);
  }

  /** What was picked, as the panel names it. */
  get folderName(): string | null {
    if (this.path) return this.path;
    return this.files.length ? (this.picked.folder ?? 'the picked files') : null;
  }

  get job(): JobInfo | undefined {
    return this.wb.jobs.list.find((j) => j.id === this.jobId);
  }

  get ready(): boolean {
    return !this.busy && this.datasetId !== null && (this.path !== null || (this.files.length > 0 && this.picked.missing.length === 0));
  }

  /** Electron's Open dialog; false in a browser (the page opens its folder input instead). */
  async pickNative(): Promise<boolean> {
    const paths = await this.wb.shell.pickImportPaths({ directory: true, purpose: 'results' });
    if (paths === null) return false;
    if (paths.length) this.choose({ path: paths[0]! });
    return true;
  }

  choose(p: { files?: File[]; path?: string }): void {
    this.files = p.files ?? [];
    this.path = p.path ?? null;
    this.error = null;
    this.imported = null;
  }

  async import(): Promise<void> {
    if (!this.ready || this.datasetId === null) return;
    this.busy = true;
    this.error = null;
    this.imported = null;
    try {
      let dir = this.path;
      if (dir === null) {
        const files = this.picked.found;
        this.upload = { sent: 0, total: files.reduce((s, f) => s + f.size, 0) };
        try {
          dir = await this.wb.shell.stageFiles(files, (sent, total) => (this.upload = { sent, total }));
        } finally {
          this.upload = null;
        }
      }
      const { jobId } = await this.wb.client.request('runs.import', { dir, datasetId: this.datasetId });
      this.jobId = jobId;
      const r = await this.wb.jobs.resultOf<ImportResultsInfo>(jobId);
      await this.wb.refreshRuns();
      this.imported = r;
      this.wb.openRunId = r.runId;
      this.files = [];
      this.path = null;
    } catch (err) {
      this.error = message(err);
    } finally {
      this.busy = false;
    }
  }
}
