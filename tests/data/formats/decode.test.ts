import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_PIXELS, DecodeError, decodeImage, decodeRaw, jpegSize, pngSize, type DecodeOptions } from '../../../src-main/data/formats/decode';
import { bombPng, solid, type Rgb } from '../helpers';

const rgb32: DecodeOptions = { size: 32, channels: 3, maxPixels: DEFAULT_MAX_PIXELS };

async function decode(buf: Buffer, opts = rgb32): Promise<Uint8Array> {
  const out = new Uint8Array(opts.size * opts.size * opts.channels);
  await decodeImage(buf, opts, out);
  return out;
}

function meanRgb(px: Uint8Array): Rgb {
  const s = [0, 0, 0];
  for (let i = 0; i < px.length; i++) s[i % 3]! += px[i]!;
  const n = px.length / 3;
  return [s[0]! / n, s[1]! / n, s[2]! / n];
}

describe('decodeImage', () => {
  const colour: Rgb = [200, 40, 90];
  for (const format of ['png', 'jpeg', 'webp', 'gif', 'tiff', 'avif'] as const) {
    it(`decodes ${format} to size×size RGB with the right colour`, async () => {
      const px = await decode(await solid(format, colour));
      expect(px.length).toBe(32 * 32 * 3);
      const m = meanRgb(px);
      // Lossy formats and GIF's palette move colours a little.
      for (let c = 0; c < 3; c++) expect(Math.abs(m[c]! - colour[c]!)).toBeLessThan(8);
    });
  }

  it('resizes the shorter side and centre-crops the longer', async () => {
    // 96×32: red, green, blue bands of 32 px; the centre crop keeps only green.
    const raw = Buffer.alloc(96 * 32 * 3);
    for (let y = 0; y < 32; y++) {
      for (let x = 0; x < 96; x++) raw[(y * 96 + x) * 3 + Math.floor(x / 32)] = 255;
    }
    const png = await sharp(raw, { raw: { width: 96, height: 32, channels: 3 } }).png().toBuffer();
    const px = await decode(png, { ...rgb32, size: 16 });
    const m = meanRgb(px);
    expect(m[1]).toBeGreaterThan(240);
    expect(m[0]).toBeLessThan(15);
    expect(m[2]).toBeLessThan(15);
  });

  it('gives one channel with grayscale', async () => {
    const px = await decode(await solid('png', [100, 100, 100]), { ...rgb32, channels: 1 });
    expect(px.length).toBe(32 * 32);
    expect(Math.abs(px[0]! - 100)).toBeLessThan(3);
  });

  it('decodes a CMYK JPEG to RGB', async () => {
    const cmyk = await sharp({ create: { width: 20, height: 20, channels: 3, background: { r: 30, g: 60, b: 220 } } })
      .toColourspace('cmyk')
      .jpeg()
      .toBuffer();
    expect((await sharp(cmyk).metadata()).space).toBe('cmyk');
    const m = meanRgb(await decode(cmyk));
    expect(m[2]).toBeGreaterThan(m[0]! + 100); // still clearly blue
  });

  it('decodes a 16-bit PNG to 8-bit values', async () => {
    const raw = new Uint16Array(8 * 8 * 3).fill(0x8080);
    const png16 = await sharp(Buffer.from(raw.buffer), { raw: { width: 8, height: 8, channels: 3 } })
      .toColourspace('rgb16')
      .png()
      .toBuffer();
    expect((await sharp(png16).metadata()).depth).toBe('ushort');
    const px = await decode(png16);
    expect(Math.abs(px[0]! - 128)).toBeLessThanOrEqual(1);
  });

  it('drops alpha like PIL convert("RGB")', async () => {
    const rgba = await sharp({ create: { width: 8, height: 8, channels: 4, background: { r: 10, g: 200, b: 30, alpha: 0.5 } } })
      .png()
      .toBuffer();
    const px = await decode(rgba);
    expect(Array.from(px.slice(0, 3)).map((v) => Math.round(v / 10))).toEqual([1, 20, 3]);
  });

  const bad: [string, () => Promise<Buffer>, RegExp][] = [
    ['an empty file', async () => Buffer.alloc(0), /empty file/],
    ['a truncated JPEG', async () => (await solid('jpeg', [1, 2, 3], 200, 200)).subarray(0, 300), /truncated or corrupt jpeg data/],
    ['a truncated PNG', async () => { const b = await solid('png', [1, 2, 3], 200, 200); return b.subarray(0, b.length - 30); }, /truncated or corrupt png data/],
    ['a JPEG cut inside its header', async () => (await solid('jpeg', [1, 2, 3], 50, 60)).subarray(0, 100), /truncated or corrupt jpeg data/],
    ['a PNG cut inside its header', async () => (await solid('png', [1, 2, 3], 50, 60)).subarray(0, 20), /truncated or corrupt png data/],
    ['text', async () => Buffer.from('just some text, not an image\n'), /not an image/],
    ['random bytes', async () => Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 251)), /not an image/],
    ['a decompression bomb', async () => bombPng(100_000, 100_000), /pixel limit/],
  ];
  for (const [what, make, reason] of bad) {
    it(`refuses ${what} with a reason`, async () => {
      const err = await decode(await make()).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DecodeError);
      expect((err as Error).message).toMatch(reason);
    });
  }

  it('applies the pixel cap from the options', async () => {
    const img = await solid('png', [9, 9, 9], 100, 100);
    await expect(decode(img, { ...rgb32, maxPixels: 99 * 100 })).rejects.toThrow(/pixel limit/);
    await expect(decode(img, { ...rgb32, maxPixels: 100 * 100 })).resolves.toBeDefined();
  });
});

