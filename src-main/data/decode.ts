import sharp, { type Metadata, type Sharp } from 'sharp';

/**
 * Decoding with sharp: EXIF orientation applied, the shorter side resized to `size` and the
 * longer centre-cropped (torchvision's Resize(size) + CenterCrop(size)), alpha dropped as
 * PIL's convert('RGB') does, then uint8 HWC pixels, 3 channels (sRGB) or 1 (grayscale).
 */
export interface DecodeOptions {
  size: number;
  channels: 1 | 3;
  /** Images with width × height above this are refused before decoding (decompression bombs). */
  maxPixels: number;
}

/** 8K × 8K: far above any photo a researcher would train on at 32–224 px. */
export const DEFAULT_MAX_PIXELS = 8192 * 8192;

// libvips' operation cache only helps repeated identical operations; imports never repeat.
sharp.cache(false);

/** A decode failure with a reason meant for the user (the caller adds the file name). */
export class DecodeError extends Error {
  override name = 'DecodeError';
}

function pipeline(img: Sharp, opts: DecodeOptions): Sharp {
  img = img.resize(opts.size, opts.size, { fit: 'cover', position: 'centre' }).removeAlpha();
  return opts.channels === 1 ? img.grayscale() : img.toColourspace('srgb');
}

async function finish(img: Sharp, opts: DecodeOptions, out: Uint8Array): Promise<void> {
  const { data, info } = await img.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  const expected = opts.size * opts.size * opts.channels;
  if (info.width !== opts.size || info.height !== opts.size || info.channels !== opts.channels || data.length !== expected) {
    throw new DecodeError(
      `decoder returned ${info.width}×${info.height}×${info.channels} instead of ${opts.size}×${opts.size}×${opts.channels}`,
    );
  }
  out.set(data);
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
  if (/exceeds pixel limit/i.test(msg)) return 'image is over the pixel limit (width × height); refused as a possible decompression bomb';
  let meta: Metadata;
  try {
    meta = await sharp(input).metadata();
  } catch {
    return 'not an image sharp can decode (unsupported or unrecognised format)';
  }
  const detail = /unknown error/i.test(msg) ? '' : ` (${firstLine(msg)})`;
  return `truncated or corrupt ${meta.format ?? 'image'} data${detail}`;
}

/** Decodes an encoded image (JPEG, PNG, WebP, GIF first frame, TIFF, AVIF) into `out`. */
export async function decodeImage(input: Buffer, opts: DecodeOptions, out: Uint8Array): Promise<void> {
  if (input.length === 0) throw new DecodeError('empty file (0 bytes)');
  const img = sharp(input, {
    limitInputPixels: opts.maxPixels,
    failOn: 'truncated',
    autoOrient: true,
    pages: 1,
  });
  try {
    await finish(pipeline(img, opts), opts, out);
  } catch (err) {
    if (err instanceof DecodeError) throw err;
    throw new DecodeError(await decodeReason(err, input));
  }
}

/** Resizes raw uint8 HWC pixels (CIFAR, IDX) the same way; copies when nothing changes. */
export async function decodeRaw(
  pixels: Uint8Array,
  width: number,
  height: number,
  channels: 1 | 3,
  opts: DecodeOptions,
  out: Uint8Array,
): Promise<void> {
  if (width === opts.size && height === opts.size && channels === opts.channels) {
    out.set(pixels);
    return;
  }
  if (width === opts.size && height === opts.size && channels === 1) {
    for (let i = 0, j = 0; i < pixels.length; i++, j += 3) out[j] = out[j + 1] = out[j + 2] = pixels[i]!;
    return;
  }
  const img = sharp(pixels, { raw: { width, height, channels } });
  await finish(pipeline(img, opts), opts, out);
}
