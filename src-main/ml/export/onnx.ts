/**
 * A tf.layers backbone as an ONNX model (opset 13), written on protobufjs (onnxProto.ts).
 *
 * Layout: the ONNX model's input is NHWC float32 [N, H, W, C] like the tfjs model's, named
 * `image`; a Transpose to NCHW comes first and the rest of the graph is in ONNX's native NCHW.
 * The output is `features` [N, D]. Batch size is symbolic (`N`). Inputs are normalised images:
 * ((pixel / 255) − mean) / std with the mean/std of the sidecar (the model does not normalise).
 *
 * Layer → ops:
 *   Conv2D → Conv (kernel HWIO → OIHW; tfjs 'same' → explicit pads, the odd pixel at the end as
 *     TensorFlow does; a ZeroPadding2D feeding only a 'valid' conv is folded into its pads),
 *     + Relu for a fused relu activation;
 *   PretextBatchNorm / BatchNormalization → BatchNormalization on NCHW or (N, C) (inference: running statistics,
 *     the trained eps), + Add for a residual input, + Relu when fused;
 *   Add → Add; ReLU / Activation('relu') → Relu; ZeroPadding2D otherwise → Pad (constant 0);
 *   MaxPooling2D / AveragePooling2D → MaxPool / AveragePool (pads excluded from averages, as
 *     tfjs does); ZeroPadding2D + MaxPooling2D → MaxPool + Max with a constant mask (see there); GlobalAveragePooling2D / GlobalMaxPooling2D → GlobalAveragePool /
 *     GlobalMaxPool + Flatten; Flatten → Transpose back to NHWC + Flatten (tfjs flattens NHWC);
 *   Dense → Gemm (+ Relu); Dropout → Identity;
 *   the Vision Transformer's layers (PretextPatchEmbed, PretextViTBlock, PretextViTHead): onnxVit.ts;
 *   PretextLuminance (an L-only encoder's input, backbones/luminance.ts) → Conv 1×1 to one channel.
 * Any other layer is refused with its name and class.
 */
import { modelGraph, pair, weightOf, type LayerNode, type ModelGraph } from './graph';
import {
  AttributeType, DataType, IR_VERSION, OPSET, encodeModel,
  type AttributeJson, type ModelJson, type NodeJson, type TensorJson, type ValueInfoJson,
} from './onnxProto';
import { float, floatTensor, hwioToOihw, int, int64Tensor, ints } from './onnxTensors';
import { VIT_LAYER_CLASSES, vitLayerToOnnx } from './onnxVit';
import { luminanceAffine, luminanceStatsOf } from '../backbones/luminance';
import type * as tfl from '@tensorflow/tfjs-layers';

export interface OnnxOptions {
  /** Producer version and free-form metadata (stored as metadata_props). */
  producerVersion?: string;
  metadata?: Record<string, string>;
  docString?: string;
}

export const ONNX_INPUT = 'image';
export const ONNX_OUTPUT = 'features';

/** What a tfjs layer's output is in the ONNX graph: its value name and whether it is NCHW. */
interface Value {
  name: string;
  nchw: boolean;
}

/**
 * ONNX pads [top, left, bottom, right] of TensorFlow 'same' padding: output ceil(in / stride),
 * total padding split with the extra pixel at the end.
 */
export function samePads(inHW: [number, number], kernel: [number, number], strides: [number, number], dilation: [number, number]): number[] {
  const begin: number[] = [];
  const end: number[] = [];
  for (let a = 0; a < 2; a++) {
    const out = Math.ceil(inHW[a]! / strides[a]!);
    const extent = (kernel[a]! - 1) * dilation[a]! + 1;
    const total = Math.max(0, (out - 1) * strides[a]! + extent - inHW[a]!);
    begin.push(Math.floor(total / 2));
    end.push(total - Math.floor(total / 2));
  }
  return [...begin, ...end];
}

/**
 * For a max-pool over a zero-padded map (padded size `paddedHW`, zero pads [top, left, bottom,
 * right] = `zero`, the pool's own 'same' pads `own`): 0 at each output position whose window
 * covers a zero-padding cell, −FLT_MAX elsewhere.
 */
export function zeroPadMask(paddedHW: [number, number], outHW: [number, number], k: [number, number], s: [number, number], own: number[], zero: number[]): Float32Array {
  const [hp, wp] = paddedHW;
  const mask = new Float32Array(outHW[0] * outHW[1]).fill(-3.4028234663852886e38);
  const isZero = (r: number, c: number) => r < zero[0]! || r >= hp - zero[2]! || c < zero[1]! || c >= wp - zero[3]!;
  for (let i = 0; i < outHW[0]; i++) {
    for (let j = 0; j < outHW[1]; j++) {
      let touched = false;
      for (let dr = 0; dr < k[0] && !touched; dr++) {
        for (let dc = 0; dc < k[1] && !touched; dc++) {
          const r = i * s[0] - own[0]! + dr;
          const c = j * s[1] - own[1]! + dc;
          touched = r >= 0 && r < hp && c >= 0 && c < wp && isZero(r, c);
        }
      }
      if (touched) mask[i * outHW[1] + j] = 0;
    }
  }
  return mask;
}

