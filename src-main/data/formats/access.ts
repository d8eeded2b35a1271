import { readdir, readFile } from 'node:fs/promises';
import { posix } from 'node:path';

/** Where a multi-file source (CIFAR batches, IDX pairs) reads its files: the disk or an archive in memory. */
export interface FileAccess {
  /** Names in a folder; [] when it does not exist. */
  list(dir: string): Promise<string[]>;
  /** A file's bytes; rejects with code ENOENT when it does not exist. */
  read(path: string): Promise<Buffer>;
}

export const diskAccess: FileAccess = {
  list: (dir) => readdir(dir).catch(() => [] as string[]),
  read: (path) => readFile(path),
};

/** Files of an archive held in memory, addressed by their member paths ('/'-separated). */
export function memoryAccess(files: Map<string, Buffer>): FileAccess {
  const norm = (p: string) => posix.normalize(p.replace(/\\/g, '/')).replace(/^\.\/?/, '').replace(/\/$/, '');
  return {
    list: async (dir) => {
      const d = norm(dir);
      return [...files.keys()].filter((k) => posix.dirname(k) === (d === '' ? '.' : d)).map((k) => posix.basename(k));
    },
    read: async (path) => {
      const data = files.get(norm(path));
      if (!data) throw Object.assign(new Error(`${path}: not in the archive`), { code: 'ENOENT' });
      return data;
    },
  };
}
