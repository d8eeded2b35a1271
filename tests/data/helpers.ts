import { rmSync } from 'node:fs';
import { crc32, deflateRawSync, deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { silentProgress } from '../../src-main/core/progress';
import { Workspace } from '../../src-main/store/workspace';
import { makeTempDir } from '../helpers/tmp';

/** A temp folder under os.tmpdir(); remove it with removeDir. */
export function tempDir(prefix = 'pretext-test-'): string {
  return makeTempDir(prefix).dir;
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export function tempWorkspace(): { ws: Workspace; dir: string; cleanup(): void } {
  const tmp = makeTempDir('pretext-ws-');
  const ws = Workspace.open(tmp.dir);
  return {
    ws,
    dir: tmp.dir,
    cleanup: () => {
      ws.close();
      tmp.cleanup();
    },
  };
}

export const quiet = silentProgress;

export type Rgb = [number, number, number];

/** A solid-colour image encoded in the given format. */
export async function solid(
  format: 'png' | 'jpeg' | 'webp' | 'gif' | 'tiff' | 'avif',
  rgb: Rgb,
  width = 40,
  height = 30,
): Promise<Buffer> {
  const img = sharp({ create: { width, height, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } });
  return img.toFormat(format).toBuffer();
}

export interface ZipEntrySpec {
  /** Entry name as bytes or text (text is written as UTF-8). */
  name: string | Buffer;
  data: Buffer;
  /** Deflate (default) or store. */
  method?: 'deflate' | 'store';
  /** Overrides the uncompressed size written in the headers (to make them lie). */
  declaredSize?: number;
  /** Sets general-purpose bit 11 (names are UTF-8). */
  utf8Flag?: boolean;
}

/** Writes a zip archive by hand: local headers, data, central directory, end record. */
export function buildZip(specs: ZipEntrySpec[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const s of specs) {
    const name = typeof s.name === 'string' ? Buffer.from(s.name, 'utf8') : s.name;
    const method = s.method === 'store' ? 0 : 8;
    const body = method === 8 ? deflateRawSync(s.data) : s.data;
    const crc = crc32(s.data);
    const usize = s.declaredSize ?? s.data.length;
    const flags = s.utf8Flag ? 0x800 : 0;
    const lh = Buffer.alloc(30);
    lh.writeUInt32LE(0x04034b50, 0);
    lh.writeUInt16LE(20, 4);
    lh.writeUInt16LE(flags, 6);
    lh.writeUInt16LE(method, 8);
    lh.writeUInt16LE(0, 10);
    lh.writeUInt16LE(0x21, 12);
    lh.writeUInt32LE(crc, 14);
    lh.writeUInt32LE(body.length, 18);
    lh.writeUInt32LE(usize, 22);
    lh.writeUInt16LE(name.length, 26);
    lh.writeUInt16LE(0, 28);
    const ch = Buffer.alloc(46);
    ch.writeUInt32LE(0x02014b50, 0);
    ch.writeUInt16LE(20, 4);
    ch.writeUInt16LE(20, 6);
    ch.writeUInt16LE(flags, 8);
    ch.writeUInt16LE(method, 10);
    ch.writeUInt16LE(0, 12);
    ch.writeUInt16LE(0x21, 14);
    ch.writeUInt32LE(crc, 16);
    ch.writeUInt32LE(body.length, 20);
    ch.writeUInt32LE(usize, 24);
    ch.writeUInt16LE(name.length, 28);
    ch.writeUInt32LE(offset, 42);
    locals.push(lh, name, body);
    centrals.push(ch, name);
    offset += lh.length + name.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(specs.length, 8);
  end.writeUInt16LE(specs.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

function pngChunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

/**
 * A PNG whose header claims width × height pixels but whose data is a few bytes: the shape
 * of a decompression bomb, refused from the header before any inflation.
 */
export function bombPng(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // truecolour
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(Buffer.alloc(64))),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

export interface TarMemberSpec {
  name: string | Buffer;
  data?: Buffer;
  /** '0' file (default), '5' directory, '2' symlink, 'L' GNU long name, 'x' pax header. */
  type?: string;
  linkTarget?: string;
}

/** Writes a POSIX ustar archive by hand: 512-byte headers with checksums, padded data, two zero blocks. */
export function buildTar(members: TarMemberSpec[]): Buffer {
  const blocks: Buffer[] = [];
  for (const m of members) {
    const data = m.data ?? Buffer.alloc(0);
    const h = Buffer.alloc(512);
    const name = typeof m.name === 'string' ? Buffer.from(m.name, 'utf8') : m.name;
    name.copy(h, 0, 0, Math.min(100, name.length));
    h.write('0000644\0', 100, 'latin1');
    h.write('0000000\0', 108, 'latin1');
    h.write('0000000\0', 116, 'latin1');
    h.write(`${data.length.toString(8).padStart(11, '0')}\0`, 124, 'latin1');
    h.write('00000000000\0', 136, 'latin1');
    h.write(m.type ?? '0', 156, 'latin1');
    if (m.linkTarget) h.write(m.linkTarget, 157, 'utf8');
    h.write('ustar\0', 257, 'latin1');
    h.write('00', 263, 'latin1');
    h.fill(0x20, 148, 156);
    let sum = 0;
    for (const b of h) sum += b;
    h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
    blocks.push(h, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}
