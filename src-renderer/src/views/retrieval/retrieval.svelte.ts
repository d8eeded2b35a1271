/**
 * The Retrieval view's state: the runs searched (trained runs of one dataset), the query (a
 * dataset image by index, picked in a gallery page or typed, or an image file dropped or
 * picked: staged — uploaded in a browser — then embedded by each run's encoder), k, and the
 * last result (neighbours.query: a job, since it may compute embeddings). One state per
 * workbench, so the view keeps its work across view switches.
 */
import type { DatasetItem, NeighboursResult, RunInfo } from '../../../../src-main/api/contract';
import { neighboursRequest } from '../../../../src-main/api/schema/requests';
import { formBounds } from '../../../../src-main/api/schema/fields';
import type { Workbench } from '../../lib/state/workbench.svelte';

/** k's bounds and default, from the request's schema. */
export const K_BOUNDS = formBounds(neighboursRequest, 'k');

const GALLERY_PAGE = 24;

/** A dropped or picked image file as the view shows it. */
export interface QueryFile {
  name: string;
  /** data: URL of the file, for the query's preview. */
  preview: string;
}

export class RetrievalState {
  datasetId = $state<string | null>(null);
  runIds = $state<string[]>([]);
  index = $state<number | null>(null);
  file = $state.raw<QueryFile | null>(null);
  k = $state<number>(K_BOUNDS.default ?? 8);
  result = $state.raw<NeighboursResult | null>(null);
  busy = $state(false);
  gallery = $state.raw<DatasetItem[]>([]);
  galleryTotal = $state(0);
  galleryOffset = $state(0);
  readonly pageSize = GALLERY_PAGE;

  constructor(readonly wb: Workbench) {}

  /** Trained runs of the dataset (the ones that have embeddings to search). */
  candidates(runs: readonly RunInfo[]): RunInfo[] {
    return runs.filter((r) => r.datasetId === this.datasetId && r.epochsDone > 0);
  }

  toggle(runId: string): void {
    this.runIds = this.runIds.includes(runId) ? this.runIds.filter((id) => id !== runId) : [...this.runIds, runId];
  }

  async loadGallery(offset = this.galleryOffset): Promise<void> {
    const id = this.datasetId;
    if (!id) return;
    await this.wb.guard(async () => {
      const res = await this.wb.client.request('datasets.items', { id, offset, limit: this.pageSize });
      if (this.datasetId !== id) return;
      this.gallery = res.items;
      this.galleryTotal = res.total;
      this.galleryOffset = offset;
    });
  }

  /** Neighbours of dataset image `index` in the picked runs. */
  searchIndex(index: number): Promise<void> {
    this.index = index;
    this.file = null;
    return this.run({ index });
  }

  /** A search started in another view (a point of an embedding map): these runs of this dataset, from image `index`. */
  searchFrom(datasetId: string, runIds: readonly string[], index: number): Promise<void> {
    if (this.datasetId !== datasetId) this.gallery = [];
    this.datasetId = datasetId;
    this.runIds = [...runIds];
    return this.searchIndex(index);
  }

  /** Neighbours of an image file: staged (uploaded in a browser) and embedded by each run. */
  async searchFile(file: File): Promise<void> {
    const preview = await new Promise<string>((resolve, reject) => {
      const r = new FileReader();
      r.onload = () => resolve(String(r.result));
      r.onerror = () => reject(r.error ?? new Error(`${file.name}: could not be read`));
      r.readAsDataURL(file);
    });
    this.file = { name: file.name, preview };
    this.index = null;
    const path = await this.wb.guard(() => this.wb.shell.stageFiles([file]));
    if (path) await this.run({ path });
  }

  private async run(query: { index: number } | { path: string }): Promise<void> {
    const runIds = [...this.runIds];
    if (runIds.length === 0) {
      this.wb.notify('error', 'Pick at least one run to search.');
      return;
    }
    this.busy = true;
    try {
      await this.wb.guard(async () => {
        const { jobId } = await this.wb.client.request('neighbours.query', { runIds, k: this.k, ...query });
        this.result = await this.wb.jobs.resultOf<NeighboursResult>(jobId);
      });
    } finally {
      this.busy = false;
    }
  }
}

const states = new WeakMap<Workbench, RetrievalState>();

/** The workbench's one Retrieval state. */
export function retrievalState(wb: Workbench): RetrievalState {
  let s = states.get(wb);
  if (!s) states.set(wb, (s = new RetrievalState(wb)));
  return s;
}
