/**
 * The Vision Transformer's layers (vit.ts builds the model from them), following timm's
 * timm/models/vision_transformer.py (PatchEmbed, Attention, Mlp, Block, the final norm and
 * pooling of VisionTransformer):
 *
 * - PretextPatchEmbed: a p×p stride-p convolution with bias (HWIO kernel), flattened row-major
 *   to N = (H/p)·(W/p) tokens, a class token prepended, learned position embeddings
 *   [1, 1 + N₀, D] added (N₀: the grid the model was built for). Another grid (multi-crop views
 *   of another size) gets the patch part of the position embeddings resized to its grid,
 *   bilinearly with half-pixel centres (PyTorch's bilinear, align_corners=False), the class
 *   token's embedding kept. Deliberate difference: timm resamples bicubically (tfjs has no
 *   bicubic resize). `tokens(x, keep)` also keeps only the patch tokens at `keep` [B, K]
 *   (after the position embeddings are added, before the class token: MAE's random_masking).
 * - PretextViTBlock: pre-norm block x + proj(attn(LN(x))), then x + fc2(GELU(fc1(LN(x)))):
 *   fused qkv projection with bias, scaled dot-product attention (scale dh^−½), LayerNorm
 *   eps 1e-6, GELU in its erf form (PyTorch's nn.GELU default). No dropout or drop-path
 *   (timm's defaults are 0).
 * - PretextViTHead: the final LayerNorm with pooling. 'cls': LN of the class token (timm's
 *   norm then x[:, 0]; LN is per token so the order does not matter). 'mean': mean of the
 *   patch tokens then LN (MAE's global_pool with fc_norm, models_vit.py).
 *
 * Init as timm's VisionTransformer.init_weights (mode ''): Linear weights trunc-normal σ 0.02,
 * biases 0, LayerNorm 1/0, position embeddings trunc-normal σ 0.02, the class token normal
 * σ 1e-6 (timm's first versions drew it trunc-normal σ 0.02); the patch convolution keeps
 * PyTorch's Conv2d default, U(±1/√fan_in). tfjs truncates at ±2σ, timm at ±2 absolute (so
 * effectively not at all for σ 0.02): a deliberate difference of no practical weight.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { LayerArgs } from '@tensorflow/tfjs-layers/dist/engine/topology';
import type { LayerVariable } from '@tensorflow/tfjs-layers/dist/variables';

export const VIT_LN_EPS = 1e-6;

const trunc = () => tfl.initializers.truncatedNormal({ stddev: 0.02 });

/** LayerNorm over the last axis (biased variance, as torch.nn.LayerNorm). */
export function layerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, eps: number): tf.Tensor {
  return tf.tidy(() => {
    const axis = x.rank - 1;
    const mean = tf.mean(x, axis, true);
    const xc = tf.sub(x, mean);
    const variance = tf.mean(tf.square(xc), axis, true);
    return tf.add(tf.mul(tf.mul(xc, tf.rsqrt(tf.add(variance, eps))), gamma), beta);
  });
}

/** GELU, erf form: x·½·(1 + erf(x/√2)). */
/**
 * x [B, N, D] at `idx` [B, K] int32 along the token axis → [B, K, D], as a one-hot matmul
 * (tf.gather with batchDims 1 had a wrong-values bug on the wasm backend; the matmul is exact
 * and its gradient is a matmul too).
 */
export function gatherTokens(x: tf.Tensor, idx: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.matMul(tf.oneHot(tf.cast(idx, 'int32') as tf.Tensor2D, x.shape[1]!), x));
}

/**
 * The inverse placement of gatherTokens: y [B, K, D] put back at `idx` [B, K] of N tokens,
 * zeros elsewhere → [B, N, D] (MAE's unshuffle with ids_restore, as a one-hot matmul).
 */
export function scatterTokens(y: tf.Tensor, idx: tf.Tensor, n: number): tf.Tensor {
  return tf.tidy(() => tf.matMul(tf.oneHot(tf.cast(idx, 'int32') as tf.Tensor2D, n), y, true, false));
}

/** What replaces masked patch embeddings (data2vec, BEiT): mask [B, N] (1 = masked), token [D]. */
export interface TokenMask {
  mask: tf.Tensor;
  token: tf.Tensor;
}

export function gelu(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1)));
}

/** x [..., in] · kernel [in, out] + bias, on any rank. */
function linear(x: tf.Tensor, kernel: tf.Tensor, bias: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const [inDim, outDim] = kernel.shape as [number, number];
    const flat = tf.reshape(x, [-1, inDim]);
    return tf.reshape(tf.add(tf.matMul(flat, kernel), bias), [...x.shape.slice(0, -1), outDim]);
  });
}

