import type { Dirent } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fsReason, readImageFile } from './files';
import { inferLayout } from './layout';
import { decodeName, escapeName, isIgnoredName, isImageName } from './names';
import type { EncodedEntry, ImportFailure, Source } from '../types';

const MAX_DEPTH = 32;

interface Found {
  segments: string[];
  abs: string;
}

/** Lists image files below `root`, following symlinks but not into loops. */
async function walk(root: string, failures: ImportFailure[]): Promise<Found[]> {
  const found: Found[] = [];
  const rootReal = await realpath(root);
  const visit = async (dir: string, segs: string[], ancestors: string[]): Promise<void> => {
    let dirents: Dirent<Buffer>[];
    try {
      dirents = await readdir(dir, { withFileTypes: true, encoding: 'buffer' });
    } catch (err) {
      failures.push({ file: segs.join('/') || '.', reason: `cannot list folder: ${fsReason(err)}` });
      return;
    }
    for (const d of dirents) {
      const name = decodeName(d.name);
      if (name === undefined) {
        failures.push({ file: [...segs, escapeName(d.name)].join('/'), reason: 'file name is not valid UTF-8; rename it' });
        continue;
      }
      if (isIgnoredName(name)) continue;
      const abs = join(dir, name);
      const rel = [...segs, name];
      let isDir = d.isDirectory();
      let isFile = d.isFile();
      if (d.isSymbolicLink()) {
        try {
          const st = await stat(abs);
          isDir = st.isDirectory();
          isFile = st.isFile();
        } catch (err) {
          if (isImageName(name) || (err as NodeJS.ErrnoException).code === 'ELOOP') {
            failures.push({ file: rel.join('/'), reason: fsReason(err) });
          }
          continue;
        }
      }
      if (isDir) {
        if (isImageName(name)) {
          failures.push({ file: rel.join('/'), reason: 'is a directory, not an image file' });
          continue;
        }
        const real = await realpath(abs).catch(() => abs);
        if (ancestors.includes(real)) {
          failures.push({ file: rel.join('/'), reason: `symlink loop: leads back to its own ancestor folder` });
          continue;
        }
        if (rel.length > MAX_DEPTH) {
          failures.push({ file: rel.join('/'), reason: `folders nested deeper than ${MAX_DEPTH} levels` });
          continue;
        }
        await visit(abs, rel, [...ancestors, real]);
      } else if (isImageName(name)) {
        if (isFile) found.push({ segments: rel, abs });
        else failures.push({ file: rel.join('/'), reason: 'not a regular file (a FIFO, socket or device)' });
      }
    }
  };
  await visit(root, [], [rootReal]);
  const key = (f: Found) => f.segments.join('/');
  return found.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** A folder of images: ImageFolder layout (optionally under train/ and test/) or flat. */
export async function readFolder(root: string): Promise<Source> {
  const failures: ImportFailure[] = [];
  const found = await walk(root, failures);
  const layout = inferLayout(found.map((f) => f.segments));
  const entries: EncodedEntry[] = [];
  found.forEach((f, i) => {
    const p = layout.placements[i]!;
    const file = f.segments.join('/');
    if ('reason' in p) failures.push({ file, reason: p.reason });
    else entries.push({ kind: 'encoded', file, className: p.className, split: p.split, path: f.abs, read: () => readImageFile(f.abs) });
  });
  return { kind: 'folder', path: root, entries, failures, meta: { layout: layout.kind } };
}
