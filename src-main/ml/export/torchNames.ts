/**
 * Pretext's ResNet weights under torchvision's names (torchvision/models/resnet.py: conv1, bn1,
 * layerS.I.{conv1,bn1,conv2,bn2,downsample.0,downsample.1}; `small` has layer1..layer3), for the
 * recipe export (init.safetensors) and `pretext runs import` (backbone.safetensors). A conv
 * kernel is tfjs [kh, kw, in, out] and PyTorch [out, in, kh, kw]; batch norm's gamma, beta,
 * moving mean and variance are weight, bias, running_mean, running_var. num_batches_tracked has
 * no counterpart and is not mapped.
 *
 * The layers are taken in the order the builder (ml/backbones/resnet.ts) created them (the
 * numeric suffix of their names): stem conv, stem bn; then per block conv1, bn1 (bn_relu), the
 * shortcut's conv and bn when it has one, bn2 (bn_add_relu, created before conv2), conv2.
 */
import type * as tfl from '@tensorflow/tfjs-layers';
import { resnetBlocks } from '../backbones/resnet';

export interface TorchName {
  /** Index into model.weights (the checkpoint's net/backbone/<index>). */
  index: number;
  name: string;
  /** tfjs shape; PyTorch's is the permutation below for a conv kernel. */
  shape: number[];
  conv: boolean;
}

const SUFFIX: Record<string, string> = { kernel: 'weight', gamma: 'weight', beta: 'bias', moving_mean: 'running_mean', moving_variance: 'running_var' };

function order(name: string): number {
  const m = /_(\d+)$/.exec(name);
  return m ? Number(m[1]) : -1;
}

/** torchvision names for every weight of a Pretext ResNet `arch`; throws when the layout differs. */
export function torchvisionNames(model: tfl.LayersModel, arch: string): TorchName[] {
  const blocks = resnetBlocks(arch);
  if (!blocks) throw new Error(`no torchvision names for backbone '${arch}' (ResNets only)`);
  const layers = model.layers.filter((l) => l.weights.length > 0).sort((a, b) => order(a.name) - order(b.name));
  const prefixes: string[] = ['conv1', 'bn1'];
  let k = 2;
  blocks.forEach((count, s) => {
    for (let i = 0; i < count; i++) {
      const p = `layer${s + 1}.${i}.`;
      prefixes.push(`${p}conv1`, `${p}bn1`);
      k += 2;
      if (layers[k]?.name.startsWith('conv')) {
        prefixes.push(`${p}downsample.0`, `${p}downsample.1`);
        k += 2;
      }
      prefixes.push(`${p}bn2`, `${p}conv2`);
      k += 2;
    }
  });
  if (prefixes.length !== layers.length) throw new Error(`backbone '${arch}': ${layers.length} layers with weights, torchvision's layout has ${prefixes.length}`);
  const prefixOf = new Map(layers.map((l, j) => [l.name, prefixes[j]!]));
  return model.weights.map((w, index) => {
    const slash = w.name.lastIndexOf('/');
    const layer = w.name.slice(0, slash);
    const kind = w.name.slice(slash + 1).replace(/_\d+$/, '');
    const prefix = prefixOf.get(layer);
    const suffix = SUFFIX[kind];
    if (!prefix || !suffix || /(conv\d|downsample\.0)$/.test(prefix) !== (kind === 'kernel')) throw new Error(`backbone '${arch}': weight ${w.name} has no torchvision counterpart`);
    return { index, name: `${prefix}.${suffix}`, shape: [...w.shape] as number[], conv: kind === 'kernel' };
  });
}

/** [kh, kw, in, out] → [out, in, kh, kw] (forward) or back (inverse), as a new array. */
export function permuteKernel(values: Float32Array, tfShape: number[], toTorch: boolean): Float32Array {
  const [kh, kw, ci, co] = tfShape as [number, number, number, number];
  const out = new Float32Array(values.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let i = 0; i < ci; i++)
        for (let o = 0; o < co; o++) {
          const tfIdx = ((y * kw + x) * ci + i) * co + o;
          const tIdx = ((o * ci + i) * kh + y) * kw + x;
          if (toTorch) out[tIdx] = values[tfIdx]!;
          else out[tfIdx] = values[tIdx]!;
        }
  return out;
}

export function torchShape(n: TorchName): number[] {
  const s = n.shape;
  return n.conv ? [s[3]!, s[2]!, s[0]!, s[1]!] : s;
}
