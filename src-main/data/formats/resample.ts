/**
 * Resize-shorter-side-then-centre-crop in plain JS for small images, the way PIL's
 * Image.resize(BILINEAR) does it (torchvision's default for transforms.Resize): a triangle
 * filter whose support widens with the downscale factor (antialiasing), separable, weights
 * normalised per output pixel, results rounded and clamped to uint8.
 */

interface Taps {
  start: Int32Array;
  count: Int32Array;
  /** `maxTaps` weights per output pixel. */
  weights: Float32Array;
  maxTaps: number;
}

/** Filter taps mapping `inSize` input pixels to `outSize` outputs of a `resized`-long axis, from `offset`. */
function taps(inSize: number, resized: number, outSize: number, offset: number): Taps {
  const scale = inSize / resized; // input pixels per output pixel
  const filterScale = Math.max(scale, 1);
  const support = filterScale; // triangle filter support 1, widened when shrinking
  const maxTaps = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Float32Array(outSize * maxTaps);
  for (let o = 0; o < outSize; o++) {
    const center = (o + offset + 0.5) * scale;
    const lo = Math.max(0, Math.floor(center - support + 0.5));
    const hi = Math.min(inSize, Math.floor(center + support + 0.5));
    let sum = 0;
    const n = Math.min(hi - lo, maxTaps);
    for (let k = 0; k < n; k++) {
      const w = Math.max(0, 1 - Math.abs((k + lo - center + 0.5) / filterScale));
      weights[o * maxTaps + k] = w;
      sum += w;
    }
    for (let k = 0; k < n; k++) weights[o * maxTaps + k]! /= sum || 1;
    start[o] = lo;
    count[o] = n;
  }
  return { start, count, weights, maxTaps };
}

/** Python's round(): halves go to the even neighbour. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * Size of the shorter-side resize and the centre-crop offsets, as torchvision's
 * Resize(size) (long side floor(size × long / short)) and CenterCrop(size) (offsets
 * round((resized − size) / 2)) compute them.
 */
export function coverGeometry(width: number, height: number, size: number): { rw: number; rh: number; ox: number; oy: number } {
  const rw = width <= height ? size : Math.floor((size * width) / height);
  const rh = width <= height ? Math.floor((size * height) / width) : size;
  return { rw, rh, ox: roundHalfEven((rw - size) / 2), oy: roundHalfEven((rh - size) / 2) };
}

/** Resizes uint8 HWC `src` (width × height × channels) so the shorter side is `size`, centre-crops to size × size into `out`. */
export function resizeCover(src: Uint8Array, width: number, height: number, channels: number, size: number, out: Uint8Array): void {
  const { rw, rh, ox, oy } = coverGeometry(width, height, size);
  const tx = taps(width, rw, size, ox);
  const ty = taps(height, rh, size, oy);
  // Horizontal pass over the rows the vertical pass needs.
  const rowLo = ty.start[0]!;
  const rowHi = ty.start[size - 1]! + ty.count[size - 1]!;
  const rowLen = size * channels;
  const tmp = new Float32Array((rowHi - rowLo) * rowLen);
  const { start: xs, count: xn, weights: xw, maxTaps: xm } = tx;
  for (let y = rowLo; y < rowHi; y++) {
    const srcRow = y * width * channels;
    const tmpRow = (y - rowLo) * rowLen;
    for (let x = 0; x < size; x++) {
      const n = xn[x]!;
      const wo = x * xm;
      let p = srcRow + xs[x]! * channels;
      if (channels === 3) {
        let a0 = 0;
        let a1 = 0;
        let a2 = 0;
        for (let k = 0; k < n; k++, p += 3) {
          const w = xw[wo + k]!;
          a0 += w * src[p]!;
          a1 += w * src[p + 1]!;
          a2 += w * src[p + 2]!;
        }
        const t = tmpRow + x * 3;
        tmp[t] = a0;
        tmp[t + 1] = a1;
        tmp[t + 2] = a2;
      } else {
        for (let c = 0; c < channels; c++) {
          let acc = 0;
          for (let k = 0; k < n; k++) acc += xw[wo + k]! * src[p + k * channels + c]!;
          tmp[tmpRow + x * channels + c] = acc;
        }
      }
    }
  }
  // Vertical pass: accumulate whole rows, then round and clamp.
  const acc = new Float32Array(rowLen);
  const { start: ys, count: yn, weights: yw, maxTaps: ym } = ty;
  for (let y = 0; y < size; y++) {
    acc.fill(0);
    const n = yn[y]!;
    const wo = y * ym;
    for (let k = 0; k < n; k++) {
      const w = yw[wo + k]!;
      const base = (ys[y]! - rowLo + k) * rowLen;
      for (let i = 0; i < rowLen; i++) acc[i]! += w * tmp[base + i]!;
    }
    const o = y * rowLen;
    for (let i = 0; i < rowLen; i++) {
      const v = Math.round(acc[i]!);
      out[o + i] = v < 0 ? 0 : v > 255 ? 255 : v;
    }
  }
}

/** PIL's "L" conversion (ITU-R 601-2 luma) of uint8 RGB HWC into one channel. */
export function rgbToGray(src: Uint8Array, out: Uint8Array): void {
  for (let i = 0, j = 0; j < out.length; i += 3, j++) {
    out[j] = Math.round((src[i]! * 299 + src[i + 1]! * 587 + src[i + 2]! * 114) / 1000);
  }
}

/** Gray to RGB by repeating the channel. */
export function grayToRgb(src: Uint8Array, out: Uint8Array): void {
  for (let i = 0, j = 0; i < src.length; i++, j += 3) out[j] = out[j + 1] = out[j + 2] = src[i]!;
}
