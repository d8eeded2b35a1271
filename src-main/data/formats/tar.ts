import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { memoryAccess } from './access';
import { archiveEntries, imageSegments, unsafeArchivePath } from './archive';
import { findCifarFiles, readCifar } from './cifar';
import { IDX_IMAGES, readIdxSource } from './idx';
import { decodeName, escapeName } from './names';
import type { ImportFailure, Source, SourceKind } from '../types';

const gunzipAsync = promisify(gunzip);

/** A tar (or .tar.gz) is read whole into memory; above this it should be extracted and imported as a folder. */
export const MAX_TAR_BYTES = 2 * 1024 ** 3;

function octal(field: Buffer): number {
  // GNU base-256 for sizes of 8 GiB and more: high bit of the first byte set.
  if (field[0]! & 0x80) {
    let n = 0;
    for (let i = 1; i < field.length; i++) n = n * 256 + field[i]!;
    return n;
  }
  const text = field.toString('latin1').replace(/\0.*$/s, '').trim();
  return text === '' ? 0 : Number.parseInt(text, 8);
}

function cString(field: Buffer): Buffer {
  const end = field.indexOf(0);
  return end < 0 ? field : field.subarray(0, end);
}

function paxPath(data: Buffer): Buffer | undefined {
  // Records are "LEN key=value\n".
  let pos = 0;
  while (pos < data.length) {
    const space = data.indexOf(0x20, pos);
    if (space < 0) break;
    const len = Number.parseInt(data.toString('latin1', pos, space), 10);
    if (!Number.isInteger(len) || len <= 0) break;
    const record = data.subarray(space + 1, pos + len - 1);
    const eq = record.indexOf(0x3d);
    if (eq > 0 && record.toString('latin1', 0, eq) === 'path') return Buffer.from(record.subarray(eq + 1));
    pos += len;
  }
  return undefined;
}

/**
 * The regular files of a tar archive (ustar, GNU long names, pax paths), by name. Unsafe
 * names (zip-slip), names that are not UTF-8 and links are reported, never followed.
 */
export function parseTar(tar: Buffer, failures: ImportFailure[]): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  let pos = 0;
  let longName: Buffer | undefined;
  while (pos + 512 <= tar.length) {
    const h = tar.subarray(pos, pos + 512);
    if (h.every((b) => b === 0)) break;
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i]!;
    if (sum !== octal(h.subarray(148, 156))) throw new Error(`bad tar header checksum at byte ${pos} (corrupt or not a tar archive)`);
    const size = octal(h.subarray(124, 136));
    const type = String.fromCharCode(h[156]!);
    const dataStart = pos + 512;
    if (dataStart + size > tar.length) throw new Error(`tar member at byte ${pos} runs past the end of the archive (truncated)`);
    const data = tar.subarray(dataStart, dataStart + size);
    pos = dataStart + Math.ceil(size / 512) * 512;
    if (type === 'L') {
      longName = Buffer.from(cString(data));
      continue;
    }
    if (type === 'x') {
      longName = paxPath(data) ?? longName;
      continue;
    }
    if (type === 'g') continue;
    // POSIX ustar keeps a name prefix at 345; old GNU headers keep times there instead.
    const prefix = h.toString('latin1', 257, 263) === 'ustar\0' ? cString(h.subarray(345, 500)) : Buffer.alloc(0);
    const rawName =
      longName ?? (prefix.length > 0 ? Buffer.concat([prefix, Buffer.from('/'), cString(h.subarray(0, 100))]) : cString(h.subarray(0, 100)));
    longName = undefined;
    const name = decodeName(rawName);
    if (name === undefined) {
      failures.push({ file: escapeName(rawName), reason: 'member name is not valid UTF-8' });
      continue;
    }
    if (type === '5') continue;
    const unsafe = unsafeArchivePath(name);
    if (unsafe) {
      failures.push({ file: name, reason: `unsafe member path (${unsafe}; zip-slip), skipped` });
      continue;
    }
    if (type === '1' || type === '2') {
      if (imageSegments(name)) failures.push({ file: name, reason: 'a link inside the archive, not followed' });
      continue;
    }
    if (type !== '0' && type !== '\0' && type !== '7') continue;
    files.set(name.replace(/^\.\//, ''), data);
  }
  return files;
}

/**
 * A .tar, .tar.gz or .tgz: the official CIFAR binary archives (cifar-10-binary.tar.gz,
 * cifar-100-binary.tar.gz), IDX files, or an image folder, read in memory.
 */
export async function readTar(path: string, maxBytes = MAX_TAR_BYTES): Promise<Source> {
  const size = (await stat(path)).size;
  if (size > maxBytes) throw new Error(`${size} bytes is over the ${maxBytes}-byte limit for an archive read in memory; extract it and import the folder`);
  let buf: Buffer = await readFile(path);
  if (buf[0] === 0x1f && buf[1] === 0x8b) {
    try {
      buf = await gunzipAsync(buf, { maxOutputLength: maxBytes });
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      throw new Error(
        e.code === 'ERR_BUFFER_TOO_LARGE'
          ? `inflates past ${maxBytes} bytes (gzip bomb, or too large to read in memory; extract it and import the folder)`
          : `corrupt or truncated gzip data (${e.message})`,
      );
    }
  }
  const failures: ImportFailure[] = [];
  const files = parseTar(buf, failures);
  const access = memoryAccess(files);
  const dirs = ['.', ...new Set([...files.keys()].filter((k) => k.includes('/')).map((k) => k.split('/')[0]!))];
  const wrap = (src: Source, kind: SourceKind): Source => ({
    ...src,
    kind,
    path,
    failures: [...failures, ...src.failures],
    meta: { ...src.meta, archive: basename(path) },
  });
  for (const d of dirs) {
    const cifar = await findCifarFiles(d, access);
    if (cifar) return wrap(await readCifar(cifar.dir, cifar.files, cifar.variant, access), 'cifar');
    if ((await access.list(d)).some((f) => IDX_IMAGES.test(f))) return wrap(await readIdxSource(d, true, access), 'idx');
  }
  const members = [...files].flatMap(([name, data]) => {
    const segments = imageSegments(name);
    return segments ? [{ segments, read: async () => data }] : [];
  });
  const { entries, layout } = archiveEntries(members, failures);
  return { kind: 'tar', path, entries, failures, meta: { layout } };
}
