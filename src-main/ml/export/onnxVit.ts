/**
 * ONNX ops (opset 13) of the Vision Transformer's layers (ml/backbones/vitLayers.ts), for
 * onnx.ts. Tokens are [N, T, D] (batch symbolic); the export is at the model's input size, so
 * the position embeddings are the stored ones (no resize).
 *
 *   PretextPatchEmbed → Conv (p×p, stride p, bias) on the NCHW image, Reshape [N, D, T] and
 *     Transpose to [N, T, D], Add the patch position embeddings; the class token (its position
 *     embedding added) Expanded to [N, 1, D] from the batch size (Shape, Slice, Concat) and
 *     Concatenated in front.
 *   PretextViTBlock → LayerNorm as ReduceMean, Sub, Mul, ReduceMean, Add ε, Sqrt, Div, Mul γ,
 *     Add β (LayerNormalization is opset 17); attention: MatMul + Add (qkv), Reshape
 *     [N, T, 3, h, dh], Transpose [3, N, h, T, dh], Gather q/k/v, MatMul q·kᵀ, Mul scale, Softmax
 *     (last axis), MatMul ·v, Transpose and Reshape [N, T, D], MatMul + Add (proj), Add residual;
 *     MLP: MatMul + Add, GELU as x·½·(1 + Erf(x/√2)), MatMul + Add, Add residual.
 *   PretextViTHead → Gather of token 0 ('cls') or Slice of tokens 1.. and ReduceMean ('mean'),
 *     then the LayerNorm.
 */
import { weightOf, type LayerNode, type WeightValue } from './graph';
import type { AttributeJson, TensorJson } from './onnxProto';
import { floatTensor, hwioToOihw, int, int64Tensor, ints } from './onnxTensors';

export const VIT_LAYER_CLASSES = new Set(['PretextPatchEmbed', 'PretextViTBlock', 'PretextViTHead']);

/** What onnx.ts's builder lends: adding a node, adding an initializer. */
export interface OnnxEmitter {
  op(opType: string, name: string, inputs: string[], attrs?: AttributeJson[]): string;
  init(t: TensorJson): string;
}

function scalar(name: string, value: number): TensorJson {
  return floatTensor(name, [], Float32Array.of(value));
}

class VitOps {
  constructor(private readonly e: OnnxEmitter, private readonly n: LayerNode) {}

  private w(name: string): WeightValue {
    return weightOf(this.n, name);
  }

  private param(name: string, w: WeightValue, dims = w.shape): string {
    return this.e.init(floatTensor(`${this.n.name}_${name}`, dims, w.values));
  }

  private linear(x: string, name: string): string {
    const y = this.e.op('MatMul', `${this.n.name}_${name}`, [x, this.param(`${name}_W`, this.w(`${name}_kernel`))]);
    return this.e.op('Add', `${this.n.name}_${name}_bias`, [y, this.param(`${name}_B`, this.w(`${name}_bias`))]);
  }

  layerNorm(x: string, name: string, gamma: WeightValue, beta: WeightValue, eps: number): string {
    const p = `${this.n.name}_${name}`;
    const mean = this.e.op('ReduceMean', `${p}_mean`, [x], [ints('axes', [-1]), int('keepdims', 1)]);
    const xc = this.e.op('Sub', `${p}_centre`, [x, mean]);
    const variance = this.e.op('ReduceMean', `${p}_var`, [this.e.op('Mul', `${p}_sq`, [xc, xc])], [ints('axes', [-1]), int('keepdims', 1)]);
    const std = this.e.op('Sqrt', `${p}_std`, [this.e.op('Add', `${p}_eps`, [variance, this.e.init(scalar(`${p}_epsilon`, eps))])]);
    const scaled = this.e.op('Mul', `${p}_gamma`, [this.e.op('Div', `${p}_norm`, [xc, std]), this.param(`${name}_g`, gamma)]);
    return this.e.op('Add', `${p}_beta`, [scaled, this.param(`${name}_b`, beta)]);
  }

  patchEmbed(image: string): string {
    const n = this.n;
    const p = Number(n.config['patch']);
    const kernel = this.w('kernel');
    const [kh, kw, ci, d] = kernel.shape as [number, number, number, number];
    const oihw = hwioToOihw(kernel);
    const conv = this.e.op('Conv', n.name, [image, this.e.init(floatTensor(`${n.name}_W`, [d, ci, kh, kw], oihw)), this.param('B', this.w('bias'))], [
      ints('kernel_shape', [p, p]), ints('strides', [p, p]), ints('pads', [0, 0, 0, 0]), ints('dilations', [1, 1]), int('group', 1),
    ]);
    const flat = this.e.op('Reshape', `${n.name}_flatten`, [conv, this.e.init(int64Tensor(`${n.name}_flat_shape`, [0, d, -1]))]);
    const tokens = this.e.op('Transpose', `${n.name}_tokens`, [flat], [ints('perm', [0, 2, 1])]);
    const pos = this.w('pos_embed');
    const t = pos.shape[1]!;
    const patchPos = this.e.init(floatTensor(`${n.name}_patch_pos`, [1, t - 1, d], pos.values.subarray(d)));
    const placed = this.e.op('Add', `${n.name}_pos`, [tokens, patchPos]);
    const cls = this.w('cls_token').values.map((v, i) => v + pos.values[i]!);
    const batch = this.e.op('Slice', `${n.name}_batch`, [
      this.e.op('Shape', `${n.name}_shape`, [placed]),
      this.e.init(int64Tensor(`${n.name}_batch_start`, [0])),
      this.e.init(int64Tensor(`${n.name}_batch_end`, [1])),
    ]);
    const clsShape = this.e.op('Concat', `${n.name}_cls_shape`, [batch, this.e.init(int64Tensor(`${n.name}_cls_dims`, [1, d]))], [int('axis', 0)]);
    const clsTokens = this.e.op('Expand', `${n.name}_cls`, [this.e.init(floatTensor(`${n.name}_cls_token`, [1, 1, d], cls)), clsShape]);
    return this.e.op('Concat', `${n.name}_concat`, [clsTokens, placed], [int('axis', 1)]);
  }

