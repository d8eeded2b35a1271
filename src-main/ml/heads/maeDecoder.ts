/**
 * MAE's light decoder (facebookresearch/mae models_mae.py `forward_decoder`): the encoder's
 * tokens of the visible patches embedded to the decoder width (decoder_embed, a linear with
 * bias), a learned mask token (normal σ 0.02) in every removed patch's place, the tokens put
 * back in grid order (ids_restore: here the transpose of the one-hot gather, vitLayers'
 * scatterTokens), fixed 2-D sin-cos position embeddings (get_2d_sincos_pos_embed, cls
 * position zero, requires_grad False), `depth` pre-norm transformer blocks (the ViT's
 * ViTBlock), a final LayerNorm (eps 1e-6) and a linear prediction of each patch's p²·C pixel
 * values; the class token's output is dropped.
 *
 * Deliberate differences: the decoder's linear layers are trunc-normal σ 0.02 as the ViT's
 * (models_mae.py uses xavier_uniform); the decoder is sized for CPU runs (width, depth and
 * heads are method options).
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { SymbolicTensor } from '@tensorflow/tfjs-layers';
import type { LayerArgs } from '@tensorflow/tfjs-layers/dist/engine/topology';
import type { LayerVariable } from '@tensorflow/tfjs-layers/dist/variables';
import { layerNorm, scatterTokens, ViTBlock, VIT_LN_EPS } from '../backbones/vitLayers';

/**
 * models_mae.py's get_2d_sincos_pos_embed(dim, grid, cls_token=True) for a rows×cols grid:
 * [1 + rows·cols, dim], the first row zeros; half the width encodes the row... as the
 * official: emb_h from grid[0] (the column index, np.meshgrid(w, h)), emb_w from grid[1].
 */
export function sincosPositions(dim: number, rows: number, cols: number): number[][] {
  if (dim % 4 !== 0) throw new Error(`MAE decoder: sin-cos position embeddings need a width divisible by 4, got ${dim}`);
  const half = dim / 2;
  const omega = Array.from({ length: half / 2 }, (_, i) => 1 / 10000 ** (i / (half / 2)));
  const oneD = (pos: number) => [...omega.map((o) => Math.sin(pos * o)), ...omega.map((o) => Math.cos(pos * o))];
  const out: number[][] = [new Array<number>(dim).fill(0)];
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out.push([...oneD(c), ...oneD(r)]);
  return out;
}

interface EmbedArgs extends LayerArgs {
  dim: number;
  rows: number;
  cols: number;
}

/** decoder_embed, the mask token and the decoder's position embeddings. */
export class MaeDecoderEmbed extends tfl.layers.Layer {
  static className = 'PretextMaeDecoderEmbed';
  readonly dim: number;
  readonly rows: number;
  readonly cols: number;
  private kernel!: LayerVariable;
  private bias!: LayerVariable;
  private maskToken!: LayerVariable;
  private pos!: LayerVariable;

  constructor(args: EmbedArgs) {
    super(args);
    this.dim = args.dim;
    this.rows = args.rows;
    this.cols = args.cols;
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
    const d = shape[2] as number;
    this.kernel = this.addWeight('kernel', [d, this.dim], 'float32', tfl.initializers.truncatedNormal({ stddev: 0.02 }));
    this.bias = this.addWeight('bias', [this.dim], 'float32', tfl.initializers.zeros());
    this.maskToken = this.addWeight('mask_token', [1, 1, this.dim], 'float32', tfl.initializers.randomNormal({ stddev: 0.02 }));
    const table = sincosPositions(this.dim, this.rows, this.cols);
    this.pos = this.addWeight('pos_embed', [1, table.length, this.dim], 'float32', tfl.initializers.zeros(), undefined, false);
    const fixed = tf.tensor3d([table]);
    this.pos.write(fixed);
    fixed.dispose();
    this.built = true;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
    return [shape[0] ?? null, 1 + this.rows * this.cols, this.dim];
  }

  private embed(x: tf.Tensor): tf.Tensor {
    const [b, t, d] = x.shape as [number, number, number];
    return tf.reshape(tf.add(tf.matMul(tf.reshape(x, [b * t, d]), this.kernel.read()), this.bias.read()), [b, t, this.dim]);
  }

