// Linked embedding maps: the pure logic (lib/logic/linkedMaps), the view's state, and the real
// Embeddings view in happy-dom: a point hovered or lassoed in one map is highlighted in every
// map, one legend filters all maps, and a hover inserts nothing above the maps.
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import type { ApiClient, Projection } from '../../src-main/api/contract';
import { classCounts, classTraces, highlightTraces, itemsOf, legendOf, mapHeight, rowsByItem, toggleClass, type LinkedView } from '../../src-renderer/src/lib/logic/linkedMaps';
import { Workbench } from '../../src-renderer/src/lib/state/workbench.svelte';
import type { Shell } from '../../src-renderer/src/lib/transport/shell';
import { EmbeddingsState } from '../../src-renderer/src/views/embeddings/embeddings.svelte';
import EmbeddingsView from '../../src-renderer/src/views/embeddings/EmbeddingsView.svelte';
import { run } from './fixtures';

const noShell: Shell = { kind: 'http', pickImportPaths: async () => null, stageFiles: () => Promise.reject(new Error('no upload here')), deliver: async () => null };

/** A map of items 10..15 (classes a, b, a, b, unlabelled, a), laid out differently per run. */
function projection(runId: string, shift = 0): Projection {
  return {
    runId, epoch: 1, split: 'test', algo: 'tsne', indices: [10, 11, 12, 13, 14, 15], x: [0, 1, 2, 3, 4, 5].map((v) => v + shift), y: [5, 4, 3, 2, 1, 0],
    labels: [0, 1, 0, 1, null, 0], classes: ['a', 'b'], quality: { trustworthiness: 0.9 }, seconds: 0.2, createdAt: 't',
  };
}

const view = (over: Partial<LinkedView> = {}): LinkedView => ({ hovered: null, selected: [], hidden: [], pointSize: 5, opacity: 0.8, colourByClass: true, ink: '#111', ...over });

/** The engine as the view sees it: two runs with a t-SNE map each, and thumbnails of their items. */
function workbench() {
  const requests: string[] = [];
  const bodies: unknown[] = [];
  const client: ApiClient = {
    request: (async (name: string, req: { runId?: string; offset?: number }) => {
      requests.push(name);
      bodies.push(req);
      if (name === 'neighbours.query') return { jobId: 'job-1' };
      if (name === 'projections.get') return projection(req.runId!, req.runId === 'r2' ? 10 : 0);
      if (name === 'datasets.items') return { total: 100, items: [{ index: req.offset, split: 'test', label: 0, thumb: `data:image/png;base64,${req.offset}` }] };
      throw new Error(`${name}: not in this test`);
    }) as ApiClient['request'],
    on: () => () => {},
  };
  const wb = new Workbench(client, noShell);
  wb.runs = [run('r1', { method: 'simclr' }), run('r2', { method: 'byol' })];
  wb.runIds = ['r1', 'r2'];
  return { wb, requests, bodies };
}

describe('linked maps logic', () => {
  it('draws one trace per shown class, with item indices for the events, dimmed while a selection exists', () => {
    const p = projection('r1');
    const traces = classTraces(p, view());
    expect(traces.map((t) => t.name)).toEqual(['a', 'b', 'unlabelled']);
    expect(traces[0]!.customdata).toEqual([10, 12, 15]);
    expect(traces[0]!.x).toEqual([0, 2, 5]);
    expect(classTraces(p, view({ hidden: [1, -1] })).map((t) => t.name)).toEqual(['a']);
    const dim = classTraces(p, view({ selected: [11] }));
    expect((dim[0]!.marker as { opacity: number }).opacity).toBeLessThan(0.8);
    expect((classTraces(p, view({ colourByClass: false }))[0]!.marker as { color: string }).color).toBe((classTraces(p, view({ colourByClass: false }))[1]!.marker as { color: string }).color);
  });

  it('highlights the same items in maps that place them differently', () => {
    const a = projection('r1');
    const b = { ...projection('r2'), indices: [15, 14, 13, 12, 11, 10] };
    const v = view({ hovered: 12, selected: [10, 13, 99] });
    const [selA, hovA] = highlightTraces(a, rowsByItem(a), v);
    const [selB, hovB] = highlightTraces(b, rowsByItem(b), v);
    expect(hovA!.customdata).toEqual([12]);
    expect(hovB!.customdata).toEqual([12]);
    expect([hovA!.x, hovB!.x]).toEqual([[2], [3]]);
    // An item a map does not draw (99) is left out; the others are found by item, not by row.
    expect(selA!.customdata).toEqual([10, 13]);
    expect(selB!.customdata).toEqual([10, 13]);
    expect(selB!.x).toEqual([5, 2]);
    expect(highlightTraces(a, rowsByItem(a), view())[1]!.x).toEqual([]);
    // A hidden class stays hidden when its points are selected or hovered.
    const filtered = highlightTraces(a, rowsByItem(a), view({ hovered: 12, selected: [10, 13], hidden: [0] }));
    expect(filtered.map((t) => t.customdata)).toEqual([[13], []]);
  });

  it('one legend for all maps, class filters, lasso items and their make-up', () => {
    const other = { ...projection('r2'), labels: [0, 1, 2, 1, 0, 0], classes: ['a', 'b', 'c'] };
    expect(legendOf([projection('r1'), other]).map((e) => [e.name, e.count])).toEqual([['a', 3], ['b', 2], ['c', 1], ['unlabelled', 1]]);
    expect(itemsOf([{ customdata: 12 }, { customdata: 10 }, { customdata: 12 }, {}])).toEqual([12, 10]);
    expect(itemsOf(undefined)).toEqual([]);
    expect(toggleClass([], [0, 1, 2], 1)).toEqual([1]);
    expect(toggleClass([1], [0, 1, 2], 1)).toEqual([]);
    expect(toggleClass([], [0, 1, 2], 1, true)).toEqual([0, 2]);
    expect(classCounts(projection('r1'), [10, 11, 12, 14, 77])).toEqual([{ name: 'a', count: 2 }, { name: 'b', count: 1 }, { name: 'unlabelled', count: 1 }]);
  });

  it('sizes a map about square to its column, within the window', () => {
    expect(mapHeight(600, 1000)).toBe(540);
    expect(mapHeight(1200, 900)).toBe(675);
    expect(mapHeight(100, 900)).toBe(280);
  });
});

