/**
 * Straightforward per-image, per-pixel references (float64, plain loops) for the batched ops.
 * Images are H×W×C Float64Arrays in [0,1]; img() rounds pixels to float32 so tensors hold them exactly.
 */

export interface Img {
  h: number;
  w: number;
  c: number;
  data: Float64Array;
}

export function img(h: number, w: number, c: number, f: (y: number, x: number, ch: number) => number): Img {
  const data = new Float64Array(h * w * c);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let ch = 0; ch < c; ch++) data[(y * w + x) * c + ch] = Math.fround(f(y, x, ch));
  return { h, w, c, data };
}

export function at(im: Img, y: number, x: number, ch: number): number {
  return im.data[(y * im.w + x) * im.c + ch]!;
}

const clamp01 = (v: number): number => Math.min(1, Math.max(0, v));

/**
 * Crop (top, left, height, width), then bilinear resize to size×size with half-pixel centres
 * (torch's interpolate, align_corners=False, on the cropped image: coordinates clamp to the
 * crop); flip mirrors the output.
 */
export function refCropResize(im: Img, box: { top: number; left: number; height: number; width: number }, size: number, flip: boolean): Img {
  const src = (k: number, start: number, len: number): [number, number, number] => {
    const s = Math.max(0, ((k + 0.5) * len) / size - 0.5);
    const i0 = Math.min(Math.floor(s), len - 1);
    return [start + i0, start + Math.min(i0 + 1, len - 1), Math.min(s, len - 1) - i0];
  };
  return img(size, size, im.c, (y, x, ch) => {
    const [y0, y1, ly] = src(y, box.top, box.height);
    const [x0, x1, lx] = src(flip ? size - 1 - x : x, box.left, box.width);
    const top = at(im, y0, x0, ch) * (1 - lx) + at(im, y0, x1, ch) * lx;
    const bot = at(im, y1, x0, ch) * (1 - lx) + at(im, y1, x1, ch) * lx;
    return top * (1 - ly) + bot * ly;
  });
}

export function refGray(im: Img): Img {
  if (im.c === 1) return im;
  return img(im.h, im.w, 1, (y, x) => 0.2989 * at(im, y, x, 0) + 0.587 * at(im, y, x, 1) + 0.114 * at(im, y, x, 2));
}

export function refContrast(im: Img, f: number): Img {
  const g = refGray(im).data;
  const mean = g.reduce((a, b) => a + b, 0) / g.length;
  return img(im.h, im.w, im.c, (y, x, ch) => clamp01(f * at(im, y, x, ch) + (1 - f) * mean));
}

export function refSaturation(im: Img, f: number): Img {
  if (im.c === 1) return im;
  const g = refGray(im);
  return img(im.h, im.w, im.c, (y, x, ch) => clamp01(f * at(im, y, x, ch) + (1 - f) * at(g, y, x, 0)));
}

/** Python's colorsys rgb_to_hsv / hsv_to_rgb around a hue shift. */
export function refHue(im: Img, shift: number): Img {
  const out = new Float64Array(im.data.length);
  for (let p = 0; p < im.h * im.w; p++) {
    const [r, g, b] = [im.data[p * 3]!, im.data[p * 3 + 1]!, im.data[p * 3 + 2]!];
    const maxc = Math.max(r, g, b);
    const minc = Math.min(r, g, b);
    let h = 0;
    let s = 0;
    if (maxc !== minc) {
      s = (maxc - minc) / maxc;
      const rc = (maxc - r) / (maxc - minc);
      const gc = (maxc - g) / (maxc - minc);
      const bc = (maxc - b) / (maxc - minc);
      h = r === maxc ? bc - gc : g === maxc ? 2 + rc - bc : 4 + gc - rc;
      h = ((h / 6) % 1 + 1) % 1;
    }
    h = (((h + shift) % 1) + 1) % 1;
    const v = maxc;
    let rgb: number[];
    if (s === 0) rgb = [v, v, v];
    else {
      const i = Math.floor(h * 6);
      const f = h * 6 - i;
      const pp = v * (1 - s);
      const q = v * (1 - s * f);
      const t = v * (1 - s * (1 - f));
      rgb = [[v, t, pp], [q, v, pp], [pp, v, t], [pp, q, v], [t, pp, v], [v, pp, q]][i % 6]!;
    }
    out.set(rgb, p * 3);
  }
  return { ...im, data: out };
}

/** Gaussian blur with a size×size kernel (outer product of the 1-d one), reflected borders. */
export function refBlur(im: Img, sigma: number, size: number): Img {
  const r = (size - 1) / 2;
  const k1 = Array.from({ length: size }, (_, i) => Math.exp(-((i - r) ** 2) / (2 * sigma * sigma)));
  const sum = k1.reduce((a, b) => a + b, 0);
  const k = k1.map((v) => v / sum);
  const reflect = (i: number, n: number): number => (i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i);
  return img(im.h, im.w, im.c, (y, x, ch) => {
    let acc = 0;
    for (let dy = -r; dy <= r; dy++) {
      for (let dx = -r; dx <= r; dx++) acc += k[dy + r]! * k[dx + r]! * at(im, reflect(y + dy, im.h), reflect(x + dx, im.w), ch);
    }
    return acc;
  });
}
