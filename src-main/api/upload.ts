/**
 * The upload wire format of `pretext serve` (POST /api/upload), shared by the browser client
 * and the server: a 4-byte big-endian length, that many bytes of JSON manifest
 * `{ files: [{ path, size }] }` (paths relative, '/'-separated), then the files' bytes in
 * manifest order. One streamed request carries a zip or a whole dropped folder; the browser
 * composes it as a Blob without reading the files into memory.
 */
export interface UploadManifest {
  files: { path: string; size: number }[];
}

export const UPLOAD_HEADER_LIMIT = 16 * 1024 * 1024;

export function encodeUploadHeader(manifest: UploadManifest): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(manifest));
  const out = new Uint8Array(4 + json.length);
  new DataView(out.buffer).setUint32(0, json.length, false);
  out.set(json, 4);
  return out;
}

/**
 * A relative upload path made safe, or an error naming it: no absolute paths, drive letters,
 * backslashes, NUL, empty, '.' or '..' segments. Returns the '/'-joined segments.
 */
export function sanitizeUploadPath(path: string): string {
  if (typeof path !== 'string' || path.length === 0) throw new Error('an empty file path');
  if (path.length > 1024) throw new Error(`${path.slice(0, 64)}…: path longer than 1024 characters`);
  if (path.includes('\0')) throw new Error(`${JSON.stringify(path)}: contains a NUL character`);
  if (path.includes('\\')) throw new Error(`${path}: backslashes are not allowed (use '/')`);
  if (path.startsWith('/')) throw new Error(`${path}: absolute paths are not allowed`);
  if (/^[a-zA-Z]:/.test(path)) throw new Error(`${path}: drive letters are not allowed`);
  const parts = path.split('/');
  for (const p of parts) {
    if (p === '' || p === '.' || p === '..') throw new Error(`${path}: '${p}' segments are not allowed`);
  }
  return parts.join('/');
}