describe('EmbeddingsState links the maps', () => {
  it('a hover in one run sets the item every map highlights; a lasso selects items and fetches their images', async () => {
    const { wb } = workbench();
    const emb = new EmbeddingsState(wb);
    await emb.load();
    await emb.hoverPoint('r1', 12, 'a');
    expect(emb.hover).toMatchObject({ index: 12, label: 'a', thumb: 'data:image/png;base64,12' });
    await emb.select('r2', [11, 13, 14]);
    expect(emb.selected).toEqual([11, 13, 14]);
    expect(emb.selectedThumbs.map((t) => [t.index, t.label, t.thumb])).toEqual([
      [11, 'b', 'data:image/png;base64,11'],
      [13, 'b', 'data:image/png;base64,13'],
      [14, 'unlabelled', 'data:image/png;base64,14'],
    ]);
    await emb.select('r2', []);
    expect(emb.selectedThumbs).toEqual([]);
  });
});

describe('EmbeddingsView', () => {
  async function shown() {
    const { wb, requests, bodies } = workbench();
    const emb = new EmbeddingsState(wb);
    const r = render(EmbeddingsView, { wb, emb });
    await waitFor(() => expect(r.container.querySelectorAll('figure[aria-label^="Map of"]')).toHaveLength(2));
    return { emb, wb, requests, bodies, container: r.container };
  }

  it('a selected image opens Retrieval on it, searching the runs of the maps', async () => {
    const { emb, wb, requests, bodies } = await shown();
    await emb.select('r1', [10, 12]);
    const strip = screen.getByRole('region', { name: 'Selection' });
    await fireEvent.click(within(strip).getByRole('button', { name: 'Neighbours of item 12' }));
    expect(wb.view).toBe('retrieval');
    await waitFor(() => expect(requests).toContain('neighbours.query'));
    expect(bodies[requests.indexOf('neighbours.query')]).toMatchObject({ runIds: ['r1', 'r2'], index: 12 });
  });

  it('highlights the point hovered in one map in every map, and shows the lasso selection in a strip', async () => {
    const { emb, container } = await shown();
    await emb.hoverPoint('r1', 13, 'b');
    await waitFor(() => expect([...container.querySelectorAll('.scatter')].map((m) => m.getAttribute('data-hovered'))).toEqual(['13', '13']));
    await emb.select('r1', [10, 12]);
    await waitFor(() => expect([...container.querySelectorAll('.scatter')].map((m) => m.getAttribute('data-selected'))).toEqual(['2', '2']));
    const strip = screen.getByRole('region', { name: 'Selection' });
    expect(strip.textContent).toContain('2 selected');
    expect(strip.textContent).toContain('2 a');
    await waitFor(() => expect(within(strip).getAllByRole('img')).toHaveLength(2));
    // An image of the strip under the cursor is ringed in every map.
    await fireEvent.mouseEnter(within(strip).getAllByRole('listitem')[1]!);
    await waitFor(() => expect([...container.querySelectorAll('.scatter')].map((m) => m.getAttribute('data-hovered'))).toEqual(['12', '12']));
  });

  it('has one class legend for all maps, and its checkboxes filter every map', async () => {
    const { emb } = await shown();
    const legends = screen.getAllByRole('group', { name: 'Classes' });
    expect(legends).toHaveLength(1);
    const b = within(legends[0]!).getByRole('checkbox', { name: /^b/ });
    await fireEvent.click(b);
    expect(emb.hidden).toEqual([1]);
    expect((b as HTMLInputElement).checked).toBe(false);
  });

  it('a first hover inserts nothing above the maps: the image panel is there, at its size, before any hover', async () => {
    const { emb, container } = await shown();
    const maps = screen.getByRole('region', { name: 'Maps' });
    // Every element before the maps in the document (what could push them down), the image
    // panel counted as one whatever it shows.
    const outline = () =>
      [...container.querySelectorAll('*')].filter(
        (el) => el.compareDocumentPosition(maps) & Node.DOCUMENT_POSITION_FOLLOWING && !el.contains(maps) && (!el.closest('[data-testid="hover"]') || el.matches('[data-testid="hover"]')),
      );
    const shape = outline();
    expect(shape).toContain(screen.getByTestId('hover'));
    await emb.hoverPoint('r1', 10, 'a');
    await waitFor(() => expect(screen.getByTestId('hover').querySelector('img')).not.toBeNull());
    expect(outline()).toEqual(shape);
  });
});
