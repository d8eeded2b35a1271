/**
 * Token masks for masked image modelling, drawn on the CPU from a seed (the method passes
 * stepSeed(input, …), so a resumed run masks the same images the same way).
 *
 * - randomMasking: MAE's per-sample random masking (facebookresearch/mae models_mae.py
 *   `random_masking`): uniform noise per token, ids_shuffle = argsort(noise), the first
 *   ⌊N·(1 − ratio)⌋ kept (in shuffled order, as the official ids_keep), mask 1 = removed.
 * - blockMasking: BEiT's blockwise masking (microsoft/unilm beit/masking_generator.py
 *   `MaskingGenerator`, used by data2vec vision): rectangles of area uniform in
 *   [minPatches, remaining], log-uniform aspect ratio in [0.3, 1/0.3], up to 10 tries per block,
 *   until ⌊ratio·N⌋ tokens are masked or no block fits. Deliberate difference: BEiT's
 *   min_num_patches 16 is for its 14×14 grid; here it scales to the grid, 16·N/196 (at least 1),
 *   so a 7×7 grid gets blocks of ≥ 4 tokens. Like the official generator it may stop below the
 *   target when no further block fits (rare; the count is what the test checks).
 */
import { Rng } from '../../core/rng';

export interface RandomMask {
  /** [B][K] kept token indices (row-major grid), in the official shuffled order. */
  keep: number[][];
  /** [B][N] 1 where the token is removed, 0 where kept. */
  mask: number[][];
}

/** Tokens MAE keeps of n at this mask ratio: int(L·(1 − mask_ratio)), at least 1. */
export function keptTokens(n: number, ratio: number): number {
  return Math.max(1, Math.floor(n * (1 - ratio)));
}

function checkRatio(ratio: number, what: string): void {
  if (!(ratio > 0 && ratio < 1)) throw new Error(`${what}: mask ratio must be in (0, 1), got ${ratio}`);
}

/** MAE's random_masking for `batch` images of `n` tokens. */
export function randomMasking(batch: number, n: number, ratio: number, seed: number): RandomMask {
  checkRatio(ratio, 'random masking');
  if (!Number.isInteger(n) || n < 2) throw new Error(`random masking: need at least 2 tokens, got ${n}`);
  const rng = new Rng(seed);
  const k = keptTokens(n, ratio);
  const keep: number[][] = [];
  const mask: number[][] = [];
  for (let b = 0; b < batch; b++) {
    const noise = Array.from({ length: n }, () => rng.next());
    const shuffle = Array.from({ length: n }, (_, i) => i).sort((i, j) => noise[i]! - noise[j]! || i - j);
    const kept = shuffle.slice(0, k);
    const m = new Array<number>(n).fill(1);
    for (const i of kept) m[i] = 0;
    keep.push(kept);
    mask.push(m);
  }
  return { keep, mask };
}

export interface BlockMaskOptions {
  /** Share of tokens to mask (data2vec vision: 0.6). */
  ratio: number;
  /** Smallest block in tokens (default 16·N/196, at least 1). */
  minPatches?: number;
  /** Aspect-ratio range (default [0.3, 1/0.3]). */
  aspect?: [number, number];
}

/** One grid's block mask ([rows·cols], 1 = masked), as MaskingGenerator.__call__. */
function blockMaskOne(rows: number, cols: number, target: number, minPatches: number, logAspect: [number, number], rng: Rng): number[] {
  const mask = new Array<number>(rows * cols).fill(0);
  const addBlock = (maxPatches: number): number => {
    let delta = 0;
    for (let attempt = 0; attempt < 10; attempt++) {
      const area = rng.uniform(minPatches, maxPatches);
      const aspect = Math.exp(rng.uniform(logAspect[0], logAspect[1]));
      const h = Math.round(Math.sqrt(area * aspect));
      const w = Math.round(Math.sqrt(area / aspect));
      if (w < cols && h < rows) {
        const top = rng.int(0, rows - h);
        const left = rng.int(0, cols - w);
        let masked = 0;
        for (let i = top; i < top + h; i++) for (let j = left; j < left + w; j++) masked += mask[i * cols + j]!;
        if (h * w - masked > 0 && h * w - masked <= maxPatches) {
          for (let i = top; i < top + h; i++) {
            for (let j = left; j < left + w; j++) {
              if (mask[i * cols + j] === 0) {
                mask[i * cols + j] = 1;
                delta += 1;
              }
            }
          }
        }
        if (delta > 0) break;
      }
    }
    return delta;
  };
  let count = 0;
  while (count < target) {
    const delta = addBlock(target - count);
    if (delta === 0) break;
    count += delta;
  }
  return mask;
}

/** BEiT/data2vec blockwise masks for `batch` images on a rows×cols grid: [B][rows·cols], 1 = masked. */
export function blockMasking(batch: number, rows: number, cols: number, opts: BlockMaskOptions, seed: number): number[][] {
  checkRatio(opts.ratio, 'block masking');
  const n = rows * cols;
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || n < 2) throw new Error(`block masking: need a grid of at least 2 tokens, got ${rows}×${cols}`);
  const minPatches = opts.minPatches ?? Math.max(1, Math.round((16 * n) / 196));
  const [lo, hi] = opts.aspect ?? [0.3, 1 / 0.3];
  if (!(lo > 0 && lo <= hi)) throw new Error(`block masking: aspect range must satisfy 0 < lo ≤ hi, got [${lo}, ${hi}]`);
  const target = Math.floor(opts.ratio * n);
  const rng = new Rng(seed);
  return Array.from({ length: batch }, () => blockMaskOne(rows, cols, target, Math.min(minPatches, target), [Math.log(lo), Math.log(hi)], rng));
}
