/**
 * Which server-side paths a request may name. The engine runs with the rights of whoever
 * started it, so a path in a request is checked before anything reads or writes it:
 * - reading (datasets.import's `path`, datasets.stage's `paths`): an upload or staging folder
 *   of the workspace's tmp/ always; anything else only under the data roots of
 *   ServiceOptions.dataRoots ('any' in the desktop app, where the user picked the path in a
 *   native dialog; the `--data-root` folders of `pretext serve`; none by default);
 * - writing (`out` of export.encoder, export.embeddings, report.create): only inside an
 *   exports folder of the workspace (exports/, or runs/<id>/exports/); a relative `out` is a
 *   path under the workspace's exports/ folder.
 * Symbolic links and '..' are resolved before the check.
 */
import { existsSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { PretextError } from '../core/errors';

/** Where a request may read server-side paths: anywhere, or under these folders. */
export type DataRoots = 'any' | readonly string[];

/** The workspace folder that outputs of API requests go to when `out` is relative. */
export const EXPORTS_DIR = 'exports';

/** Whether `path` is `root` or lies below it (both absolute and resolved). */
export function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel) && rel.split(sep)[0] !== '..');
}

/**
 * The real path of `path` (symlinks and '..' resolved) even when it does not exist yet: the
 * real path of its nearest existing ancestor with the rest appended.
 */
export function realPath(path: string): string {
  let p = resolve(path);
  const rest: string[] = [];
  for (;;) {
    try {
      return join(realpathSync(p), ...rest.reverse());
    } catch {
      const up = dirname(p);
      if (up === p) return join(p, ...rest.reverse());
      rest.push(basename(p));
      p = up;
    }
  }
}

/** A file or folder inside `workspaceDir` (symlinks resolved), as its real path, or null. */
export function insideWorkspace(workspaceDir: string, path: string): string | null {
  try {
    const root = realpathSync(workspaceDir);
    const file = realpathSync(resolve(workspaceDir, path));
    return file.startsWith(root + sep) ? file : null;
  } catch {
    return null;
  }
}

/** The upload or staging folder (tmp/<pid>-upload-… or -stage-…) a path lies in, if any. */
export function stagedFolder(tmpDir: string, path: string): string | null {
  const rel = relative(resolve(tmpDir), resolve(path));
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return null;
  const top = rel.split(sep)[0]!;
  return /^\d+-(upload|stage)-[0-9a-f]+$/.test(top) ? join(tmpDir, top) : null;
}

/**
 * Checks that a request may read the server-side `path` (field names the request field), and
 * returns the path to open (absolute, without '..'). Refuses a path outside the uploads and
 * the data roots, naming it and how to allow it.
 */
export function checkReadable(path: string, field: string, o: { tmpDir: string; dataRoots: DataRoots | undefined }): string {
  if (typeof path !== 'string' || path === '') throw new PretextError(`${field}: a path is required`, { field });
  if (path.includes('\0')) throw new PretextError(`${field}: the path contains a NUL character`, { field });
  const roots = o.dataRoots ?? [];
  if (roots === 'any') return path;
  // '..' removed first, so that what is opened is what was checked (the OS would resolve a
  // '..' after a symlink physically: root/link/../x is beside the link's target).
  const wanted = resolve(path);
  const real = realPath(wanted);
  if (existsSync(o.tmpDir) && stagedFolder(realpathSync(o.tmpDir), real)) return wanted;
  if (roots.some((r) => isInside(realPath(r), real))) return wanted;
  const how =
    roots.length === 0
      ? 'this server reads no folders of its machine: upload the files instead, or start pretext serve with --data-root DIR'
      : `this server reads only under its data roots (${roots.join(', ')}): upload the files instead, or add the folder with pretext serve --data-root DIR`;
  throw new PretextError(`${field} ${path}: not allowed: ${how}`, { field });
}

/**
 * Where an API request's `out` goes: undefined (the default, under the run's exports folder)
 * stays undefined; a relative path is under the workspace's exports/ folder; the result must
 * lie inside an exports folder of the workspace (exports/ or runs/<id>/exports/), else the
 * request is refused. Returns the absolute path to write.
 */
export function checkOutput(out: unknown, workspaceDir: string): string | undefined {
  if (out === undefined || out === null || out === '') return undefined;
  if (typeof out !== 'string') throw new PretextError('out: must be a path (a string)', { field: 'out' });
  if (out.includes('\0')) throw new PretextError('out: the path contains a NUL character', { field: 'out' });
  const ws = realPath(workspaceDir);
  const wanted = isAbsolute(out) ? resolve(out) : resolve(workspaceDir, EXPORTS_DIR, out);
  const real = realPath(wanted);
  const rel = relative(ws, real).split(sep);
  // The exports folder itself only as an existing folder (the export takes its default name there).
  const folder = (n: number) => rel.length > n || statSync(real, { throwIfNoEntry: false })?.isDirectory() === true;
  // runs/<id>/exports/ of a run folder that exists.
  const runExports = rel[0] === 'runs' && rel.length >= 3 && rel[2] === EXPORTS_DIR && statSync(join(ws, 'runs', rel[1]!), { throwIfNoEntry: false })?.isDirectory() === true;
  const ok = !isAbsolute(relative(ws, real)) && ((rel[0] === EXPORTS_DIR && folder(1)) || (runExports && folder(3)));
  if (!ok) {
    throw new PretextError(
      `out ${out}: not allowed: over the API an output goes inside the workspace's ${EXPORTS_DIR}/ folder (a relative out is placed there); download it from there, or use the pretext CLI to write elsewhere`,
      { field: 'out' },
    );
  }
  return wanted;
}
