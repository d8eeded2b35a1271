/**
 * The Vision Transformer's layers (ml/backbones/vitLayers.ts) rebuilt from stock tf.layers for
 * the tfjs export (tfjsExport.ts), at the model's input size, with the same inference function:
 *
 *   PretextPatchEmbed → Conv2D (p×p, stride p, bias) and Reshape [N, D]; the position
 *     embeddings and the class token as the biases of zero-kernel Dense layers on a
 *     GlobalAveragePooling2D of the image (a learned constant in stock layers: 0·x + b), Add,
 *     Concatenate (class token first).
 *   PretextViTBlock → LayerNormalization; per head, Dense q (scale dh^−½ folded into its kernel
 *     and bias), k, v from the fused qkv weights, Dot q·kᵀ, Activation softmax, Dot ·v; then
 *     Concatenate the heads, Dense proj, Add; LayerNormalization, Dense with the 'gelu'
 *     activation (tfjs's is the erf form), Dense, Add.
 *   PretextViTHead → Permute [D, T], Dense to one unit without bias selecting the class token
 *     (kernel e₀) or averaging the patch tokens (0, 1/N, …, 1/N), Reshape [D],
 *     LayerNormalization.
 */
import * as tfl from '@tensorflow/tfjs-layers';
import type { SymbolicTensor } from '@tensorflow/tfjs-layers';
import { weightOf, type LayerNode, type WeightValue } from './graph';

export const VIT_TFJS_CLASSES = new Set(['PretextPatchEmbed', 'PretextViTBlock', 'PretextViTHead']);

/** A stock layer and the values its weights (by their own names) take. */
export interface StockWeights {
  layer: tfl.layers.Layer;
  from: LayerNode;
}

type Values = Record<string, { shape: number[]; values: Float32Array }>;

class Rebuild {
  constructor(
    private readonly n: LayerNode,
    private readonly fresh: (name: string) => string,
    private readonly built: StockWeights[],
  ) {}

  private w(name: string): WeightValue {
    return weightOf(this.n, name);
  }

  /** Applies `layer` and records the weights it is to receive. */
  private apply(layer: tfl.layers.Layer, x: SymbolicTensor | SymbolicTensor[], values: Values = {}): SymbolicTensor {
    const y = layer.apply(x) as SymbolicTensor;
    const weights = Object.entries(values).map(([name, v]) => ({ name, shape: v.shape, values: v.values }));
    if (weights.length) this.built.push({ layer, from: { name: this.n.name, className: this.n.className, config: {}, inputs: [], outputShape: [], weights } });
    return y;
  }

  private name(part: string): string {
    return this.fresh(`${this.n.name}_${part}`);
  }

  private dense(x: SymbolicTensor, part: string, kernel: { shape: number[]; values: Float32Array }, bias?: Float32Array, activation?: 'gelu'): SymbolicTensor {
    const units = kernel.shape[1]!;
    const layer = tfl.layers.dense({ units, useBias: bias !== undefined, name: this.name(part), ...(activation ? { activation } : {}) });
    return this.apply(layer, x, bias === undefined ? { kernel } : { kernel, bias: { shape: [units], values: bias } });
  }

  private layerNorm(x: SymbolicTensor, part: string, gamma: WeightValue, beta: WeightValue): SymbolicTensor {
    const layer = tfl.layers.layerNormalization({ axis: -1, epsilon: Number(this.n.config['epsilon']), name: this.name(part) });
    return this.apply(layer, x, { gamma, beta });
  }

  private reshape(x: SymbolicTensor, part: string, targetShape: number[]): SymbolicTensor {
    return this.apply(tfl.layers.reshape({ targetShape, name: this.name(part) }), x);
  }

  patchEmbed(image: SymbolicTensor): SymbolicTensor {
    const p = Number(this.n.config['patch']);
    const kernel = this.w('kernel');
    const d = kernel.shape[3]!;
    const conv = this.apply(tfl.layers.conv2d({ filters: d, kernelSize: p, strides: p, padding: 'valid', useBias: true, name: this.name('conv') }), image, { kernel, bias: this.w('bias') });
    const pos = this.w('pos_embed');
    const n = pos.shape[1]! - 1;
    const c = kernel.shape[2]!;
    const tokens = this.reshape(conv, 'tokens', [n, d]);
    const source = this.apply(tfl.layers.globalAveragePooling2d({ name: this.name('source') }), image);
    const zeros = (units: number) => ({ shape: [c, units], values: new Float32Array(c * units) });
    const patchPos = this.reshape(this.dense(source, 'pos', zeros(n * d), pos.values.slice(d)), 'pos_tokens', [n, d]);
    const placed = this.apply(tfl.layers.add({ name: this.name('add_pos') }), [tokens, patchPos]);
    const cls = this.w('cls_token').values.map((v, i) => v + pos.values[i]!);
    const clsToken = this.reshape(this.dense(source, 'cls', zeros(d), cls), 'cls_token', [1, d]);
    return this.apply(tfl.layers.concatenate({ axis: 1, name: this.name('concat') }), [clsToken, placed]);
  }

