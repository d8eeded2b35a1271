/**
 * A method's evaluated encoder (MethodDefinition.evaluation, EvaluationSpec in types.ts): the
 * backbone, or the backbone followed by the first layers of one of its heads (SimCLR v2
 * fine-tunes and evaluates from the projector's first layer: Chen et al. 2020b, §2 and
 * google-research/simclr tf2 `ft_proj_selector`); with a luminance input in front
 * (backbones/luminance.ts) and, on a ViT, the declared pooling (backbones/vitParts.ts).
 *
 * - encoderChannels: the channels the backbone is built for (1 for a luminance input).
 * - featureNet: for the trainer's per-epoch monitor; runs the live model's layers imperatively,
 *   so it adds no graph node and the model disposes as before.
 * - evaluationEncoder: one tf.layers model (kNN, probe, maps, retrieval and export take a
 *   LayersModel), built from the model's own layers: re-applied to a new input when the input
 *   or the pooling differs from the backbone's (a Luminance layer first; the ViT's final norm
 *   replaced by one of the declared pooling with the same weights). Every other network and
 *   buffer of the model is disposed at once, and the encoder's dispose() frees the rest.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { PretextError } from '../../core/errors';
import { Luminance, luminance, type LuminanceStats } from '../backbones/luminance';
import { isViTModel, repooledHead, vitHeadOf, vitPooled } from '../backbones/vitParts';
import { ViTHead } from '../backbones/vitLayers';
import type { FeatureNet } from '../eval/embed';
import { getMethod } from './index';
import type { EvaluationSpec, Params, SslModel } from './types';

/** What the evaluated encoder is cut from: a built model, or a backbone alone. */
export type ModelParts = Pick<SslModel, 'backbone' | 'networks' | 'buffers'>;

/** The evaluation of `method` with these params (the backbone alone unless it declares more). */
export function evaluationSpec(method: string, params: Params): EvaluationSpec {
  const spec = getMethod(method).evaluation?.(params) ?? {};
  if (spec.input !== undefined && spec.input !== 'rgb' && spec.input !== 'luminance') throw new PretextError(`evaluation of ${method}: input must be 'rgb' or 'luminance', got '${String(spec.input)}'`);
  if (spec.pooling !== undefined && spec.pooling !== 'cls' && spec.pooling !== 'mean') throw new PretextError(`evaluation of ${method}: pooling must be 'cls' or 'mean', got '${String(spec.pooling)}'`);
  return spec;
}

/** The channels a backbone evaluated by `spec` is built for, on images of `channels`. */
export function encoderChannels(spec: EvaluationSpec, channels: number): number {
  return spec.input === 'luminance' ? 1 : channels;
}

function headOf(model: ModelParts, spec: EvaluationSpec): { head: tfl.LayersModel; layers: tfl.layers.Layer[] } | null {
  if (!spec.head) return null;
  const { network, layers } = spec.head;
  const head = model.networks()[network];
  if (!head || network === 'backbone') throw new PretextError(`evaluation: the model has no head network '${network}' (it has ${Object.keys(model.networks()).join(', ')})`);
  if (!Number.isInteger(layers) || layers < 1 || layers > head.layers.length) {
    throw new PretextError(`evaluation: ${layers} layers of '${network}' asked, it has ${head.layers.length}`);
  }
  return { head, layers: head.layers.slice(0, layers) };
}

/** The pooling to swap in: the declared one on a ViT that pools otherwise, else none. */
function repool(backbone: tfl.LayersModel, spec: EvaluationSpec): 'cls' | 'mean' | null {
  if (!spec.pooling || !isViTModel(backbone)) return null;
  return vitHeadOf(backbone).pool === spec.pooling ? null : spec.pooling;
}

function checkStats(spec: EvaluationSpec, stats: LuminanceStats | undefined): LuminanceStats | null {
  if (spec.input !== 'luminance') return null;
  if (!stats) throw new PretextError('evaluation: a luminance input needs the normalisation statistics of the images');
  return stats;
}