class OnnxBuilder {
  readonly nodes: NodeJson[] = [];
  readonly initializers: TensorJson[] = [];
  private readonly values = new Map<string, Value>();
  private readonly shapes = new Map<string, number[]>();
  /** Pads [top, left, bottom, right] of a ZeroPadding2D folded into the conv that consumes it. */
  private readonly folded = new Map<string, number[]>();
  private readonly consumers = new Map<string, LayerNode[]>();

  constructor(private readonly graph: ModelGraph) {
    for (const n of graph.nodes) {
      this.shapes.set(n.name, n.outputShape);
      for (const i of n.inputs) this.consumers.set(i, [...(this.consumers.get(i) ?? []), n]);
    }
  }

  op(opType: string, name: string, inputs: string[], attrs: AttributeJson[] = [], output = `${name}_out`): string {
    this.nodes.push({ name, op_type: opType, input: inputs, output: [output], attribute: attrs });
    return output;
  }

  init(t: TensorJson): string {
    this.initializers.push(t);
    return t.name;
  }

  private fail(n: LayerNode, reason: string): never {
    throw new Error(`cannot export layer '${n.name}' (${n.className}) to ONNX: ${reason}`);
  }

  private input(n: LayerNode, i = 0): Value {
    const v = this.values.get(n.inputs[i]!);
    if (!v) this.fail(n, `its input '${n.inputs[i]}' was not converted`);
    return v;
  }

  private nchw(n: LayerNode, i = 0): string {
    const v = this.input(n, i);
    if (!v.nchw) this.fail(n, 'it needs a 4-D image input');
    return v.name;
  }

  private inputHW(n: LayerNode): [number, number] {
    const s = this.shapes.get(n.inputs[0]!)!;
    return [s[1]!, s[2]!];
  }

  private activation(n: LayerNode, value: string): string {
    const act = n.config['activation'] ?? 'linear';
    if (act === 'linear') return value;
    if (act === 'relu') return this.op('Relu', `${n.name}_relu`, [value]);
    this.fail(n, `activation '${String(act)}' is not supported (linear, relu)`);
  }

  private poolPads(n: LayerNode, kernel: [number, number], strides: [number, number]): number[] {
    const padding = n.config['padding'];
    if (padding === 'valid') return [0, 0, 0, 0];
    if (padding === 'same') return samePads(this.inputHW(n), kernel, strides, [1, 1]);
    this.fail(n, `padding '${String(padding)}' is not supported`);
  }

  private set(n: LayerNode, name: string, nchw: boolean): void {
    this.values.set(n.name, { name, nchw });
  }

