/**
 * ResNet encoders as tf.layers models (He et al. 2016; torchvision's resnet18/34 layout with
 * BasicBlocks). Output: the globally average-pooled feature vector (the fc layer is dropped, as
 * every SSL method does).
 *
 * - CIFAR stem (input ≤ 64 px): 3×3 conv, stride 1, no max-pool — the variant SimCLR and
 *   solo-learn use for CIFAR.
 * - ImageNet stem (input > 64 px): 7×7 conv stride 2 + 3×3 max-pool stride 2.
 * - Padding follows PyTorch (symmetric pad 1 for 3×3 at stride 2, pad 3 for 7×7): explicit
 *   zero-padding layers before 'valid' convolutions, so weights line up with torchvision.
 * - BatchNorm as in PyTorch (eps 1e-5, momentum 0.1), fused with the ReLU that follows it:
 *   batchNorm.ts keeps two activation-sized tensors per conv-BN-ReLU for backward instead of
 *   tf.layers' five, which is what lets ResNet-18 train on 256 views inside wasm's 4 GiB.
 * - Conv init: Kaiming normal, fan_out, ReLU gain (torchvision's init).
 * - `small`: a narrow 3-stage ResNet (one BasicBlock per stage, widths 32/64/128 × width) for
 *   work on a CPU.
 */
import * as tf from '@tensorflow/tfjs-layers';
import type { SymbolicTensor } from '@tensorflow/tfjs-layers';
import { BatchNorm } from './batchNorm';

export type ResNetName = 'resnet18' | 'resnet34' | 'small';

export interface ResNetOptions {
  /** Input side in pixels (square). */
  size: number;
  /** 1 (grayscale) or 3 (RGB). */
  channels: 1 | 3;
  /** Width multiplier applied to every stage (default 1). */
  width?: number;
  /** Seed for the initialisers (default: tfjs's random seed). */
  seed?: number;
  /** Model name (default: the architecture name). */
  name?: string;
}

interface Arch {
  blocks: number[];
  widths: number[];
  stemWidth: number;
}

const ARCHS: Record<ResNetName, Arch> = {
  resnet18: { blocks: [2, 2, 2, 2], widths: [64, 128, 256, 512], stemWidth: 64 },
  resnet34: { blocks: [3, 4, 6, 3], widths: [64, 128, 256, 512], stemWidth: 64 },
  small: { blocks: [1, 1, 1], widths: [32, 64, 128], stemWidth: 32 },
};

export const RESNET_NAMES = Object.keys(ARCHS) as ResNetName[];

class Builder {
  private n = 0;
  constructor(private readonly seed: number | undefined) {}

  private id(kind: string): string {
    this.n += 1;
    return `${kind}_${this.n}`;
  }

  private init(): ReturnType<typeof tf.initializers.varianceScaling> {
    const seed = this.seed === undefined ? undefined : this.seed + this.n;
    return tf.initializers.varianceScaling({ scale: 2, mode: 'fanOut', distribution: 'normal', ...(seed === undefined ? {} : { seed }) });
  }

  conv(x: SymbolicTensor, filters: number, kernel: number, stride: number, pad: number): SymbolicTensor {
    let h = x;
    // Stride 1 with pad (k−1)/2 is exactly 'same'; otherwise pad explicitly like PyTorch.
    const same = stride === 1 && pad * 2 === kernel - 1;
    if (!same && pad > 0) h = tf.layers.zeroPadding2d({ padding: pad, name: this.id('pad') }).apply(h) as SymbolicTensor;
    return tf.layers
      .conv2d({
        filters,
        kernelSize: kernel,
        strides: stride,
        padding: same ? 'same' : 'valid',
        useBias: false,
        kernelInitializer: this.init(),
        name: this.id('conv'),
      })
      .apply(h) as SymbolicTensor;
  }

