import sharp, { type Metadata, type Sharp, type SharpOptions } from 'sharp';
import { DecodeError } from './decodeError';
import { fsReason } from './files';
import { decodeSimplePng } from './png';
import { coverGeometry, grayToRgb, resizeCover, rgbToGray } from './resample';

export { DecodeError } from './decodeError';

/**
 * Decoding, geometry as torchvision's Resize(size) + CenterCrop(size): EXIF orientation
 * applied, the shorter side resized to `size` with an antialiased bilinear (triangle) filter,
 * the longer side centre-cropped; alpha dropped as PIL's convert('RGB') does; uint8 HWC out,
 * sRGB, or one channel by PIL's convert('L') luma (0.299 R + 0.587 G + 0.114 B).
 *
 * Small images are decoded at full size (simple PNGs by our own decoder, the rest by sharp)
 * and resized in JS, since libvips' per-image resize set-up costs more than the arithmetic;
 * large ones are resized by libvips (JPEG shrink-on-load) to the same geometry, linear kernel.
 */
export interface DecodeOptions {
  size: number;
  channels: 1 | 3;
  /** Images with width × height above this are refused before decoding (decompression bombs). */
  maxPixels: number;
}

/** 8K × 8K: far above any photo a researcher would train on at 32–224 px. */
export const DEFAULT_MAX_PIXELS = 8192 * 8192;

/** Images up to this many pixels take the JS resize path. */
export const SMALL_PIXELS = 160 * 160;

// libvips' operation cache only helps repeated identical operations; imports never repeat.
sharp.cache(false);

const BOMB = 'image is over the pixel limit (width × height); refused as a possible decompression bomb';

function toRgb(img: Sharp): Sharp {
  return img.removeAlpha().toColourspace('srgb');
}

function firstLine(msg: string): string {
  return msg.split('\n').map((l) => l.trim()).filter(Boolean)[0] ?? msg;
}

/**
 * Turns a sharp failure into one short line. libvips' error text is sometimes lost when
 * several images fail at once ("Unknown error"), so the reason is classified from the input
 * itself: a header sharp cannot read means an unsupported or non-image file; a readable
 * header with undecodable data means truncated or corrupt pixels.
 */
export async function decodeReason(err: unknown, input: Buffer): Promise<string> {
  const msg = err instanceof Error ? err.message : String(err);
  if (/exceeds pixel limit/i.test(msg)) return BOMB;
  let meta: Metadata;
  try {
    meta = await sharp(input).metadata();
  } catch (metaErr) {
    // A known signature whose header does not parse: the file was cut or damaged early.
    const format = formatFromMagic(input);
    if (format) return `truncated or corrupt ${format} data (${firstLine((metaErr as Error).message)})`;
    return 'not an image sharp can decode (unsupported or unrecognised format)';
  }
  const detail = /unknown error/i.test(msg) ? '' : ` (${firstLine(msg)})`;
  return `truncated or corrupt ${meta.format ?? 'image'} data${detail}`;
}

/** The image format a file's first bytes announce, if any. */
export function formatFromMagic(b: Buffer): string | undefined {
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (b.length >= 8 && b.readUInt32BE(0) === 0x89504e47 && b.readUInt32BE(4) === 0x0d0a1a0a) return 'png';
  if (b.length >= 6 && /^GIF8[79]a$/.test(b.toString('latin1', 0, 6))) return 'gif';
  if (b.length >= 12 && b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP') return 'webp';
  if (b.length >= 4 && (b.toString('latin1', 0, 4) === 'II*\0' || b.toString('latin1', 0, 4) === 'MM\0*')) return 'tiff';
  if (b.length >= 12 && b.toString('latin1', 4, 8) === 'ftyp' && /^(avif|avis|heic|heix|mif1)$/.test(b.toString('latin1', 8, 12))) return 'heif';
  return undefined;
}

/** Width and height from a PNG's IHDR, or undefined when `input` is not a PNG. */
export function pngSize(input: Buffer): { width: number; height: number } | undefined {
  if (input.length < 24 || input.readUInt32BE(0) !== 0x89504e47 || input.toString('latin1', 12, 16) !== 'IHDR') return undefined;
  return { width: input.readUInt32BE(16), height: input.readUInt32BE(20) };
}

/** Width and height from a JPEG's first SOF marker, or undefined when not found. */
export function jpegSize(input: Buffer): { width: number; height: number } | undefined {
  if (input.length < 4 || input[0] !== 0xff || input[1] !== 0xd8) return undefined;
  let pos = 2;
  while (pos + 9 < input.length) {
    if (input[pos] !== 0xff) return undefined;
    const marker = input[pos + 1]!;
    if (marker === 0xff) {
      pos += 1; // fill byte
      continue;
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      pos += 2;
      continue;
    }
    const len = input.readUInt16BE(pos + 2);
    const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isSof) return { height: input.readUInt16BE(pos + 5), width: input.readUInt16BE(pos + 7) };
    if (marker === 0xda || marker === 0xd9) return undefined;
    pos += 2 + len;
  }
  return undefined;
}

