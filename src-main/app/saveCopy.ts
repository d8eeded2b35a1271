/**
 * The desktop app's Save… for a file the engine wrote: exports and reports are written inside
 * the workspace (as over every transport); the main process asks where to put a copy in its
 * own Save dialog and copies it there. The page names only the workspace file, never where a
 * file is written.
 */
import { cpSync, statSync } from 'node:fs';
import { insideWorkspace } from '../api/pathAccess';

/**
 * Copies `path` (a file or folder inside the workspace) to where `choose` says (null:
 * cancelled, nothing copied); returns the destination. Refuses a path outside the workspace.
 */
export async function saveCopy(workspaceDir: string, path: unknown, choose: (defaultName: string) => Promise<string | null>, defaultName: string): Promise<string | null> {
  const source = typeof path === 'string' ? insideWorkspace(workspaceDir, path) : null;
  if (!source) throw new Error(`save: ${String(path)} is not a file the engine wrote in the workspace`);
  const dest = await choose(defaultName);
  if (!dest) return null;
  if (statSync(source).isDirectory()) cpSync(source, dest, { recursive: true, force: true });
  else cpSync(source, dest, { force: true });
  return dest;
}
