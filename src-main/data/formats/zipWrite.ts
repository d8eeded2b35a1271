/**
 * A folder as one zip archive: a browser download of an export that is a folder (the tfjs
 * encoder: model.json, weights.bin, pretext.json; server/server.ts), and the "Run on a
 * cluster…" recipe zip (tasks/recipe/zip.ts). Plain zip (no zip64): regular files only,
 * symlinks and special files are left out; names relative to the folder with '/', UTF-8
 * flagged; each entry deflated, or stored when deflate does not make it smaller.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { crc32, deflateRaw } from 'node:zlib';
import { throwIfAborted } from '../../core/errors';

const deflate = promisify(deflateRaw);
const MAX_ENTRIES = 0xffff;
const MAX_BYTES = 0xffffffff;
const UTF8_FLAG = 0x0800;

/** Regular files under dir, relative paths with '/', sorted so an archive is reproducible. */
export function filesUnder(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  const entries = readdirSync(join(dir, prefix), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...filesUnder(dir, rel));
    else if (e.isFile()) out.push(rel);
  }
  return out;
}

/** MS-DOS date and time fields of a local time (2-second resolution, 1980 at the earliest). */
function dosDateTime(d: Date): { date: number; time: number } {
  const year = Math.max(1980, d.getFullYear());
  return {
    date: ((year - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate(),
    time: (d.getHours() << 11) | (d.getMinutes() << 5) | Math.floor(d.getSeconds() / 2),
  };
}

/** Why a folder is not zipped (too many files, too large): the server answers 413 with it. */
export class ZipLimitError extends Error {}

/** Largest folder zipped for a download by default: the archive is built in memory. */
export const DEFAULT_ZIP_MAX_BYTES = 2 * 1024 ** 3;

/**
 * The zip archive of every regular file under `dir`, built in memory. Throws ZipLimitError
 * naming the folder when its files add up to more than maxBytes or do not fit a plain zip;
 * CancelledError when `signal` is aborted (checked before each file).
 */
export async function zipDirectory(dir: string, maxBytes = DEFAULT_ZIP_MAX_BYTES, signal?: AbortSignal): Promise<Buffer> {
  const names = filesUnder(dir);
  if (names.length > MAX_ENTRIES) throw new ZipLimitError(`${dir}: ${names.length} files are too many for a zip download (at most ${MAX_ENTRIES})`);
  const total = names.reduce((s, n) => s + statSync(join(dir, n)).size, 0);
  if (total > Math.min(maxBytes, MAX_BYTES)) {
    throw new ZipLimitError(`${dir}: its files add up to ${total} bytes, more than the ${Math.min(maxBytes, MAX_BYTES)} a zip download takes`);
  }
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const name of names) {
    throwIfAborted(signal);
    const path = join(dir, name);
    const data = readFileSync(path);
    const packed = await deflate(data);
    const stored = packed.length >= data.length;
    const body = stored ? data : packed;
    const crc = crc32(data);
    const { date, time } = dosDateTime(statSync(path).mtime);
    const nameBytes = Buffer.from(name, 'utf8');
    if (offset + 30 + nameBytes.length + body.length > MAX_BYTES) throw new ZipLimitError(`${dir}: larger than 4 GiB, too large for a zip download`);

    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed: 2.0 (deflate)
    local.writeUInt16LE(UTF8_FLAG, 6);
    local.writeUInt16LE(stored ? 0 : 8, 8);
    local.writeUInt16LE(time, 10);
    local.writeUInt16LE(date, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    local.writeUInt16LE(0, 28);

    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(20, 4); // made by: 2.0
    entry.writeUInt16LE(20, 6);
    entry.writeUInt16LE(UTF8_FLAG, 8);
    entry.writeUInt16LE(stored ? 0 : 8, 10);
    entry.writeUInt16LE(time, 12);
    entry.writeUInt16LE(date, 14);
    entry.writeUInt32LE(crc, 16);
    entry.writeUInt32LE(body.length, 20);
    entry.writeUInt32LE(data.length, 24);
    entry.writeUInt16LE(nameBytes.length, 28);
    // extra, comment, disk number, internal and external attributes: 0
    entry.writeUInt32LE(offset, 42);

    parts.push(local, nameBytes, body);
    central.push(entry, nameBytes);
    offset += local.length + nameBytes.length + body.length;
  }
  const cdSize = central.reduce((s, b) => s + b.length, 0);
  if (offset + cdSize + 22 > MAX_BYTES) throw new ZipLimitError(`${dir}: larger than 4 GiB, too large for a zip download`);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(names.length, 8);
  end.writeUInt16LE(names.length, 10);
  end.writeUInt32LE(cdSize, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, ...central, end]);
}
