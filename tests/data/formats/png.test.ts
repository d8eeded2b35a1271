import sharp, { type PngOptions } from 'sharp';
import { describe, expect, it } from 'vitest';
import { DecodeError } from '../../../src-main/data/formats/decode';
import { decodeSimplePng } from '../../../src-main/data/formats/png';
import { mulberry32 } from '../../../src-main/data/import/split';

/** Noise plus gradients, so the encoder picks different row filters. */
function content(w: number, h: number, ch: number, seed: number): Buffer {
  const rand = mulberry32(seed);
  const b = Buffer.alloc(w * h * ch);
  for (let i = 0; i < b.length; i++) b[i] = (i % 97) * 2 + ((rand() * 50) | 0);
  return b;
}

async function png(w: number, h: number, ch: 1 | 2 | 3 | 4, opts: PngOptions = {}): Promise<Buffer> {
  return sharp(content(w, h, ch, w * 31 + ch), { raw: { width: w, height: h, channels: ch } }).png(opts).toBuffer();
}

async function viaSharp(buf: Buffer): Promise<Uint8Array> {
  return sharp(buf).removeAlpha().toColourspace('srgb').raw().toBuffer();
}

describe('decodeSimplePng', () => {
  for (const ch of [1, 2, 3, 4] as const) {
    it(`matches libvips exactly for ${ch}-channel 8-bit PNGs`, async () => {
      for (const [w, h] of [[37, 23], [64, 64], [1, 5]] as const) {
        for (const compressionLevel of [0, 6, 9]) {
          const buf = await png(w, h, ch, { compressionLevel, adaptiveFiltering: true });
          const mine = decodeSimplePng(buf, 1e9)!;
          expect(mine).toBeDefined();
          expect([mine.width, mine.height]).toEqual([w, h]);
          expect(Buffer.from(mine.data).equals(Buffer.from(await viaSharp(buf)))).toBe(true);
        }
      }
    });
  }

  it('leaves interlaced, palette and 16-bit PNGs and non-PNGs to sharp', async () => {
    expect(decodeSimplePng(await png(16, 16, 3, { progressive: true }), 1e9)).toBeUndefined();
    expect(decodeSimplePng(await png(16, 16, 3, { palette: true }), 1e9)).toBeUndefined();
    const p16 = await sharp(Buffer.alloc(8 * 8 * 6, 1), { raw: { width: 8, height: 8, channels: 3 } }).toColourspace('rgb16').png().toBuffer();
    expect(decodeSimplePng(p16, 1e9)).toBeUndefined();
    expect(decodeSimplePng(Buffer.from('not a png at all, just some text....'), 1e9)).toBeUndefined();
  });

  it('fails on truncation, a bad CRC, or too many pixels', async () => {
    const buf = await png(30, 30, 3);
    expect(() => decodeSimplePng(buf.subarray(0, buf.length - 12), 1e9)).toThrow(/no IEND|cut short/);
    expect(() => decodeSimplePng(buf.subarray(0, 60), 1e9)).toThrow(DecodeError);
    const flipped = Buffer.from(buf);
    flipped[50]! ^= 0xff;
    expect(() => decodeSimplePng(flipped, 1e9)).toThrow(/bad CRC/);
    expect(() => decodeSimplePng(buf, 899)).toThrow(/pixel limit/);
  });
});