/** Full-size sRGB pixels of a small image. */
async function fullSize(input: Buffer, base: SharpOptions): Promise<{ width: number; height: number; data: Uint8Array }> {
  const { data, info } = await toRgb(sharp(input, base)).raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new DecodeError(`decoder returned ${info.channels} channels, expected 3`);
  return { width: info.width, height: info.height, data };
}

async function coverLarge(input: Buffer, base: SharpOptions, opts: DecodeOptions, rgb: Uint8Array): Promise<void> {
  const meta = await sharp(input, base).metadata();
  if (!meta.width || !meta.height) throw new DecodeError('image has no dimensions');
  if (meta.width * meta.height > opts.maxPixels) throw new DecodeError(BOMB);
  // EXIF orientations 5–8 swap width and height.
  const [w, h] = (meta.orientation ?? 1) >= 5 ? [meta.height, meta.width] : [meta.width, meta.height];
  const g = coverGeometry(w, h, opts.size);
  const img = sharp(input, base)
    .resize(g.rw, g.rh, { fit: 'fill', kernel: 'linear' })
    .extract({ left: g.ox, top: g.oy, width: opts.size, height: opts.size });
  const { data, info } = await toRgb(img).raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  if (info.width !== opts.size || info.height !== opts.size || info.channels !== 3) {
    throw new DecodeError(`decoder returned ${info.width}×${info.height}×${info.channels} instead of ${opts.size}×${opts.size}×3`);
  }
  rgb.set(data);
}

/** Decodes an encoded image (JPEG, PNG, WebP, GIF first frame, TIFF, AVIF) into `out`. */
export async function decodeImage(input: Buffer, opts: DecodeOptions, out: Uint8Array): Promise<void> {
  if (input.length === 0) throw new DecodeError('empty file (0 bytes)');
  const base: SharpOptions = { limitInputPixels: opts.maxPixels, failOn: 'truncated', autoOrient: true, pages: 1 };
  const rgb = opts.channels === 3 ? out : new Uint8Array(opts.size * opts.size * 3);
  const png = pngSize(input);
  const dims = png ?? jpegSize(input);
  try {
    if (dims && dims.width * dims.height > opts.maxPixels) throw new DecodeError(BOMB);
    if (dims && dims.width * dims.height <= SMALL_PIXELS) {
      const img = (png && decodeSimplePng(input, opts.maxPixels)) || (await fullSize(input, base));
      resizeCover(img.data, img.width, img.height, 3, opts.size, rgb);
    } else await coverLarge(input, base, opts, rgb);
  } catch (err) {
    if (err instanceof DecodeError) throw err;
    throw new DecodeError(await decodeReason(err, input));
  }
  if (opts.channels === 1) rgbToGray(rgb, out);
}

/** Resizes raw uint8 HWC pixels (CIFAR, IDX) the same way, in JS. */
export async function decodeRaw(
  pixels: Uint8Array,
  width: number,
  height: number,
  channels: 1 | 3,
  opts: DecodeOptions,
  out: Uint8Array,
): Promise<void> {
  let src = pixels;
  if (channels !== opts.channels) {
    src = new Uint8Array(width * height * opts.channels);
    if (opts.channels === 3) grayToRgb(pixels, src);
    else rgbToGray(pixels, src);
  }
  if (width === opts.size && height === opts.size) out.set(src);
  else resizeCover(src, width, height, opts.channels, opts.size, out);
}

/** The reason recorded for a file that failed to read or decode. */
export function failureReason(err: unknown): string {
  if (err instanceof DecodeError) return err.message;
  if ((err as NodeJS.ErrnoException).code) return fsReason(err);
  return (err as Error).message ?? String(err);
}
