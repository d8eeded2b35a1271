/**
 * Output files of exports and reports: written to a temp name beside the target and renamed, so
 * a cancelled or failed export never leaves a half-written file under the user's name; a path
 * that cannot be written is a PretextError naming it and the reason.
 */
import { closeSync, mkdirSync, openSync, renameSync, rmSync, statSync, writeSync, type Stats } from 'node:fs';
import { dirname } from 'node:path';
import { PretextError } from '../../core/errors';

function reason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  switch (e.code) {
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOTDIR':
    case 'EEXIST': // mkdir of a parent that exists as a file
      return 'a parent of it is a file, not a folder';
    case 'EISDIR':
      return 'it is a folder';
    case 'EROFS':
      return 'the file system is read-only';
    case 'ENOSPC':
      return 'no space left on the device';
    default:
      return e.message ?? String(err);
  }
}

/** stat, or undefined when nothing can be there (missing, or a parent is a file). */
export function statOrNone(path: string): Stats | undefined {
  try {
    return statSync(path, { throwIfNoEntry: false });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    throw err;
  }
}

/** Creates a folder (and its parents) for output; PretextError when that is impossible. */
export function ensureDir(dir: string, what: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw new PretextError(`cannot write ${what} to ${dir}: ${reason(err)}`);
  }
}

/** A file being written: append chunks, then commit (rename into place) or abort (delete). */
export class OutputFile {
  private fd: number;
  private readonly tmp: string;
  bytes = 0;

  constructor(readonly path: string, private readonly what: string) {
    try {
      if (statOrNone(path)?.isDirectory()) throw Object.assign(new Error('is a folder'), { code: 'EISDIR' });
      mkdirSync(dirname(path), { recursive: true });
      this.tmp = `${path}.tmp-${process.pid}`;
      this.fd = openSync(this.tmp, 'w');
    } catch (err) {
      throw new PretextError(`cannot write ${what} to ${path}: ${reason(err)}`);
    }
  }

  write(chunk: Uint8Array | string): void {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    try {
      let off = 0;
      while (off < buf.length) off += writeSync(this.fd, buf, off, buf.length - off);
    } catch (err) {
      this.abort();
      throw new PretextError(`cannot write ${this.what} to ${this.path}: ${reason(err)}`);
    }
    this.bytes += buf.length;
  }

  commit(): { path: string; bytes: number } {
    closeSync(this.fd);
    this.fd = -1;
    renameSync(this.tmp, this.path);
    return { path: this.path, bytes: this.bytes };
  }

  abort(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
    rmSync(this.tmp, { force: true });
  }
}

/** Writes a whole file atomically. */
export function writeOutput(path: string, what: string, data: Uint8Array | string): { path: string; bytes: number } {
  const f = new OutputFile(path, what);
  f.write(data);
  return f.commit();
}
