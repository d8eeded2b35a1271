/**
 * POST /api/upload: dropped files (a zip, or a folder's files with their relative paths)
 * streamed into a fresh folder under the workspace's tmp. The body is the format of
 * src-main/api/upload.ts. Paths are sanitised (no '..', absolute paths, backslashes); the
 * folder is new and only this code creates entries in it, so nothing can be a symlink out;
 * every file is opened with O_EXCL and checked to resolve inside the folder. Sizes are capped.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { dirname, join, resolve, sep } from 'node:path';
import { sanitizeUploadPath, UPLOAD_HEADER_LIMIT, type UploadManifest } from '../api/upload';

export interface UploadLimits {
  /** Total bytes of all files (default 8 GiB). */
  maxBytes: number;
  /** Number of files (default 200,000). */
  maxFiles: number;
}

export const DEFAULT_UPLOAD_LIMITS: UploadLimits = { maxBytes: 8 * 1024 ** 3, maxFiles: 200_000 };

export class UploadError extends Error {
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = 'UploadError';
  }
}

function parseManifest(json: Buffer, limits: UploadLimits): UploadManifest {
  let m: UploadManifest;
  try {
    m = JSON.parse(json.toString('utf8')) as UploadManifest;
  } catch {
    throw new UploadError('upload: the manifest is not JSON');
  }
  if (!m || !Array.isArray(m.files) || m.files.length === 0) throw new UploadError('upload: the manifest lists no files');
  if (m.files.length > limits.maxFiles) throw new UploadError(`upload: ${m.files.length} files, more than the limit of ${limits.maxFiles}`, 413);
  let total = 0;
  const seen = new Set<string>();
  const files = m.files.map((f) => {
    if (!f || typeof f.path !== 'string' || !Number.isSafeInteger(f.size) || f.size < 0) throw new UploadError(`upload: bad manifest entry ${JSON.stringify(f).slice(0, 100)}`);
    let path: string;
    try {
      path = sanitizeUploadPath(f.path);
    } catch (err) {
      throw new UploadError(`upload: ${(err as Error).message}`);
    }
    if (seen.has(path)) throw new UploadError(`upload: ${path} is listed twice`);
    seen.add(path);
    total += f.size;
    return { path, size: f.size };
  });
  if (total > limits.maxBytes) throw new UploadError(`upload: ${total} bytes, more than the limit of ${limits.maxBytes}`, 413);
  return { files };
}

/** The path the client imports: the file itself for one file (a zip), the one top folder of a dropped folder, else the upload folder. */
function importPath(root: string, files: UploadManifest['files']): string {
  if (files.length === 1) return join(root, files[0]!.path);
  const tops = new Set(files.map((f) => f.path.split('/')[0]!));
  if (tops.size === 1 && files.every((f) => f.path.includes('/'))) return join(root, [...tops][0]!);
  return root;
}

/** Receives one upload into `${tmpDir}/${pid}-upload-…`; returns the path to import. */
export async function receiveUpload(req: IncomingMessage, tmpDir: string, limits: UploadLimits = DEFAULT_UPLOAD_LIMITS): Promise<{ path: string; files: number; bytes: number }> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > limits.maxBytes + UPLOAD_HEADER_LIMIT + 4) {
    throw new UploadError(`upload: ${declared} bytes, more than the limit of ${limits.maxBytes}`, 413);
  }
  const root = join(tmpDir, `${process.pid}-upload-${randomBytes(4).toString('hex')}`);
  mkdirSync(root, { recursive: true });
  const rootPrefix = resolve(root) + sep;
  let buf = Buffer.alloc(0);
  let headerLen = -1;
  let manifest: UploadManifest | null = null;
  let index = 0;
  let left = 0;
  let fh: FileHandle | null = null;
  let bytes = 0;

  const openNext = async () => {
    // Zero-byte files are created at once.
    while (manifest && index < manifest.files.length) {
      const f = manifest.files[index]!;
      const target = resolve(root, ...f.path.split('/'));
      if (!target.startsWith(rootPrefix)) throw new UploadError(`upload: ${f.path} resolves outside the upload folder`);
      mkdirSync(dirname(target), { recursive: true });
      fh = await open(target, 'wx');
      left = f.size;
      if (left > 0) return;
      await fh.close();
      fh = null;
      index++;
    }
  };

  try {
    for await (const chunk of req as AsyncIterable<Buffer>) {
      let data: Buffer = chunk;
      if (!manifest) {
        buf = Buffer.concat([buf, data]);
        if (headerLen < 0 && buf.length >= 4) {
          headerLen = buf.readUInt32BE(0);
          if (headerLen === 0 || headerLen > UPLOAD_HEADER_LIMIT) throw new UploadError(`upload: manifest of ${headerLen} bytes (limit ${UPLOAD_HEADER_LIMIT})`);
        }
        if (headerLen < 0 || buf.length < 4 + headerLen) continue;
        manifest = parseManifest(buf.subarray(4, 4 + headerLen), limits);
        data = buf.subarray(4 + headerLen);
        buf = Buffer.alloc(0);
        await openNext();
      }
      while (data.length > 0) {
        if (!fh || !manifest || index >= manifest.files.length) throw new UploadError('upload: more bytes than the manifest lists');
        const n = Math.min(left, data.length);
        await (fh as FileHandle).write(data.subarray(0, n));
        data = data.subarray(n);
        left -= n;
        bytes += n;
        if (left === 0) {
          await (fh as FileHandle).close();
          fh = null;
          index++;
          await openNext();
        }
      }
    }
    if (!manifest) throw new UploadError('upload: the body ends before its manifest');
    if (index < manifest.files.length) throw new UploadError(`upload: the body ends inside ${manifest.files[index]!.path}`);
    return { path: importPath(root, manifest.files), files: manifest.files.length, bytes };
  } catch (err) {
    if (fh) await (fh as FileHandle).close().catch(() => {});
    rmSync(root, { recursive: true, force: true });
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new UploadError('upload: a path is listed twice');
    throw err;
  }
}