function shapeOf(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
  return (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
}

export interface PatchEmbedArgs extends LayerArgs {
  patch: number;
  dim: number;
}

export class PatchEmbed extends tfl.layers.Layer {
  static className = 'PretextPatchEmbed';
  readonly patch: number;
  readonly dim: number;
  /** The token grid [rows, cols] the position embeddings were made for. */
  grid: [number, number] = [0, 0];
  private kernel!: LayerVariable;
  private bias!: LayerVariable;
  private clsToken!: LayerVariable;
  private posEmbed!: LayerVariable;

  constructor(args: PatchEmbedArgs) {
    super(args);
    this.patch = args.patch;
    this.dim = args.dim;
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const [, h, w, c] = shapeOf(inputShape);
    if (typeof h !== 'number' || typeof w !== 'number' || typeof c !== 'number') throw new Error(`${this.name}: the input size must be known`);
    const p = this.patch;
    this.grid = [Math.floor(h / p), Math.floor(w / p)];
    const fanIn = p * p * c;
    this.kernel = this.addWeight('kernel', [p, p, c, this.dim], 'float32', tfl.initializers.randomUniform({ minval: -1 / Math.sqrt(fanIn), maxval: 1 / Math.sqrt(fanIn) }));
    this.bias = this.addWeight('bias', [this.dim], 'float32', tfl.initializers.randomUniform({ minval: -1 / Math.sqrt(fanIn), maxval: 1 / Math.sqrt(fanIn) }));
    this.clsToken = this.addWeight('cls_token', [1, 1, this.dim], 'float32', tfl.initializers.randomNormal({ stddev: 1e-6 }));
    this.posEmbed = this.addWeight('pos_embed', [1, 1 + this.grid[0] * this.grid[1], this.dim], 'float32', trunc());
    this.built = true;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const [b, h, w] = shapeOf(inputShape);
    const n = typeof h === 'number' && typeof w === 'number' ? 1 + Math.floor(h / this.patch) * Math.floor(w / this.patch) : null;
    return [b ?? null, n, this.dim];
  }

  /** The position embeddings of the patch tokens on a grid of `rows`×`cols` [1, rows·cols, D]. */
  patchPositions(rows: number, cols: number): tf.Tensor {
    return tf.tidy(() => {
      const [r0, c0] = this.grid;
      const pos = tf.slice(this.posEmbed.read(), [0, 1, 0], [1, r0 * c0, this.dim]);
      if (rows === r0 && cols === c0) return pos;
      const map = tf.reshape(pos, [1, r0, c0, this.dim]) as tf.Tensor4D;
      return tf.reshape(tf.image.resizeBilinear(map, [rows, cols], false, true), [1, rows * cols, this.dim]);
    });
  }

  /**
   * Images [B, H, W, C] → tokens [B, 1 + K, D]: the class token, then the patch tokens (all of
   * them, or those at `keep` [B, K] int32, indices into the row-major grid). With `masked`,
   * the patch embeddings of masked tokens are replaced by the mask token before the position
   * embeddings are added (BEiT / data2vec vision: x·(1 − w) + mask_token·w).
   */
  tokens(x: tf.Tensor, keep?: tf.Tensor, masked?: TokenMask): tf.Tensor {
    return tf.tidy(() => {
      const p = this.patch;
      const [b, h, w] = x.shape as [number, number, number, number];
      if (h % p !== 0 || w % p !== 0) throw new Error(`${this.name}: input ${h}×${w} is not a multiple of the patch size ${p}`);
      const conv = tf.add(tf.conv2d(x as tf.Tensor4D, this.kernel.read() as tf.Tensor4D, p, 'valid'), this.bias.read());
      const rows = h / p;
      const cols = w / p;
      let embedded = tf.reshape(conv, [b, rows * cols, this.dim]);
      if (masked) {
        const w = tf.expandDims(tf.cast(masked.mask, 'float32'), 2);
        embedded = tf.add(tf.mul(embedded, tf.sub(1, w)), tf.mul(tf.reshape(masked.token, [1, 1, this.dim]), w));
      }
      let patches = tf.add(embedded, this.patchPositions(rows, cols));
      if (keep) patches = gatherTokens(patches, keep);
      const cls = tf.add(this.clsToken.read(), tf.slice(this.posEmbed.read(), [0, 0, 0], [1, 1, this.dim]));
      return tf.concat([tf.tile(cls, [b, 1, 1]), patches], 1);
    });
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return this.tokens(Array.isArray(inputs) ? inputs[0]! : inputs);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), patch: this.patch, dim: this.dim };
  }
}

export interface ViTBlockArgs extends LayerArgs {
  heads: number;
  mlpRatio: number;
  epsilon?: number;
}

export class ViTBlock extends tfl.layers.Layer {
  static className = 'PretextViTBlock';
  readonly heads: number;
  readonly mlpRatio: number;
  readonly epsilon: number;
  private w: Record<string, LayerVariable> = {};

