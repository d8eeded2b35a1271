/**
 * A method's evaluated encoder (MethodDefinition.evaluation): the backbone, or the backbone
 * followed by the first layers of one of its heads (SimCLR v2 fine-tunes and evaluates from
 * the projector's first layer: Chen et al. 2020b, §2 and google-research/simclr tf2
 * `ft_proj_selector`).
 *
 * - featureNet: for the trainer's per-epoch monitor; runs the live model's layers imperatively,
 *   so it adds no graph node and the model disposes as before.
 * - evaluationEncoder: one tf.layers model (kNN, probe, maps, export take a LayersModel), built
 *   from the model's own backbone and head layers; every other network and buffer of the model
 *   is disposed at once, and the encoder's dispose() frees the rest.
 */
import type * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { PretextError } from '../../core/errors';
import type { FeatureNet } from '../eval/embed';
import { getMethod } from './index';
import type { EvaluationSpec, Params, SslModel } from './types';

/** The evaluation of `method` with these params (the backbone alone unless it declares more). */
export function evaluationSpec(method: string, params: Params): EvaluationSpec {
  return getMethod(method).evaluation?.(params) ?? {};
}

function headOf(model: SslModel, spec: EvaluationSpec): { head: tfl.LayersModel; layers: tfl.layers.Layer[] } | null {
  if (!spec.head) return null;
  const { network, layers } = spec.head;
  const head = model.networks()[network];
  if (!head || network === 'backbone') throw new PretextError(`evaluation: the model has no head network '${network}' (it has ${Object.keys(model.networks()).join(', ')})`);
  if (!Number.isInteger(layers) || layers < 1 || layers > head.layers.length) {
    throw new PretextError(`evaluation: ${layers} layers of '${network}' asked, it has ${head.layers.length}`);
  }
  return { head, layers: head.layers.slice(0, layers) };
}

/** The evaluated encoder of a live model, for the trainer's monitor (inference mode). */
export function featureNet(model: SslModel, spec: EvaluationSpec): FeatureNet {
  const h = headOf(model, spec);
  if (!h) return model.backbone;
  return {
    apply: (x, kwargs) => h.layers.reduce((t, layer) => layer.apply(t, kwargs) as tf.Tensor, model.backbone.apply(x, kwargs) as tf.Tensor),
  };
}

/**
 * The evaluated encoder as one LayersModel. Takes the model over: its other networks and its
 * buffers are disposed here; call the returned dispose() (not model.dispose()) when done.
 */
export function evaluationEncoder(model: SslModel, spec: EvaluationSpec): { encoder: tfl.LayersModel; dispose(): void } {
  const h = headOf(model, spec);
  const keep = new Set<tfl.LayersModel>([model.backbone, ...(h ? [h.head] : [])]);
  for (const net of Object.values(model.networks())) if (!keep.has(net)) net.dispose();
  for (const v of Object.values(model.buffers())) v.dispose();
  if (!h) return { encoder: model.backbone, dispose: () => void model.backbone.dispose() };
  let x = model.backbone.outputs[0]!;
  for (const layer of h.layers) x = layer.apply(x) as tfl.SymbolicTensor;
  const encoder = tfl.model({ inputs: model.backbone.inputs, outputs: x, name: `${model.backbone.name}_eval` });
  return {
    encoder,
    // The head's chosen layers are now in two graphs (refcount 2), the backbone's in the
    // encoder's only: the head frees its other layers and one count of the chosen; the encoder
    // frees the backbone's layers and the chosen ones.
    dispose: () => {
      h.head.dispose();
      encoder.dispose();
    },
  };
}
