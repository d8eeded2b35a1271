/**
 * Lays out originals and their views as one uint8 image (a preview grid): one row per image,
 * columns original, view 1, view 2, …; each picture at the top-left of a square cell as big
 * as the largest picture, cells separated by a gap. Pure JS: no tensors.
 */

export interface RawImage {
  width: number;
  height: number;
  channels: 1 | 3;
  data: Uint8Array;
}

/** n square pictures of side `size`, NHWC. */
export interface PictureSet {
  size: number;
  /** uint8 pixels, or float values in [0,1] (rounded and clamped to 0..255). */
  data: Uint8Array | Float32Array;
}

const BACKGROUND = 48;

/** Builds the grid; every set holds the same number n of pictures with `channels` channels. */
export function viewGrid(columns: PictureSet[], n: number, channels: 1 | 3, gap = 2): RawImage {
  const cell = Math.max(...columns.map((c) => c.size));
  const width = columns.length * cell + (columns.length + 1) * gap;
  const height = n * cell + (n + 1) * gap;
  const data = new Uint8Array(width * height * channels).fill(BACKGROUND);
  columns.forEach((col, j) => {
    const expected = n * col.size * col.size * channels;
    if (col.data.length !== expected) throw new Error(`grid column ${j}: expected ${expected} values, got ${col.data.length}`);
    const toByte = col.data instanceof Uint8Array ? (v: number) => v : (v: number) => Math.min(255, Math.max(0, Math.round(v * 255)));
    for (let i = 0; i < n; i++) {
      const top = gap + i * (cell + gap);
      const left = gap + j * (cell + gap);
      for (let y = 0; y < col.size; y++) {
        for (let x = 0; x < col.size; x++) {
          const src = ((i * col.size + y) * col.size + x) * channels;
          const dst = ((top + y) * width + left + x) * channels;
          for (let c = 0; c < channels; c++) data[dst + c] = toByte(col.data[src + c]!);
        }
      }
    }
  });
  return { width, height, channels, data };
}

/** Evenly spaced item indices 0 ≤ i < total, `count` of them (all when count ≥ total). */
export function spreadIndices(total: number, count: number): number[] {
  const k = Math.min(total, count);
  return Array.from({ length: k }, (_, i) => Math.floor((i * total) / k));
}

/**
 * A task view's pieces (n·pieces rows of side `side`, grouped by image: tasks.ts) as one square
 * picture per image: the pieces row-major in a ⌈√pieces⌉-wide grid, 1-px gaps, so a preview
 * shows them as the net receives them (rotations 2×2, tiles 3×3 in the shuffled order, a pair
 * side by side).
 */
export function taskMontage(values: Float32Array, n: number, pieces: number, side: number, channels: 1 | 3): PictureSet {
  if (values.length !== n * pieces * side * side * channels) {
    throw new Error(`task montage: expected ${n * pieces * side * side * channels} values for ${n}×${pieces} pieces of ${side} px, got ${values.length}`);
  }
  const cols = Math.ceil(Math.sqrt(pieces));
  const size = cols * side + (cols - 1);
  const out = new Float32Array(n * size * size * channels).fill(BACKGROUND / 255);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < pieces; k++) {
      const top = Math.floor(k / cols) * (side + 1);
      const left = (k % cols) * (side + 1);
      for (let y = 0; y < side; y++) {
        const src = (((i * pieces + k) * side + y) * side) * channels;
        const dst = ((i * size + top + y) * size + left) * channels;
        out.set(values.subarray(src, src + side * channels), dst);
      }
    }
  }
  return { size, data: out };
}

/**
 * n views (side `size`, float [0,1] or uint8) with the patches their masks remove (1, row-major
 * over the grid of `patch`-px patches, as augment/mask.ts draws them) filled with the grid's
 * background, so a preview shows what a masked-image-modelling encoder is left with.
 */
export function maskedPictures(values: Float32Array | Uint8Array, n: number, size: number, channels: 1 | 3, patch: number, masks: readonly (readonly number[])[]): PictureSet {
  const g = Math.floor(size / patch);
  if (values.length !== n * size * size * channels) throw new Error(`masked pictures: expected ${n * size * size * channels} values for ${n} views of ${size} px, got ${values.length}`);
  if (masks.length !== n || masks.some((m) => m.length !== g * g)) throw new Error(`masked pictures: expected ${n} masks of ${g}×${g} patches`);
  const fill = values instanceof Uint8Array ? BACKGROUND : BACKGROUND / 255;
  const data = values.slice();
  for (let i = 0; i < n; i++) {
    masks[i]!.forEach((removed, t) => {
      if (!removed) return;
      const [top, left] = [Math.floor(t / g) * patch, (t % g) * patch];
      for (let y = top; y < top + patch; y++) {
        const row = ((i * size + y) * size + left) * channels;
        data.fill(fill, row, row + patch * channels);
      }
    });
  }
  return { size, data };
}