  constructor(args: ViTBlockArgs) {
    super(args);
    this.heads = args.heads;
    this.mlpRatio = args.mlpRatio;
    this.epsilon = args.epsilon ?? VIT_LN_EPS;
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const d = shapeOf(inputShape)[2];
    if (typeof d !== 'number') throw new Error(`${this.name}: the token width must be known`);
    if (d % this.heads !== 0) throw new Error(`${this.name}: width ${d} is not a multiple of ${this.heads} heads`);
    const hidden = Math.round(d * this.mlpRatio);
    const add = (name: string, shape: number[], init: ReturnType<typeof tfl.initializers.zeros>) => (this.w[name] = this.addWeight(name, shape, 'float32', init));
    const ones = () => tfl.initializers.ones();
    const zeros = () => tfl.initializers.zeros();
    add('norm1_gamma', [d], ones());
    add('norm1_beta', [d], zeros());
    add('qkv_kernel', [d, 3 * d], trunc());
    add('qkv_bias', [3 * d], zeros());
    add('proj_kernel', [d, d], trunc());
    add('proj_bias', [d], zeros());
    add('norm2_gamma', [d], ones());
    add('norm2_beta', [d], zeros());
    add('fc1_kernel', [d, hidden], trunc());
    add('fc1_bias', [hidden], zeros());
    add('fc2_kernel', [hidden, d], trunc());
    add('fc2_bias', [d], zeros());
    this.built = true;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    return shapeOf(inputShape);
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    return tf.tidy(() => {
      const { out, ffn } = this.forward(x);
      ffn.dispose();
      return out;
    });
  }

  /**
   * The block's output and its FFN output before the last residual connection (data2vec's
   * teacher targets: fc2(GELU(fc1(LN(y))))); both owned by the caller.
   */
  forward(x: tf.Tensor): { out: tf.Tensor; ffn: tf.Tensor } {
    const v = (name: string) => this.w[name]!.read();
    const [out, ffn] = tf.tidy(() => {
      const [b, t, d] = x.shape as [number, number, number];
      const heads = this.heads;
      const dh = d / heads;
      const h = layerNorm(x, v('norm1_gamma'), v('norm1_beta'), this.epsilon);
      // [B, T, 3, heads, dh] → [3, B, heads, T, dh]
      const qkv = tf.transpose(tf.reshape(linear(h, v('qkv_kernel'), v('qkv_bias')), [b, t, 3, heads, dh]), [2, 0, 3, 1, 4]);
      const [q, k, val] = tf.unstack(qkv, 0) as [tf.Tensor, tf.Tensor, tf.Tensor];
      const att = tf.softmax(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(dh)));
      const mixed = tf.reshape(tf.transpose(tf.matMul(att, val), [0, 2, 1, 3]), [b, t, d]);
      const y = tf.add(x, linear(mixed, v('proj_kernel'), v('proj_bias')));
      const m = layerNorm(y, v('norm2_gamma'), v('norm2_beta'), this.epsilon);
      const f = linear(gelu(linear(m, v('fc1_kernel'), v('fc1_bias'))), v('fc2_kernel'), v('fc2_bias'));
      return [tf.add(y, f), f];
    });
    return { out: out!, ffn: ffn! };
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), heads: this.heads, mlpRatio: this.mlpRatio, epsilon: this.epsilon };
  }
}

export type ViTPool = 'cls' | 'mean';

export interface ViTHeadArgs extends LayerArgs {
  pool: ViTPool;
  epsilon?: number;
}

export class ViTHead extends tfl.layers.Layer {
  static className = 'PretextViTHead';
  readonly pool: ViTPool;
  readonly epsilon: number;
  private gamma!: LayerVariable;
  private beta!: LayerVariable;

  constructor(args: ViTHeadArgs) {
    super(args);
    if (args.pool !== 'cls' && args.pool !== 'mean') throw new Error(`ViT pooling must be 'cls' or 'mean', got '${String(args.pool)}'`);
    this.pool = args.pool;
    this.epsilon = args.epsilon ?? VIT_LN_EPS;
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const d = shapeOf(inputShape)[2] as number;
    this.gamma = this.addWeight('gamma', [d], 'float32', tfl.initializers.ones());
    this.beta = this.addWeight('beta', [d], 'float32', tfl.initializers.zeros());
    this.built = true;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const s = shapeOf(inputShape);
    return [s[0] ?? null, s[2]!];
  }

  /** The final LayerNorm on every token (what `vitTokens` returns). */
  norm(tokens: tf.Tensor): tf.Tensor {
    return layerNorm(tokens, this.gamma.read(), this.beta.read(), this.epsilon);
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    return tf.tidy(() => {
      const [b, t, d] = x.shape as [number, number, number];
      const pooled = this.pool === 'cls' ? tf.reshape(tf.slice(x, [0, 0, 0], [b, 1, d]), [b, d]) : tf.mean(tf.slice(x, [0, 1, 0], [b, t - 1, d]), 1);
      return this.norm(pooled);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), pool: this.pool, epsilon: this.epsilon };
  }
}

tf.serialization.registerClass(PatchEmbed);
tf.serialization.registerClass(ViTBlock);
tf.serialization.registerClass(ViTHead);
