/**
 * The Embeddings view's state: the algorithm, each picked run's projection (projections.get,
 * or a projections.create job when missing), and the thumbnails of hovered points.
 */
import type { Projection, ProjectionAlgo, Split } from '../../../../src-main/api/contract';
import type { Workbench } from '../../lib/state/workbench.svelte';

export type MapState = { kind: 'loading' } | { kind: 'missing' } | { kind: 'computing'; jobId: string; algo: ProjectionAlgo; split: Split } | { kind: 'ready'; p: Projection } | { kind: 'error'; message: string };

/** Which algorithm and split a computing or shown map is for. */
function mapKey(m: Extract<MapState, { kind: 'computing' } | { kind: 'ready' }>): string {
  return m.kind === 'ready' ? `${m.p.algo}/${m.p.split}` : `${m.algo}/${m.split}`;
}

export class EmbeddingsState {
  algo = $state<ProjectionAlgo>('tsne');
  /** Which split's embeddings are mapped (test by default, as the engine does). */
  split = $state<Split>('test');
  maps = $state.raw<Record<string, MapState>>({});
  hover = $state<{ runId: string; index: number; label: string; thumb: string | null } | null>(null);
  private thumbs = new Map<string, string>();

  constructor(readonly wb: Workbench) {}

  /** The runs shown side by side: the picked ones, at most four. */
  get runIds(): string[] {
    return this.wb.runIds.slice(0, 4);
  }

  private set(runId: string, s: MapState): void {
    this.maps = { ...this.maps, [runId]: s };
  }

  async load(): Promise<void> {
    const { algo, split } = this;
    await Promise.all(
      this.runIds.map(async (runId) => {
        const cur = this.maps[runId];
        // A map being computed or shown for this algorithm and split stays; one for another is replaced.
        if ((cur?.kind === 'computing' || cur?.kind === 'ready') && mapKey(cur) === `${algo}/${split}`) return;
        this.set(runId, { kind: 'loading' });
        try {
          const p = await this.wb.client.request('projections.get', { runId, algo, split });
          if (this.algo === algo && this.split === split) this.set(runId, p ? { kind: 'ready', p } : { kind: 'missing' });
        } catch (err) {
          this.set(runId, { kind: 'error', message: (err as Error).message });
        }
      }),
    );
  }

  /** Starts the projection job of a run and shows the map when it is done. */
  async compute(runId: string): Promise<void> {
    const { algo, split } = this;
    try {
      const { jobId } = await this.wb.client.request('projections.create', { runId, algo, split });
      this.set(runId, { kind: 'computing', jobId, algo, split });
      const job = await this.wb.jobs.waitFor(jobId);
      // The user may have switched algorithm or split meanwhile: the finished map is stored
      // either way; show it only if it is (again) what the view asks for.
      if (!this.wanted(algo, split)) return;
      if (job.status !== 'completed') throw new Error(job.error ?? `projection ${job.status}`);
      const p = await this.wb.client.request('projections.get', { runId, algo, split });
      if (this.wanted(algo, split)) this.set(runId, p ? { kind: 'ready', p } : { kind: 'error', message: 'the projection job finished but no map was stored' });
    } catch (err) {
      if (this.wanted(algo, split)) this.set(runId, { kind: 'error', message: (err as Error).message });
    }
  }

  private wanted(algo: ProjectionAlgo, split: Split): boolean {
    return this.algo === algo && this.split === split;
  }

  /** Shows a hovered point's image (fetched once per dataset item). */
  async hoverPoint(runId: string, index: number, label: string): Promise<void> {
    const run = this.wb.runs.find((r) => r.id === runId);
    if (!run) return;
    const key = `${run.datasetId}:${index}`;
    this.hover = { runId, index, label, thumb: this.thumbs.get(key) ?? null };
    if (this.thumbs.has(key)) return;
    try {
      const res = await this.wb.client.request('datasets.items', { id: run.datasetId, offset: index, limit: 1 });
      const item = res.items.find((it) => it.index === index);
      if (!item) return;
      this.thumbs.set(key, item.thumb);
      if (this.hover?.index === index && this.hover.runId === runId) this.hover = { ...this.hover, thumb: item.thumb };
    } catch {
      /* the tooltip stays without an image */
    }
  }
}
