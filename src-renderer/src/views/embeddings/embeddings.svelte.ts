/**
 * The Embeddings view's state: the algorithm, each picked run's projection (projections.get,
 * or a projections.create job when missing), and what links the maps (lib/logic/linkedMaps):
 * the hovered item and its thumbnail, the selected items (click or lasso) and theirs, the
 * hidden classes, point size and opacity.
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
  /** The selected dataset items (a click or a lasso in any map), highlighted in every map. */
  selected = $state.raw<number[]>([]);
  /** Thumbnails of the first selected items, in selection order. */
  selectedThumbs = $state.raw<{ index: number; label: string; thumb: string | null }[]>([]);
  hidden = $state.raw<number[]>([]);
  pointSize = $state(5);
  opacity = $state(0.8);
  colourByClass = $state(true);
  private thumbs = new Map<string, string>();
  private selectSeq = 0;

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

  /** The dataset item of a run's point, as a thumbnail (fetched once per item). */
  private async thumb(datasetId: string, index: number): Promise<string | null> {
    const key = `${datasetId}:${index}`;
    const known = this.thumbs.get(key);
    if (known) return known;
    const res = await this.wb.client.request('datasets.items', { id: datasetId, offset: index, limit: 1 });
    const item = res.items.find((it) => it.index === index);
    if (item) this.thumbs.set(key, item.thumb);
    return item?.thumb ?? null;
  }

  /** Hovered in one map: highlighted in all, and its image shown. */
  async hoverPoint(runId: string, index: number, label: string): Promise<void> {
    const run = this.wb.runs.find((r) => r.id === runId);
    if (!run || this.hover?.index === index) return;
    this.hover = { runId, index, label, thumb: this.thumbs.get(`${run.datasetId}:${index}`) ?? null };
    if (this.hover.thumb) return;
    try {
      const thumb = await this.thumb(run.datasetId, index);
      if (this.hover?.index === index && this.hover.runId === runId) this.hover = { ...this.hover, thumb };
    } catch {
      /* the panel stays without an image */
    }
  }

  /** The class name of an item, from any shown map of the run. */
  private labelOf(index: number): string {
    for (const m of Object.values(this.maps)) {
      if (m.kind !== 'ready') continue;
      const row = m.p.indices.indexOf(index);
      if (row >= 0) return m.p.labels[row] === null ? 'unlabelled' : (m.p.classes[m.p.labels[row]!] ?? String(m.p.labels[row]));
    }
    return '';
  }

  /** Selects items (a click or a lasso in one map; [] clears) and fetches the first `shown` thumbnails. */
  async select(runId: string, items: number[], shown = 48): Promise<void> {
    const seq = ++this.selectSeq;
    this.selected = items;
    this.selectedThumbs = items.slice(0, shown).map((index) => ({ index, label: this.labelOf(index), thumb: null }));
    const run = this.wb.runs.find((r) => r.id === runId);
    if (!run || items.length === 0) return;
    const thumbs = await Promise.all(this.selectedThumbs.map((t) => this.thumb(run.datasetId, t.index).catch(() => null)));
    if (seq === this.selectSeq) this.selectedThumbs = this.selectedThumbs.map((t, i) => ({ ...t, thumb: thumbs[i] ?? null }));
  }
}
