import { closeSync, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { open } from 'node:fs/promises';

/** A single image file above this is refused unread (no photo is this large). */
export const MAX_FILE_BYTES = 256 * 1024 * 1024;

const FS_REASONS = new Map([
  ['EACCES', 'permission denied (unreadable file)'],
  ['EPERM', 'permission denied (unreadable file)'],
  ['ENOENT', 'no such file (deleted, or a broken symlink)'],
  ['ELOOP', 'symlink loop (too many levels of symbolic links)'],
  ['EISDIR', 'is a directory, not an image file'],
  ['EIO', 'I/O error reading the file'],
]);

/** Short reason for a failed file-system call: the errno code explained. */
export function fsReason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  const known = e.code === undefined ? undefined : FS_REASONS.get(e.code);
  if (known) return known;
  return e.code ? `${e.code}: ${e.message}` : String(e.message ?? e);
}

/** Refuses what is not one image file: a directory, a non-regular file, a file over the cap. */
function checkImageStat(st: Stats, maxBytes: number): void {
  if (st.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
  if (!st.isFile()) throw new Error('not a regular file');
  if (st.size > maxBytes) throw new Error(`file is ${st.size} bytes, over the ${maxBytes}-byte limit for one image`);
}

/** Reads a whole regular file, refusing non-regular files and files over the size cap. */
export async function readImageFile(path: string, maxBytes = MAX_FILE_BYTES): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const st = await fh.stat();
    checkImageStat(st, maxBytes);
    // Read the size fstat gave (readFile would fstat again).
    const buf = Buffer.allocUnsafeSlow(st.size);
    let off = 0;
    while (off < st.size) {
      const { bytesRead } = await fh.read(buf, off, st.size - off, off);
      if (bytesRead === 0) break;
      off += bytesRead;
    }
    return off === st.size ? buf : buf.subarray(0, off);
  } finally {
    await fh.close();
  }
}

/** The synchronous twin of readImageFile, for worker threads (where blocking is free). */
export function readImageFileSync(path: string, maxBytes = MAX_FILE_BYTES): Buffer {
  const fd = openSync(path, 'r');
  try {
    const st = fstatSync(fd);
    checkImageStat(st, maxBytes);
    const buf = Buffer.allocUnsafe(st.size);
    let off = 0;
    while (off < st.size) {
      const n = readSync(fd, buf, off, st.size - off, off);
      if (n === 0) break;
      off += n;
    }
    return off === st.size ? buf : buf.subarray(0, off);
  } finally {
    closeSync(fd);
  }
}
