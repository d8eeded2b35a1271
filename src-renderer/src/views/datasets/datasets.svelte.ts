/**
 * The Datasets view's state: importing (files staged by the shell — uploaded in a browser —
 * then an import job), the Fashion-MNIST sample, and the selected dataset's gallery pages.
 */
import type { DatasetItem, JobInfo, Split } from '../../../../src-main/api/contract';
import type { Workbench } from '../../lib/state/workbench.svelte';

/** A dataset name from dropped files: the dropped folder's name, or a single file's stem. */
export function nameFromFiles(files: readonly File[]): string | undefined {
  const first = files[0];
  if (!first) return undefined;
  const rel = (first as File & { webkitRelativePath?: string }).webkitRelativePath || first.name;
  const top = rel.split('/')[0] ?? rel;
  if (rel.includes('/')) return top;
  return files.length === 1 ? top.replace(/\.(zip|tar|tgz|tar\.gz|csv|bin)$/i, '') : undefined;
}

export class DatasetsState {
  items = $state.raw<DatasetItem[]>([]);
  total = $state(0);
  offset = $state(0);
  split = $state<Split | ''>('');
  loading = $state(false);
  /** Upload progress in a browser (bytes). */
  upload = $state<{ sent: number; total: number } | null>(null);
  /** The running import job, for the inline progress bar. */
  importJobId = $state<string | null>(null);
  readonly pageSize = 40;

  constructor(readonly wb: Workbench) {}

  get importJob(): JobInfo | null {
    return this.wb.jobs.list.find((j) => j.id === this.importJobId) ?? null;
  }

  /** Files dropped or picked in the page: staged (uploaded) first, then imported. */
  async importFiles(files: File[]): Promise<void> {
    if (files.length === 0) return;
    await this.wb.guard(async () => {
      this.upload = { sent: 0, total: files.reduce((s, f) => s + f.size, 0) };
      let path: string;
      try {
        path = await this.wb.shell.stageFiles(files, (sent, total) => (this.upload = { sent, total }));
      } finally {
        this.upload = null;
      }
      await this.startImport(path, nameFromFiles(files));
    });
  }

  /** Paths from Electron's Open… dialog or the menu; several loose files are staged into one folder. */
  async importPaths(paths: string[]): Promise<void> {
    if (paths.length === 0) return;
    await this.wb.guard(async () => {
      const path = paths.length === 1 ? paths[0]! : (await this.wb.client.request('datasets.stage', { paths })).path;
      await this.startImport(path);
    });
  }

  async importSample(): Promise<void> {
    await this.wb.guard(async () => {
      const { jobId } = await this.wb.client.request('datasets.importSample', { name: 'fashion-mnist' });
      await this.follow(jobId);
    });
  }

  private async startImport(path: string, name?: string): Promise<void> {
    const { jobId } = await this.wb.client.request('datasets.import', name ? { path, name } : { path });
    await this.follow(jobId);
  }

  private async follow(jobId: string): Promise<void> {
    this.importJobId = jobId;
    const job = await this.wb.jobs.waitFor(jobId);
    await this.wb.refreshDatasets();
    const result = job.result as { id?: string; datasetId?: string } | undefined;
    const id = job.datasetId ?? result?.datasetId ?? result?.id;
    if (job.status === 'completed' && id) this.select(id);
  }

  select(id: string): void {
    this.wb.datasetId = id;
    this.offset = 0;
    void this.loadItems();
  }

  async loadItems(offset = this.offset): Promise<void> {
    const id = this.wb.datasetId;
    if (!id) return;
    this.loading = true;
    await this.wb.guard(async () => {
      const res = await this.wb.client.request('datasets.items', {
        id,
        offset,
        limit: this.pageSize,
        ...(this.split ? { split: this.split } : {}),
      });
      if (this.wb.datasetId !== id) return;
      this.items = res.items;
      this.total = res.total;
      this.offset = offset;
    });
    this.loading = false;
  }
}