  add(n: LayerNode): void {
    const c = n.config;
    if (c['data_format'] !== undefined && c['data_format'] !== 'channels_last') this.fail(n, `data_format ${String(c['data_format'])}`);
    switch (n.className) {
      case 'InputLayer': {
        const out = this.op('Transpose', 'input_to_nchw', [ONNX_INPUT], [ints('perm', [0, 3, 1, 2])]);
        return this.set(n, out, true);
      }
      case 'ZeroPadding2D': {
        const p = c['padding'] as [[number, number], [number, number]];
        const pads = [p[0][0], p[1][0], p[0][1], p[1][1]];
        const next = this.consumers.get(n.name) ?? [];
        const only = next.length === 1 ? next[0]! : undefined;
        if ((only?.className === 'Conv2D' && only.config['padding'] === 'valid') || only?.className === 'MaxPooling2D') {
          this.folded.set(only.name, pads);
          return this.set(n, this.nchw(n), true);
        }
        const all = [0, 0, pads[0]!, pads[1]!, 0, 0, pads[2]!, pads[3]!];
        const out = this.op('Pad', n.name, [this.nchw(n), this.init(int64Tensor(`${n.name}_pads`, all))], [{ name: 'mode', type: AttributeType.STRING, s: new TextEncoder().encode('constant') }]);
        return this.set(n, out, true);
      }
      case 'Conv2D': {
        const kernel = weightOf(n, 'kernel');
        const k = pair(c['kernel_size'], `${n.name}.kernel_size`);
        const strides = pair(c['strides'], `${n.name}.strides`);
        const dilation = pair(c['dilation_rate'] ?? 1, `${n.name}.dilation_rate`);
        let pads: number[];
        if (c['padding'] === 'same') pads = samePads(this.inputHW(n), k, strides, dilation);
        else if (c['padding'] === 'valid') pads = this.folded.get(n.name) ?? [0, 0, 0, 0];
        else this.fail(n, `padding '${String(c['padding'])}' is not supported`);
        const inputs = [this.nchw(n), this.init(floatTensor(`${n.name}_W`, [kernel.shape[3]!, kernel.shape[2]!, k[0], k[1]], hwioToOihw(kernel)))];
        if (c['use_bias']) {
          const b = weightOf(n, 'bias');
          inputs.push(this.init(floatTensor(`${n.name}_B`, b.shape, b.values)));
        }
        const out = this.op('Conv', n.name, inputs, [ints('kernel_shape', k), ints('strides', strides), ints('dilations', dilation), ints('pads', pads), int('group', 1)]);
        return this.set(n, this.activation(n, out), true);
      }
      case 'PretextBatchNorm':
      case 'BatchNormalization': {
        const axis = c['axis'] ?? -1;
        if (axis !== -1 && axis !== 3) this.fail(n, `axis ${JSON.stringify(axis)} (only the channel axis is supported)`);
        const mean = weightOf(n, 'moving_mean');
        const ch = mean.shape[0]!;
        const ones = new Float32Array(ch).fill(1);
        const gamma = n.weights.find((w) => w.name === 'gamma')?.values ?? ones;
        const beta = n.weights.find((w) => w.name === 'beta')?.values ?? new Float32Array(ch);
        // ONNX BatchNormalization takes (N, C, …): an image in NCHW, or a feature vector (N, C)
        // after a Dense layer (a head's batch norm, in an evaluated encoder).
        const src = this.input(n);
        let out = this.op('BatchNormalization', n.name, [
          src.name,
          this.init(floatTensor(`${n.name}_scale`, [ch], gamma)),
          this.init(floatTensor(`${n.name}_bias`, [ch], beta)),
          this.init(floatTensor(`${n.name}_mean`, [ch], mean.values)),
          this.init(floatTensor(`${n.name}_var`, [ch], weightOf(n, 'moving_variance').values)),
        ], [float('epsilon', Number(c['epsilon'] ?? 1e-3))]);
        if (n.inputs.length > 1) out = this.op('Add', `${n.name}_add`, [out, this.nchw(n, 1)]);
        if (c['relu']) out = this.op('Relu', `${n.name}_relu`, [out]);
        return this.set(n, out, src.nchw);
      }
      case 'Add': {
        const ins = n.inputs.map((_, i) => this.input(n, i));
        if (ins.some((v) => v.nchw !== ins[0]!.nchw)) this.fail(n, 'its inputs have different ranks');
        let out = ins[0]!.name;
        for (let i = 1; i < ins.length; i++) out = this.op('Add', ins.length === 2 ? n.name : `${n.name}_${i}`, [out, ins[i]!.name]);
        return this.set(n, out, ins[0]!.nchw);
      }
      case 'ReLU':
        if (c['max_value'] != null || (c['negative_slope'] ?? 0) !== 0 || (c['threshold'] ?? 0) !== 0) this.fail(n, 'only a plain ReLU is supported');
        return this.set(n, this.op('Relu', n.name, [this.input(n).name]), this.input(n).nchw);
      case 'Activation':
        return this.set(n, this.activation(n, this.op('Identity', n.name, [this.input(n).name])), this.input(n).nchw);
      case 'Dropout':
        return this.set(n, this.op('Identity', n.name, [this.input(n).name]), this.input(n).nchw);
      case 'MaxPooling2D':
      case 'AveragePooling2D': {
        const k = pair(c['pool_size'], `${n.name}.pool_size`);
        const strides = pair(c['strides'] ?? c['pool_size'], `${n.name}.strides`);
        const own = this.poolPads(n, k, strides);
        const zero = this.folded.get(n.name);
        if (!zero) {
          const attrs = [ints('kernel_shape', k), ints('strides', strides), ints('pads', own)];
          if (n.className === 'AveragePooling2D') attrs.push(int('count_include_pad', 0));
          return this.set(n, this.op(n.className === 'MaxPooling2D' ? 'MaxPool' : 'AveragePool', n.name, [this.nchw(n)], attrs), true);
        }
        // ZeroPadding2D + MaxPool. Not Pad + MaxPool: onnxruntime's PadFusion folds a zero Pad into
        // MaxPool's pads, which count as −inf, so windows of negative values would lose their
        // zeros. Instead: MaxPool with both paddings, then max with a constant that is 0 where
        // the window covers zero padding and −FLT_MAX elsewhere — exact, with or without fusion.
        const pooled = this.op('MaxPool', n.name, [this.nchw(n)], [ints('kernel_shape', k), ints('strides', strides), ints('pads', own.map((p, i) => p + zero[i]!))]);
        const outShape = this.shapes.get(n.name)!;
        const mask = zeroPadMask(this.inputHW(n), [outShape[1]!, outShape[2]!], k, strides, own, zero);
        const maskName = this.init(floatTensor(`${n.name}_zero_pad_mask`, [1, 1, outShape[1]!, outShape[2]!], mask));
        return this.set(n, this.op('Max', `${n.name}_zero_pad`, [pooled, maskName]), true);
      }
      case 'GlobalAveragePooling2D':
      case 'GlobalMaxPooling2D': {
        const pooled = this.op(n.className === 'GlobalAveragePooling2D' ? 'GlobalAveragePool' : 'GlobalMaxPool', n.name, [this.nchw(n)]);
        return this.set(n, this.op('Flatten', `${n.name}_flatten`, [pooled], [int('axis', 1)]), false);
      }
      case 'Flatten': {
        const v = this.input(n);
        const src = v.nchw ? this.op('Transpose', `${n.name}_to_nhwc`, [v.name], [ints('perm', [0, 2, 3, 1])]) : v.name;
        return this.set(n, this.op('Flatten', n.name, [src], [int('axis', 1)]), false);
      }
      case 'Dense': {
        const v = this.input(n);
        if (v.nchw) this.fail(n, 'a Dense layer on a 4-D input is not supported');
        const kernel = weightOf(n, 'kernel');
        const inputs = [v.name, this.init(floatTensor(`${n.name}_W`, kernel.shape, kernel.values))];
        if (c['use_bias']) {
          const b = weightOf(n, 'bias');
          inputs.push(this.init(floatTensor(`${n.name}_B`, b.shape, b.values)));
        }
        return this.set(n, this.activation(n, this.op('Gemm', n.name, inputs)), false);
      }
      case 'PretextLuminance': {
        // An L-only encoder's input (backbones/luminance.ts): its affine map as a 1×1 Conv to one channel.
        const { kernel, bias } = luminanceAffine(luminanceStatsOf(n.config, `layer '${n.name}'`));
        const w = this.init(floatTensor(`${n.name}_W`, [1, kernel.length, 1, 1], Float32Array.from(kernel)));
        const b = this.init(floatTensor(`${n.name}_B`, [1], Float32Array.of(bias)));
        return this.set(n, this.op('Conv', n.name, [this.nchw(n), w, b], [ints('kernel_shape', [1, 1])]), true);
      }
      default:
        if (VIT_LAYER_CLASSES.has(n.className)) return this.set(n, vitLayerToOnnx(this, n, this.input(n).name), false);
        this.fail(n, 'no ONNX conversion for this layer class');
    }
  }