  bn(x: SymbolicTensor, relu = false): SymbolicTensor {
    return new BatchNorm({ momentum: 0.1, epsilon: 1e-5, relu, name: this.id(relu ? 'bn_relu' : 'bn') }).apply(x) as SymbolicTensor;
  }

  basicBlock(x: SymbolicTensor, filters: number, stride: number): SymbolicTensor {
    const inC = x.shape[x.shape.length - 1];
    const h = this.bn(this.conv(x, filters, 3, stride, 1), true);
    const shortcut = stride !== 1 || inC !== filters ? this.bn(this.conv(x, filters, 1, stride, 0)) : x;
    // relu(bn(conv(h)) + shortcut) as one layer (batchNorm.ts).
    return new BatchNorm({ momentum: 0.1, epsilon: 1e-5, relu: true, name: this.id('bn_add_relu') }).apply([this.conv(h, filters, 3, 1, 1), shortcut]) as SymbolicTensor;
  }
}

/** Builds a ResNet encoder; output shape [batch, features]. */
export function resnet(arch: ResNetName, opts: ResNetOptions): tf.LayersModel {
  const spec = ARCHS[arch];
  if (!spec) throw new Error(`unknown ResNet '${arch}': expected one of ${RESNET_NAMES.join(', ')}`);
  const width = opts.width ?? 1;
  if (!(width > 0)) throw new Error(`ResNet width multiplier must be > 0, got ${width}`);
  if (opts.channels !== 1 && opts.channels !== 3) throw new Error(`ResNet input channels must be 1 or 3, got ${opts.channels}`);
  if (!Number.isInteger(opts.size) || opts.size < 8) throw new Error(`ResNet input size must be an integer ≥ 8, got ${opts.size}`);
  const scaled = (c: number) => Math.max(1, Math.round(c * width));
  const b = new Builder(opts.seed);
  const input = tf.input({ shape: [opts.size, opts.size, opts.channels], name: 'image' });
  let x: SymbolicTensor;
  if (opts.size <= 64) {
    x = b.bn(b.conv(input, scaled(spec.stemWidth), 3, 1, 1), true);
  } else {
    x = b.bn(b.conv(input, scaled(spec.stemWidth), 7, 2, 3), true);
    x = tf.layers.zeroPadding2d({ padding: 1, name: 'stem_pool_pad' }).apply(x) as SymbolicTensor;
    x = tf.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'valid', name: 'stem_pool' }).apply(x) as SymbolicTensor;
  }
  spec.blocks.forEach((count, stage) => {
    for (let i = 0; i < count; i++) {
      x = b.basicBlock(x, scaled(spec.widths[stage]!), i === 0 && stage > 0 ? 2 : 1);
    }
  });
  const pooled = tf.layers.globalAveragePooling2d({ name: 'pool' }).apply(x) as SymbolicTensor;
  return tf.model({ inputs: input, outputs: pooled, name: opts.name ?? arch });
}

/** Multiply-accumulates of one forward pass for one image (conv + BN-free count), for GFLOP/s. */
export function forwardMacs(model: tf.LayersModel): number {
  let macs = 0;
  for (const layer of model.layers) {
    if (layer.getClassName() !== 'Conv2D') continue;
    const out = layer.outputShape as number[];
    const kernel = (layer.getWeights()[0]!.shape as number[]);
    const [kh, kw, cin, cout] = kernel as [number, number, number, number];
    macs += out[1]! * out[2]! * kh * kw * cin * cout;
  }
  for (const layer of model.layers) {
    if (layer.getClassName() !== 'Dense') continue;
    const [cin, cout] = layer.getWeights()[0]!.shape as [number, number];
    macs += cin * cout;
  }
  return macs;
}

/** Residual blocks per stage of an architecture (torchvision's layer1..layerN counts). */
export function resnetBlocks(arch: string): number[] | undefined {
  const spec = ARCHS[arch as ResNetName];
  return spec ? [...spec.blocks] : undefined;
}