  /**
   * The encoder's tokens [B, 1 + K, D] of the patches at `keep` [B, K] → the decoder's input
   * [B, 1 + N, Dd]: class token, then every grid position (a visible token or the mask token),
   * position embeddings added.
   */
  decoderInput(latent: tf.Tensor, keep: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const n = this.rows * this.cols;
      const [b, t] = latent.shape as [number, number];
      const x = this.embed(latent);
      const cls = tf.slice(x, [0, 0, 0], [b, 1, this.dim]);
      const visible = tf.slice(x, [0, 1, 0], [b, t - 1, this.dim]);
      const placed = scatterTokens(visible, keep, n);
      const shown = tf.sum(tf.oneHot(tf.cast(keep, 'int32') as tf.Tensor2D, n), 1); // [B, N], 1 where visible
      const filled = tf.add(placed, tf.mul(tf.expandDims(tf.sub(1, shown), 2), this.maskToken.read()));
      return tf.add(tf.concat([cls, filled], 1), this.pos.read());
    });
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    return tf.tidy(() => tf.add(this.embed(x), this.pos.read()));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), dim: this.dim, rows: this.rows, cols: this.cols };
  }
}

interface PredictArgs extends LayerArgs {
  out: number;
}

/** decoder_norm and decoder_pred; drops the class token: [B, 1 + N, Dd] → [B, N, p²·C]. */
export class MaeDecoderPredict extends tfl.layers.Layer {
  static className = 'PretextMaeDecoderPredict';
  readonly out: number;
  private w: Record<string, LayerVariable> = {};

  constructor(args: PredictArgs) {
    super(args);
    this.out = args.out;
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
    const d = shape[2] as number;
    this.w['gamma'] = this.addWeight('gamma', [d], 'float32', tfl.initializers.ones());
    this.w['beta'] = this.addWeight('beta', [d], 'float32', tfl.initializers.zeros());
    this.w['kernel'] = this.addWeight('kernel', [d, this.out], 'float32', tfl.initializers.truncatedNormal({ stddev: 0.02 }));
    this.w['bias'] = this.addWeight('bias', [this.out], 'float32', tfl.initializers.zeros());
    this.built = true;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
    return [shape[0] ?? null, typeof shape[1] === 'number' ? shape[1] - 1 : null, this.out];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    const v = (k: string) => this.w[k]!.read();
    return tf.tidy(() => {
      const [b, t, d] = x.shape as [number, number, number];
      const h = layerNorm(tf.slice(x, [0, 1, 0], [b, t - 1, d]), v('gamma'), v('beta'), VIT_LN_EPS);
      return tf.reshape(tf.add(tf.matMul(tf.reshape(h, [b * (t - 1), d]), v('kernel')), v('bias')), [b, t - 1, this.out]);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), out: this.out };
  }
}

tf.serialization.registerClass(MaeDecoderEmbed);
tf.serialization.registerClass(MaeDecoderPredict);

export interface MaeDecoderOptions {
  /** The encoder's token width. */
  encoderDim: number;
  rows: number;
  cols: number;
  /** Pixels per patch: p²·C. */
  patchValues: number;
  dim: number;
  depth: number;
  heads: number;
  name?: string;
}

/** The decoder as one LayersModel (its weights checkpoint like any head's); run it with maeDecode. */
export function maeDecoder(o: MaeDecoderOptions): tfl.LayersModel {
  if (o.dim % o.heads !== 0) throw new Error(`MAE decoder: width ${o.dim} is not a multiple of ${o.heads} heads`);
  const input = tfl.input({ shape: [1 + o.rows * o.cols, o.encoderDim], name: 'latent' });
  let x = new MaeDecoderEmbed({ dim: o.dim, rows: o.rows, cols: o.cols, name: 'decoder_embed' }).apply(input) as SymbolicTensor;
  for (let i = 0; i < o.depth; i++) x = new ViTBlock({ heads: o.heads, mlpRatio: 4, name: `decoder_block_${i}` }).apply(x) as SymbolicTensor;
  const out = new MaeDecoderPredict({ out: o.patchValues, name: 'decoder_pred' }).apply(x) as SymbolicTensor;
  return tfl.model({ inputs: input, outputs: out, name: o.name ?? 'mae-decoder' });
}

/** The decoder's pixel predictions [B, N, p²·C] from the encoder's tokens [B, 1 + K, D] of the patches at `keep` [B, K]. */
export function maeDecode(decoder: tfl.LayersModel, latent: tf.Tensor, keep: tf.Tensor): tf.Tensor3D {
  const embed = decoder.layers.find((l): l is MaeDecoderEmbed => l instanceof MaeDecoderEmbed);
  const pred = decoder.layers.find((l): l is MaeDecoderPredict => l instanceof MaeDecoderPredict);
  if (!embed || !pred) throw new Error(`model '${decoder.name}' is not an MAE decoder built by maeDecoder()`);
  const blocks = decoder.layers.filter((l): l is ViTBlock => l instanceof ViTBlock);
  return tf.tidy(() => {
    let x = embed.decoderInput(latent, keep);
    for (const b of blocks) x = b.apply(x) as tf.Tensor;
    return pred.apply(x) as tf.Tensor3D;
  });
}