  block(x: SymbolicTensor): SymbolicTensor {
    const heads = Number(this.n.config['heads']);
    const qkvKernel = this.w('qkv_kernel');
    const qkvBias = this.w('qkv_bias');
    const d = qkvKernel.shape[0]!;
    const dh = d / heads;
    const scale = 1 / Math.sqrt(dh);
    /** Columns [from, from + dh) of the fused qkv projection, times `s`. */
    const columns = (from: number, s: number) => {
      const k = new Float32Array(d * dh);
      for (let r = 0; r < d; r++) for (let j = 0; j < dh; j++) k[r * dh + j] = qkvKernel.values[r * 3 * d + from + j]! * s;
      return { kernel: { shape: [d, dh], values: k }, bias: qkvBias.values.slice(from, from + dh).map((v) => v * s) };
    };
    const h = this.layerNorm(x, 'norm1', this.w('norm1_gamma'), this.w('norm1_beta'));
    const outs: SymbolicTensor[] = [];
    for (let i = 0; i < heads; i++) {
      const [q, k, v] = [[0, scale], [d, 1], [2 * d, 1]].map(([at, s], j) => {
        const cols = columns(at! + i * dh, s!);
        return this.dense(h, `${'qkv'[j]}${i}`, cols.kernel, cols.bias);
      }) as [SymbolicTensor, SymbolicTensor, SymbolicTensor];
      const scores = this.apply(tfl.layers.dot({ axes: [2, 2], name: this.name(`scores${i}`) }), [q, k]);
      const att = this.apply(tfl.layers.activation({ activation: 'softmax', name: this.name(`softmax${i}`) }), scores);
      outs.push(this.apply(tfl.layers.dot({ axes: [2, 1], name: this.name(`mix${i}`) }), [att, v]));
    }
    const merged = outs.length === 1 ? outs[0]! : this.apply(tfl.layers.concatenate({ axis: -1, name: this.name('heads') }), outs);
    const y = this.apply(tfl.layers.add({ name: this.name('res1') }), [x, this.dense(merged, 'proj', this.w('proj_kernel'), this.w('proj_bias').values)]);
    const m = this.layerNorm(y, 'norm2', this.w('norm2_gamma'), this.w('norm2_beta'));
    const f = this.dense(m, 'fc1', this.w('fc1_kernel'), this.w('fc1_bias').values, 'gelu');
    return this.apply(tfl.layers.add({ name: this.name('res2') }), [y, this.dense(f, 'fc2', this.w('fc2_kernel'), this.w('fc2_bias').values)]);
  }

  head(x: SymbolicTensor): SymbolicTensor {
    const [, t, d] = x.shape as [null, number, number];
    const select = new Float32Array(t);
    if (this.n.config['pool'] === 'cls') select[0] = 1;
    else select.fill(1 / (t - 1), 1);
    const channelsFirst = this.apply(tfl.layers.permute({ dims: [2, 1], name: this.name('transpose') }), x);
    const pooled = this.reshape(this.dense(channelsFirst, 'pool', { shape: [t, 1], values: select }), 'pooled', [d]);
    return this.layerNorm(pooled, 'norm', this.w('gamma'), this.w('beta'));
  }
}

/**
 * Rebuilds one ViT layer from stock layers on `input`; pushes the stock layers with their
 * weights onto `built`; `fresh` reserves a layer name. Returns the output.
 */
export function stockVitLayer(n: LayerNode, input: SymbolicTensor, fresh: (name: string) => string, built: StockWeights[]): SymbolicTensor {
  const r = new Rebuild(n, fresh, built);
  if (n.className === 'PretextPatchEmbed') return r.patchEmbed(input);
  if (n.className === 'PretextViTBlock') return r.block(input);
  return r.head(input);
}