describe('decodeRaw', () => {
  it('copies when the size and channels already match', async () => {
    const px = Uint8Array.from({ length: 4 * 4 * 3 }, (_, i) => i);
    const out = new Uint8Array(px.length);
    await decodeRaw(px, 4, 4, 3, { ...rgb32, size: 4 }, out);
    expect(out).toEqual(px);
  });

  it('replicates gray into RGB at the same size', async () => {
    const out = new Uint8Array(2 * 2 * 3);
    await decodeRaw(Uint8Array.from([1, 2, 3, 4]), 2, 2, 1, { ...rgb32, size: 2 }, out);
    expect(Array.from(out)).toEqual([1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4]);
  });

  it('resizes 28×28 gray to 32×32 RGB', async () => {
    const out = new Uint8Array(32 * 32 * 3);
    await decodeRaw(new Uint8Array(28 * 28).fill(77), 28, 28, 1, rgb32, out);
    expect(new Set(out)).toEqual(new Set([77]));
  });
});

describe('header sizes', () => {
  it('reads width and height from PNG and JPEG headers', async () => {
    expect(pngSize(await solid('png', [1, 1, 1], 37, 21))).toEqual({ width: 37, height: 21 });
    const jpg = await sharp({ create: { width: 45, height: 19, channels: 3, background: 'red' } }).withMetadata().jpeg({ progressive: true }).toBuffer();
    expect(jpegSize(jpg)).toEqual({ width: 45, height: 19 });
    expect(jpegSize(await solid('png', [1, 1, 1]))).toBeUndefined();
    expect(pngSize(await solid('jpeg', [1, 1, 1]))).toBeUndefined();
  });

  it('applies EXIF orientation on the small-image path', async () => {
    // 20×10, left half white: orientation 6 (rotate 90° clockwise) puts white on top.
    const raw = Buffer.alloc(20 * 10 * 3);
    for (let y = 0; y < 10; y++) for (let x = 0; x < 10; x++) raw.fill(255, (y * 20 + x) * 3, (y * 20 + x) * 3 + 3);
    const jpg = await sharp(raw, { raw: { width: 20, height: 10, channels: 3 } }).withMetadata({ orientation: 6 }).jpeg({ quality: 100 }).toBuffer();
    const px = await decode(jpg, { ...rgb32, size: 10, channels: 1 });
    // Rotated to 10×20, centre crop keeps rows 5..14: the top half (rows 5..9) white, the rest black.
    expect(px[0]).toBeGreaterThan(200);
    expect(px[9 * 10]).toBeLessThan(50);
  });
});
