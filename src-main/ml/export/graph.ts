/**
 * A tf.layers functional model as a flat list of layer nodes in topological order, read from its
 * serialised topology (`model.toJSON`), with each layer's weights copied out as float32 arrays.
 * The tfjs and ONNX exporters both walk this list, so they agree on what a model is.
 *
 * Only flat, single-input, single-output models whose layers are each applied once (what
 * resnet() builds) are supported; anything else is refused with the layer's name.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

export interface WeightValue {
  /** The weight's own name inside its layer (kernel, bias, gamma, moving_mean, ...). */
  name: string;
  shape: number[];
  values: Float32Array;
}

export interface LayerNode {
  name: string;
  className: string;
  config: Record<string, unknown>;
  /** Names of the layers whose outputs feed this one, in argument order. */
  inputs: string[];
  /** Output shape, batch first (null batch as -1): NHWC for images. */
  outputShape: number[];
  weights: WeightValue[];
}

export interface ModelGraph {
  name: string;
  nodes: LayerNode[];
  input: string;
  output: string;
  /** [height, width, channels] of the one input (NHWC without the batch). */
  inputShape: [number, number, number];
  outputShape: number[];
}

type InboundRef = [string, number, number, Record<string, unknown>?];

interface TopologyLayer {
  name: string;
  class_name: string;
  config: Record<string, unknown>;
  inbound_nodes: InboundRef[][];
}

interface Topology {
  class_name: string;
  config: { name: string; layers: TopologyLayer[]; input_layers: InboundRef[]; output_layers: InboundRef[] };
}

function fail(model: tfl.LayersModel, reason: string): never {
  throw new Error(`cannot export model '${model.name}': ${reason}`);
}

/** The model's layers, their connections and a copy of their weights. */
export async function modelGraph(model: tfl.LayersModel): Promise<ModelGraph> {
  const topo = model.toJSON(undefined, false) as unknown as Topology;
  const cfg = topo.config;
  if (!cfg || !Array.isArray(cfg.layers)) fail(model, `it is a ${topo.class_name}, not a functional model`);
  if (cfg.input_layers.length !== 1 || cfg.output_layers.length !== 1) {
    fail(model, `it has ${cfg.input_layers.length} inputs and ${cfg.output_layers.length} outputs (one of each is supported)`);
  }
  const nodes: LayerNode[] = [];
  for (const l of cfg.layers) {
    if (l.inbound_nodes.length > 1) fail(model, `layer '${l.name}' is applied ${l.inbound_nodes.length} times (shared layers are not supported)`);
    const refs = l.inbound_nodes[0] ?? [];
    for (const r of refs) {
      if (r[1] !== 0 || r[2] !== 0) fail(model, `layer '${l.name}' reads output ${r[2]} of node ${r[1]} of '${r[0]}' (only single-output layers are supported)`);
    }
    const layer = model.getLayer(l.name);
    const weights: WeightValue[] = [];
    for (const w of layer.weights) {
      const value = w.read();
      const slash = w.originalName.lastIndexOf('/');
      weights.push({ name: w.originalName.slice(slash + 1), shape: value.shape.slice(), values: Float32Array.from(await value.data()) });
    }
    const shape = layer.outputShape;
    if (Array.isArray(shape[0])) fail(model, `layer '${l.name}' has several outputs`);
    const outputShape = (shape as (number | null)[]).map((d) => d ?? -1);
    nodes.push({ name: l.name, className: l.class_name, config: l.config, inputs: refs.map((r) => r[0]), outputShape, weights });
  }
  const inputShape = model.inputs[0]!.shape.slice(1);
  if (inputShape.length !== 3 || inputShape.some((d) => typeof d !== 'number')) {
    fail(model, `its input shape [${model.inputs[0]!.shape.join(', ')}] is not a fixed-size NHWC image`);
  }
  return {
    name: model.name,
    nodes,
    input: cfg.input_layers[0]![0],
    output: cfg.output_layers[0]![0],
    inputShape: inputShape as [number, number, number],
    outputShape: model.outputs[0]!.shape.map((d) => d ?? -1),
  };
}

/** A node's weight by name; a clear error if the layer lacks it. */
export function weightOf(node: LayerNode, name: string): WeightValue {
  const w = node.weights.find((x) => x.name === name);
  if (!w) throw new Error(`layer '${node.name}' (${node.className}) has no weight '${name}' (it has ${node.weights.map((x) => x.name).join(', ') || 'none'})`);
  return w;
}

/** The same attribute as a pair, from tf.layers' number-or-pair configs. */
export function pair(v: unknown, what: string): [number, number] {
  if (typeof v === 'number') return [v, v];
  if (Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'number')) return [v[0] as number, v[1] as number];
  throw new Error(`${what}: expected a number or a pair of numbers, got ${JSON.stringify(v)}`);
}

/**
 * The inverse of the copy out: sets every weight of a layer or model (in `weights` order) from
 * `source(i)`, checking each shape; `mismatch` builds the error for a wrong one. All or nothing:
 * nothing is set when a weight is missing or the wrong shape.
 */
export function assignWeights(
  target: { weights: { shape: (number | null)[] }[]; setWeights(values: tf.Tensor[]): void },
  source: (i: number) => { shape: number[]; values: Float32Array },
  mismatch: (i: number, got: number[], want: number[]) => Error,
): void {
  const shapes = target.weights.map((w) => w.shape as number[]);
  const values = shapes.map((want, i) => {
    const s = source(i);
    if (!tf.util.arraysEqual(s.shape, want)) throw mismatch(i, s.shape, want);
    return s.values;
  });
  const tensors = values.map((v, i) => tf.tensor(v, shapes[i]));
  target.setWeights(tensors);
  tf.dispose(tensors);
}
