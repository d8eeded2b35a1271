/** Keyboard shortcuts of the workbench: Ctrl/Cmd+1..7 switch views, Ctrl+O imports, Ctrl+Enter trains. */
export const VIEWS = ['datasets', 'augment', 'train', 'runs', 'compare', 'embeddings', 'evaluate'] as const;
export type View = (typeof VIEWS)[number];

export const VIEW_TITLES: Record<View, string> = {
  datasets: 'Datasets',
  augment: 'Augment',
  train: 'Train',
  runs: 'Runs',
  compare: 'Compare',
  embeddings: 'Embeddings',
  evaluate: 'Evaluate & export',
};

export type ShortcutAction = { kind: 'navigate'; view: View } | { kind: 'import' } | { kind: 'start-training' };

export interface KeyLike {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
}

export function shortcutFor(e: KeyLike): ShortcutAction | null {
  if (!(e.ctrlKey || e.metaKey) || e.altKey) return null;
  if (!e.shiftKey && /^[1-7]$/.test(e.key)) return { kind: 'navigate', view: VIEWS[Number(e.key) - 1]! };
  if (!e.shiftKey && e.key.toLowerCase() === 'o') return { kind: 'import' };
  if (e.key === 'Enter') return { kind: 'start-training' };
  return null;
}