  block(x: string): string {
    const n = this.n;
    const eps = Number(n.config['epsilon']);
    const heads = Number(n.config['heads']);
    const d = this.w('proj_bias').shape[0]!;
    const dh = d / heads;
    const h = this.layerNorm(x, 'norm1', this.w('norm1_gamma'), this.w('norm1_beta'), eps);
    const qkv = this.e.op('Reshape', `${n.name}_qkv_split`, [this.linear(h, 'qkv'), this.e.init(int64Tensor(`${n.name}_qkv_shape`, [0, 0, 3, heads, dh]))]);
    const qkvT = this.e.op('Transpose', `${n.name}_qkv_t`, [qkv], [ints('perm', [2, 0, 3, 1, 4])]);
    const part = (i: number, name: string) =>
      this.e.op('Gather', `${n.name}_${name}`, [qkvT, this.e.init(int64Tensor(`${n.name}_${name}_index`, [i], []))], [int('axis', 0)]);
    const [q, k, v] = [part(0, 'q'), part(1, 'k'), part(2, 'v')];
    const kT = this.e.op('Transpose', `${n.name}_kT`, [k], [ints('perm', [0, 1, 3, 2])]);
    const scores = this.e.op('Mul', `${n.name}_scale`, [this.e.op('MatMul', `${n.name}_qk`, [q, kT]), this.e.init(scalar(`${n.name}_scale_value`, 1 / Math.sqrt(dh)))]);
    const att = this.e.op('Softmax', `${n.name}_softmax`, [scores], [int('axis', -1)]);
    const mixed = this.e.op('Transpose', `${n.name}_mixed_t`, [this.e.op('MatMul', `${n.name}_av`, [att, v])], [ints('perm', [0, 2, 1, 3])]);
    const merged = this.e.op('Reshape', `${n.name}_merge`, [mixed, this.e.init(int64Tensor(`${n.name}_merge_shape`, [0, 0, d]))]);
    const y = this.e.op('Add', `${n.name}_res1`, [x, this.linear(merged, 'proj')]);
    const m = this.layerNorm(y, 'norm2', this.w('norm2_gamma'), this.w('norm2_beta'), eps);
    const f = this.linear(m, 'fc1');
    const erf = this.e.op('Erf', `${n.name}_erf`, [this.e.op('Mul', `${n.name}_erf_in`, [f, this.e.init(scalar(`${n.name}_rsqrt2`, Math.SQRT1_2))])]);
    const half = this.e.op('Mul', `${n.name}_half`, [f, this.e.init(scalar(`${n.name}_half_value`, 0.5))]);
    const g = this.e.op('Mul', `${n.name}_gelu`, [half, this.e.op('Add', `${n.name}_erf_1`, [erf, this.e.init(scalar(`${n.name}_one`, 1))])]);
    return this.e.op('Add', `${n.name}_res2`, [y, this.linear(g, 'fc2')]);
  }

  head(x: string): string {
    const n = this.n;
    let pooled: string;
    if (n.config['pool'] === 'cls') {
      pooled = this.e.op('Gather', `${n.name}_cls`, [x, this.e.init(int64Tensor(`${n.name}_cls_index`, [0], []))], [int('axis', 1)]);
    } else if (n.config['pool'] === 'mean') {
      const patches = this.e.op('Slice', `${n.name}_patches`, [
        x, this.e.init(int64Tensor(`${n.name}_from`, [1])), this.e.init(int64Tensor(`${n.name}_to`, [2 ** 31 - 1])), this.e.init(int64Tensor(`${n.name}_axis`, [1])),
      ]);
      pooled = this.e.op('ReduceMean', `${n.name}_mean`, [patches], [ints('axes', [1]), int('keepdims', 0)]);
    } else {
      throw new Error(`cannot export layer '${n.name}' (${n.className}) to ONNX: pooling '${String(n.config['pool'])}'`);
    }
    return this.layerNorm(pooled, 'norm', this.w('gamma'), this.w('beta'), Number(n.config['epsilon']));
  }
}

/**
 * The ops of one ViT layer; `input` is its input value (the NCHW image for the patch
 * embedding, tokens otherwise). Returns the output value's name (never NCHW).
 */
export function vitLayerToOnnx(e: OnnxEmitter, n: LayerNode, input: string): string {
  const ops = new VitOps(e, n);
  if (n.className === 'PretextPatchEmbed') return ops.patchEmbed(input);
  if (n.className === 'PretextViTBlock') return ops.block(input);
  return ops.head(input);
}
