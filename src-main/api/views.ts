/**
 * The workbench's views, in the order of the sidebar, the Ctrl/Cmd+1..N shortcuts and the app
 * menu's View items: the one list the renderer and the Electron main process both read.
 */
export const VIEWS = [
  { view: 'datasets', title: 'Datasets' },
  { view: 'augment', title: 'Augment' },
  { view: 'train', title: 'Train' },
  { view: 'runs', title: 'Runs' },
  { view: 'compare', title: 'Compare' },
  { view: 'embeddings', title: 'Embeddings' },
  { view: 'evaluate', title: 'Evaluate & export' },
  { view: 'retrieval', title: 'Retrieval' },
] as const;

export type ViewName = (typeof VIEWS)[number]['view'];

export const VIEW_NAMES: readonly ViewName[] = VIEWS.map((v) => v.view);

export const VIEW_TITLES = Object.fromEntries(VIEWS.map((v) => [v.view, v.title])) as Record<ViewName, string>;

export function isViewName(v: unknown): v is ViewName {
  return typeof v === 'string' && (VIEW_NAMES as readonly string[]).includes(v);
}