  output(): Value {
    return this.values.get(this.graph.output)!;
  }
}

function valueInfo(name: string, dims: (number | string)[]): ValueInfoJson {
  return {
    name,
    type: { tensor_type: { elem_type: DataType.FLOAT, shape: { dim: dims.map((d) => (typeof d === 'string' ? { dim_param: d } : { dim_value: d })) } } },
  };
}

/** The ONNX model of a graph (see the file comment for the op mapping). */
export function onnxModelOf(graph: ModelGraph, opts: OnnxOptions = {}): ModelJson {
  const b = new OnnxBuilder(graph);
  for (const n of graph.nodes) b.add(n);
  const last = b.output();
  if (last.nchw) throw new Error(`cannot export model '${graph.name}' to ONNX: its output is a 4-D feature map, not a vector`);
  b.nodes.push({ name: 'output', op_type: 'Identity', input: [last.name], output: [ONNX_OUTPUT], attribute: [] });
  const [h, w, ch] = graph.inputShape;
  return {
    ir_version: IR_VERSION,
    opset_import: [{ domain: '', version: OPSET }],
    producer_name: 'Pretext',
    producer_version: opts.producerVersion ?? '',
    ...(opts.docString ? { doc_string: opts.docString } : {}),
    graph: {
      name: graph.name,
      node: b.nodes,
      initializer: b.initializers,
      input: [valueInfo(ONNX_INPUT, ['N', h, w, ch])],
      output: [valueInfo(ONNX_OUTPUT, ['N', ...graph.outputShape.slice(1)])],
      doc_string: `input ${ONNX_INPUT}: float32 NHWC [N, ${h}, ${w}, ${ch}], normalised ((x/255 − mean)/std); output ${ONNX_OUTPUT}: [N, ${graph.outputShape.slice(1).join(', ')}]`,
    },
    metadata_props: Object.entries(opts.metadata ?? {}).map(([key, value]) => ({ key, value })),
  };
}

/** Serialises a tf.layers model to ONNX bytes. */
export async function toOnnx(model: tfl.LayersModel, opts: OnnxOptions = {}): Promise<Uint8Array> {
  return encodeModel(onnxModelOf(await modelGraph(model), opts));
}
