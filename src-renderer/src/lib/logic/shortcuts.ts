/** Keyboard shortcuts of the workbench: Ctrl/Cmd+1..N switch views (api/views.ts), Ctrl+O imports, Ctrl+Enter trains. */
import { VIEW_NAMES, type ViewName } from '../../../../src-main/api/views';

export type ShortcutAction = { kind: 'navigate'; view: ViewName } | { kind: 'import' } | { kind: 'start-training' };

export interface KeyLike {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
}

export function shortcutFor(e: KeyLike): ShortcutAction | null {
  if (!(e.ctrlKey || e.metaKey) || e.altKey) return null;
  const n = /^[1-9]$/.test(e.key) ? Number(e.key) : 0;
  if (!e.shiftKey && n >= 1 && n <= VIEW_NAMES.length) return { kind: 'navigate', view: VIEW_NAMES[n - 1]! };
  if (!e.shiftKey && e.key.toLowerCase() === 'o') return { kind: 'import' };
  if (e.key === 'Enter') return { kind: 'start-training' };
  return null;
}
