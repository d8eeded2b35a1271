import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_PIXELS, decodeImage } from '../../../src-main/data/formats/decode';
import { coverGeometry, resizeCover, rgbToGray } from '../../../src-main/data/formats/resample';

describe('coverGeometry', () => {
  it('follows torchvision Resize(int) then CenterCrop', () => {
    // Resize: short side -> size, long side floor(size * long / short); crop offsets round((r - size) / 2), half to even.
    expect(coverGeometry(640, 480, 32)).toEqual({ rw: 42, rh: 32, ox: 5, oy: 0 });
    expect(coverGeometry(480, 640, 32)).toEqual({ rw: 32, rh: 42, ox: 0, oy: 5 });
    expect(coverGeometry(35, 32, 32)).toEqual({ rw: 35, rh: 32, ox: 2, oy: 0 }); // round(1.5) = 2
    expect(coverGeometry(33, 32, 32)).toEqual({ rw: 33, rh: 32, ox: 0, oy: 0 }); // round(0.5) = 0
    expect(coverGeometry(28, 28, 32)).toEqual({ rw: 32, rh: 32, ox: 0, oy: 0 });
  });
});

describe('resizeCover', () => {
  it('keeps a constant image constant at any scale', () => {
    for (const [w, h, s] of [[28, 28, 32], [100, 60, 16], [7, 9, 5]] as const) {
      const out = new Uint8Array(s * s * 3);
      resizeCover(new Uint8Array(w * h * 3).fill(123), w, h, 3, s, out);
      expect(new Set(out)).toEqual(new Set([123]));
    }
  });

  it('halves with PIL BILINEAR weights (triangle of support 2, clipped at edges, renormalised)', () => {
    const src = Uint8Array.from([0, 0, 100, 100, 0, 0, 100, 100, 200, 200, 40, 40, 200, 200, 40, 40]);
    const out = new Uint8Array(4);
    resizeCover(src, 4, 4, 1, 2, out);
    // Output 0 has centre 1.0 and taps at inputs 0, 1, 2 weighing 0.75, 0.75, 0.25 (÷ 1.75);
    // output 1 has centre 3.0 and taps at 1, 2, 3 weighing 0.25, 0.75, 0.75.
    const w0 = [3 / 7, 3 / 7, 1 / 7];
    const w1 = [1 / 7, 3 / 7, 3 / 7];
    const dot = (w: number[], v: number[]) => w.reduce((acc, x, i) => acc + x * v[i]!, 0);
    const h00 = dot(w0, [0, 0, 100]);
    const h20 = dot(w0, [200, 200, 40]);
    const h11 = dot(w1, [0, 100, 100]);
    const h21 = dot(w1, [200, 40, 40]);
    expect(out[0]).toBe(Math.round(dot(w0, [h00, h00, h20]))); // 38
    expect(out[3]).toBe(Math.round(dot(w1, [h11, h21, h21]))); // 66
    expect([out[0], out[3]]).toEqual([38, 66]);
  });

  it('matches sharp/libvips (linear kernel) on a smooth image within a few levels', async () => {
    // The same 150×100 gradient through the JS path (PNG, small) and the libvips path (JPEG-free: a large-threshold TIFF).
    const w = 150;
    const h = 100;
    const raw = Buffer.alloc(w * h * 3);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) raw.set([(x * 255) / w, (y * 255) / h, ((x + y) * 255) / (w + h)], (y * w + x) * 3);
    const js = new Uint8Array(32 * 32 * 3);
    resizeCover(raw, w, h, 3, 32, js);
    const tiff = await sharp(raw, { raw: { width: w, height: h, channels: 3 } }).tiff().toBuffer();
    const vips = new Uint8Array(32 * 32 * 3);
    await decodeImage(tiff, { size: 32, channels: 3, maxPixels: DEFAULT_MAX_PIXELS }, vips);
    let worst = 0;
    let sum = 0;
    for (let i = 0; i < js.length; i++) {
      const d = Math.abs(js[i]! - vips[i]!);
      worst = Math.max(worst, d);
      sum += d;
    }
    expect(sum / js.length).toBeLessThan(1.5);
    expect(worst).toBeLessThanOrEqual(6);
  });
});

describe('rgbToGray', () => {
  it('uses ITU-R 601-2 luma like PIL convert("L")', () => {
    const out = new Uint8Array(2);
    rgbToGray(Uint8Array.from([255, 0, 0, 10, 200, 30]), out);
    expect(Array.from(out)).toEqual([76, 124]); // 0.299·R + 0.587·G + 0.114·B
  });
});
