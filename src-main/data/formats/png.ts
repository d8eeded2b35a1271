import { crc32, inflateSync } from 'node:zlib';
import { DecodeError } from './decodeError';

/**
 * A small PNG decoder for the common case of dataset images: 8-bit gray, gray+alpha, RGB or
 * RGBA, not interlaced, no embedded colour profile or EXIF. It skips libvips' per-image set-up,
 * which dominates for thumbnails. Anything else returns undefined and goes to sharp.
 * Chunks are CRC-checked, IEND is required and inflation is capped at the exact image size,
 * so truncated, corrupt and bomb files fail as they do with libpng.
 */

const SIG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 4: 2, 6: 4 };

export interface RgbImage {
  width: number;
  height: number;
  /** uint8 RGB, HWC. */
  data: Uint8Array;
}

function corrupt(why: string): DecodeError {
  return new DecodeError(`truncated or corrupt png data (${why})`);
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/** Decodes `input` to RGB when it is a PNG of the simple kind; undefined otherwise. */
export function decodeSimplePng(input: Buffer, maxPixels: number): RgbImage | undefined {
  if (input.length < 33 || SIG.some((b, i) => input[i] !== b)) return undefined;
  let pos = 8;
  let width = 0;
  let height = 0;
  let ch = 0;
  const idat: Buffer[] = [];
  let ended = false;
  while (pos < input.length) {
    if (pos + 12 > input.length) throw corrupt('chunk header cut short');
    const len = input.readUInt32BE(pos);
    const type = input.toString('latin1', pos + 4, pos + 8);
    if (pos + 12 + len > input.length) throw corrupt(`${type} chunk cut short`);
    const body = input.subarray(pos + 8, pos + 8 + len);
    if (crc32(input.subarray(pos + 4, pos + 8 + len)) !== input.readUInt32BE(pos + 8 + len)) throw corrupt(`bad CRC in ${type}`);
    pos += 12 + len;
    if (type === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      const depth = body[8]!;
      const colour = body[9]!;
      const interlace = body[12]!;
      if (depth !== 8 || interlace !== 0 || CHANNELS[colour] === undefined) return undefined;
      ch = CHANNELS[colour]!;
      if (width === 0 || height === 0) throw corrupt('zero width or height');
      if (width * height > maxPixels) {
        throw new DecodeError('image is over the pixel limit (width × height); refused as a possible decompression bomb');
      }
    } else if (type === 'IDAT') idat.push(body);
    else if (type === 'iCCP' || type === 'eXIf' || type === 'PLTE' || type === 'cICP') return undefined;
    else if (type === 'IEND') {
      ended = true;
      break;
    }
  }
  if (ch === 0) throw corrupt('no IHDR');
  if (!ended) throw corrupt('no IEND: the file is truncated');
  const stride = width * ch;
  const expected = height * (stride + 1);
  let raw: Buffer;
  try {
    raw = inflateSync(Buffer.concat(idat), { maxOutputLength: expected });
  } catch (err) {
    throw corrupt((err as Error).message);
  }
  if (raw.length !== expected) throw corrupt(`image data is ${raw.length} bytes, expected ${expected}`);
  const pix = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const src = y * (stride + 1) + 1;
    const row = y * stride;
    const prev = row - stride;
    const up = y > 0;
    switch (filter) {
      case 0:
        for (let i = 0; i < stride; i++) pix[row + i] = raw[src + i]!;
        break;
      case 1:
        for (let i = 0; i < stride; i++) pix[row + i] = (raw[src + i]! + (i >= ch ? pix[row + i - ch]! : 0)) & 255;
        break;
      case 2:
        for (let i = 0; i < stride; i++) pix[row + i] = (raw[src + i]! + (up ? pix[prev + i]! : 0)) & 255;
        break;
      case 3:
        for (let i = 0; i < stride; i++) {
          const a = i >= ch ? pix[row + i - ch]! : 0;
          const b = up ? pix[prev + i]! : 0;
          pix[row + i] = (raw[src + i]! + ((a + b) >> 1)) & 255;
        }
        break;
      case 4:
        for (let i = 0; i < stride; i++) {
          const a = i >= ch ? pix[row + i - ch]! : 0;
          const b = up ? pix[prev + i]! : 0;
          const c = up && i >= ch ? pix[prev + i - ch]! : 0;
          pix[row + i] = (raw[src + i]! + paeth(a, b, c)) & 255;
        }
        break;
      default:
        throw corrupt(`unknown filter type ${filter} on row ${y}`);
    }
  }
  if (ch === 3) return { width, height, data: pix };
  const rgb = new Uint8Array(width * height * 3);
  for (let p = 0, s = 0; p < rgb.length; p += 3, s += ch) {
    const g = pix[s]!;
    if (ch <= 2) rgb[p] = rgb[p + 1] = rgb[p + 2] = g;
    else {
      rgb[p] = g;
      rgb[p + 1] = pix[s + 1]!;
      rgb[p + 2] = pix[s + 2]!;
    }
  }
  return { width, height, data: rgb };
}
