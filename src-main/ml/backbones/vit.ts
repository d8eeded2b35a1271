/**
 * Vision Transformer encoders (Dosovitskiy et al. 2021) as tf.layers models, in the layout of
 * timm's timm/models/vision_transformer.py (VisionTransformer with class token, learned
 * position embeddings, qkv bias, pre-norm blocks, LayerNorm eps 1e-6, GELU erf form; the layers
 * and their init are in vitLayers.ts).
 *
 * - `vit-tiny`: ViT-Ti/4 for 32 px (patch 4, 12 blocks, width 192, 3 heads, MLP ratio 4).
 * - `vit-mini`: a CPU-sized ViT (patch 4, 6 blocks, width 128, 4 heads, MLP ratio 4).
 * The patch size is fixed in pixels, so the token grid follows the input size: 28 px → 7×7,
 * 32 px → 8×8, 16 px → 4×4. Grayscale and RGB inputs (the patch convolution takes C channels).
 * The run's width multiplier scales the embedding width, rounded to a multiple of the heads
 * (vit-tiny at width 0.5: 96; the heads stay).
 *
 * Output: pooled features [B, D] — the class token after the final norm (as MoCo v3 and DINO
 * evaluate), or with `pool: 'mean'` the mean of the patch tokens then the norm (MAE's
 * global_pool). `vitTokens` gives the token sequence [B, 1 + K, D] after the final norm, with an
 * optional keep-index input [B, K] (masked modelling: MAE keeps 25 %), and runs on inputs of
 * another size than the model's (position embeddings resized, vitLayers.ts); `model.apply` on
 * such an input does the same for pooled features.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { SymbolicTensor } from '@tensorflow/tfjs-layers';
import { PretextError } from '../../core/errors';
import { PatchEmbed, ViTBlock, ViTHead, type TokenMask, type ViTPool } from './vitLayers';

export type ViTName = 'vit-tiny' | 'vit-mini';

export interface ViTArch {
  patch: number;
  depth: number;
  dim: number;
  heads: number;
  mlpRatio: number;
}

export const VIT_ARCHS: Record<ViTName, ViTArch> = {
  'vit-tiny': { patch: 4, depth: 12, dim: 192, heads: 3, mlpRatio: 4 },
  'vit-mini': { patch: 4, depth: 6, dim: 128, heads: 4, mlpRatio: 4 },
};

export const VIT_NAMES = Object.keys(VIT_ARCHS) as ViTName[];

/** The patch side of every registry ViT (previews draw masks on its grid before a backbone exists). */
export const VIT_PATCH = VIT_ARCHS['vit-mini'].patch;
if (VIT_NAMES.some((n) => VIT_ARCHS[n].patch !== VIT_PATCH)) throw new Error('the registry ViTs must share one patch size (VIT_PATCH)');

export interface ViTOptions {
  /** Input side in pixels (square), a multiple of the patch size. */
  size: number;
  channels: 1 | 3;
  /** Embedding-width multiplier (default 1). */
  width?: number;
  /** 'cls' (default) or 'mean'. */
  pool?: ViTPool;
  name?: string;
}

/** Builds a ViT encoder: images NHWC → pooled features [B, D]. */
export function vit(arch: ViTName, opts: ViTOptions): tfl.LayersModel {
  const spec = VIT_ARCHS[arch];
  if (!spec) throw new Error(`unknown ViT '${arch}': expected one of ${VIT_NAMES.join(', ')}`);
  return buildViT(spec, { ...opts, name: opts.name ?? arch });
}

/** A ViT of any shape (vit() builds the named ones). */
export function buildViT(spec: ViTArch, opts: ViTOptions): tfl.LayersModel {
  const width = opts.width ?? 1;
  if (!(width > 0)) throw new Error(`ViT width multiplier must be > 0, got ${width}`);
  if (opts.channels !== 1 && opts.channels !== 3) throw new Error(`ViT input channels must be 1 or 3, got ${opts.channels}`);
  if (!Number.isInteger(opts.size) || opts.size < spec.patch || opts.size % spec.patch !== 0) {
    throw new PretextError(`backbone: a ViT takes images whose side is a multiple of its patch size ${spec.patch} px; these are ${opts.size} px`, { field: 'backbone' });
  }
  const dim = Math.max(1, Math.round((spec.dim * width) / spec.heads)) * spec.heads;
  const input = tfl.input({ shape: [opts.size, opts.size, opts.channels], name: 'image' });
  let x = new PatchEmbed({ patch: spec.patch, dim, name: 'patch_embed' }).apply(input) as SymbolicTensor;
  for (let i = 0; i < spec.depth; i++) {
    x = new ViTBlock({ heads: spec.heads, mlpRatio: spec.mlpRatio, name: `block_${i}` }).apply(x) as SymbolicTensor;
  }
  const pooled = new ViTHead({ pool: opts.pool ?? 'cls', name: 'head_norm' }).apply(x) as SymbolicTensor;
  return tfl.model({ inputs: input, outputs: pooled, name: opts.name ?? 'vit' });
}

function parts(model: tfl.LayersModel): { embed: PatchEmbed; blocks: ViTBlock[]; head: ViTHead } {
  const embed = model.layers.find((l): l is PatchEmbed => l instanceof PatchEmbed);
  const head = model.layers.find((l): l is ViTHead => l instanceof ViTHead);
  if (!embed || !head) throw new Error(`model '${model.name}' is not a ViT built by vit()`);
  return { embed, blocks: model.layers.filter((l): l is ViTBlock => l instanceof ViTBlock), head };
}

/**
 * The token sequence of a ViT built by vit(): [B, 1 + K, D] after the final norm, the class
 * token first. `keep` [B, K] int32 keeps only those patch tokens (row-major grid indices), as
 * MAE's encoder does; without it K = N. `training` as for model.apply.
 */
export function vitTokens(model: tfl.LayersModel, images: tf.Tensor, opts: { keep?: tf.Tensor; masked?: TokenMask; training?: boolean } = {}): tf.Tensor {
  const { embed, blocks, head } = parts(model);
  return tf.tidy(() => {
    let x = embed.tokens(images, opts.keep, opts.masked);
    for (const b of blocks) x = b.apply(x, { training: opts.training ?? false }) as tf.Tensor;
    return head.norm(x);
  });
}

/** The patch grid [rows, cols] a ViT built by vit() makes of images of side `size`, and its patch size. */
export function vitGrid(model: tfl.LayersModel, size: number): { rows: number; cols: number; patch: number } {
  const { embed } = parts(model);
  return { rows: Math.floor(size / embed.patch), cols: Math.floor(size / embed.patch), patch: embed.patch };
}

/** True when `model` is a ViT built by vit() (masked image modelling needs its tokens). */
export function isViT(model: tfl.LayersModel): boolean {
  return model.layers.some((l) => l instanceof PatchEmbed) && model.layers.some((l) => l instanceof ViTHead);
}

/**
 * Every block's FFN output before its last residual connection, [B, 1 + N, D] each, first
 * block first (data2vec's teacher targets, fairseq data2vec_vision / the paper §3.3), of the
 * unmasked images. Owned by the caller.
 */
export function vitBlockOutputs(model: tfl.LayersModel, images: tf.Tensor): tf.Tensor[] {
  const { embed, blocks } = parts(model);
  const outs: tf.Tensor[] = [];
  tf.tidy(() => {
    let x = embed.tokens(images);
    for (const b of blocks) {
      const { out, ffn } = b.forward(x);
      outs.push(tf.keep(ffn));
      x = out;
    }
  });
  return outs;
}