/** The evaluated encoder of a live model, for the trainer's monitor (inference mode). */
export function featureNet(model: ModelParts, spec: EvaluationSpec, stats?: LuminanceStats): FeatureNet {
  const h = headOf(model, spec);
  const lum = checkStats(spec, stats);
  const pool = repool(model.backbone, spec);
  if (!h && !lum && !pool) return model.backbone;
  const features = (x: tf.Tensor, kwargs?: Record<string, unknown>): tf.Tensor => {
    const input = lum ? luminance(x, lum) : x;
    return pool ? vitPooled(model.backbone, input, pool, kwargs?.['training'] === true) : (model.backbone.apply(input, kwargs) as tf.Tensor);
  };
  return {
    apply: (x, kwargs) => tf.tidy(() => (h?.layers ?? []).reduce((t, layer) => layer.apply(t, kwargs) as tf.Tensor, features(x as tf.Tensor, kwargs))),
  };
}

/**
 * Re-applies the layers of `model` (a functional model whose layers are each applied once, as
 * the registry builds them) to `input`, in topological order; `swap` may give another output
 * for a layer. Returns the new output.
 */
function rewire(model: tfl.LayersModel, input: tfl.SymbolicTensor, swap: (layer: tfl.layers.Layer, x: tfl.SymbolicTensor) => tfl.SymbolicTensor | null): tfl.SymbolicTensor {
  const map = new Map<tfl.SymbolicTensor, tfl.SymbolicTensor>([[model.inputs[0]!, input]]);
  for (const layer of model.layers) {
    if (model.inputLayers.includes(layer)) continue;
    if (layer.inboundNodes.length !== 1) throw new Error(`evaluation: layer '${layer.name}' of '${model.name}' is applied ${layer.inboundNodes.length} times`);
    const node = layer.inboundNodes[0]!;
    const ins = node.inputTensors.map((t) => {
      const m = map.get(t);
      if (!m) throw new Error(`evaluation: layer '${layer.name}' of '${model.name}' reads a tensor outside the model`);
      return m;
    });
    const out = swap(layer, ins[0]!) ?? (layer.apply(ins.length === 1 ? ins[0]! : ins) as tfl.SymbolicTensor);
    map.set(node.outputTensors[0]!, out);
  }
  const out = map.get(model.outputs[0]!);
  if (!out) throw new Error(`evaluation: the output of '${model.name}' was not reached`);
  return out;
}

/**
 * The evaluated encoder as one LayersModel. Takes the model over: its other networks and its
 * buffers are disposed here; call the returned dispose() (not model.dispose()) when done.
 * `stats`: the normalisation of the images (a luminance input needs them).
 */
export function evaluationEncoder(model: ModelParts, spec: EvaluationSpec, stats?: LuminanceStats): { encoder: tfl.LayersModel; dispose(): void } {
  const h = headOf(model, spec);
  const lum = checkStats(spec, stats);
  const pool = repool(model.backbone, spec);
  const backbone = model.backbone;
  const keep = new Set<tfl.LayersModel>([backbone, ...(h ? [h.head] : [])]);
  for (const net of Object.values(model.networks())) if (!keep.has(net)) net.dispose();
  for (const v of Object.values(model.buffers())) v.dispose();
  if (!h && !lum && !pool) return { encoder: backbone, dispose: () => void backbone.dispose() };
  let inputs = backbone.inputs;
  let x = backbone.outputs[0]!;
  const rewired = lum !== null || pool !== null;
  if (rewired) {
    const [, height, width] = backbone.inputs[0]!.shape as [null, number, number, number];
    const image = tfl.input({ shape: [height, width, lum ? lum.mean.length : (backbone.inputs[0]!.shape[3] as number)], name: 'image' });
    const first = lum ? (new Luminance({ mean: [...lum.mean], std: [...lum.std], name: 'luminance' }).apply(image) as tfl.SymbolicTensor) : image;
    x = rewire(backbone, first, (layer, t) => (pool && layer instanceof ViTHead ? repooledHead(layer, pool, t).output : null));
    inputs = [image];
  }
  for (const layer of h?.layers ?? []) x = layer.apply(x) as tfl.SymbolicTensor;
  const encoder = tfl.model({ inputs, outputs: x, name: `${backbone.name}_eval` });
  return {
    encoder,
    // Layers applied in two graphs have a refcount of 2: the backbone (when rewired) and the
    // head free their layers once (the replaced ViT head, never in the encoder, for good), the
    // encoder frees every layer it holds.
    dispose: () => {
      if (rewired) backbone.dispose();
      h?.head.dispose();
      encoder.dispose();
    },
  };
}
