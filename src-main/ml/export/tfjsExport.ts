/**
 * A backbone as a stock tfjs LayersModel: model.json + weights.bin, loadable by
 * `tf.loadLayersModel` with nothing but @tensorflow/tfjs(-layers).
 *
 * The training graph uses the project's custom PretextBatchNorm layer (batchNorm.ts: batch norm
 * fused with an optional residual add and ReLU), which a plain tfjs user does not have. The
 * export rebuilds the graph with standard layers — BatchNormalization, then Add when the layer
 * had a residual input, then ReLU when it was fused — and copies every weight, so the stock
 * model computes the same inference function (running statistics, eps as trained). The ViT's
 * layers become stock layers too (tfjsVit.ts), and an L-only encoder's PretextLuminance a 1×1
 * Conv2D of its affine map (backbones/luminance.ts). The other layers are re-created from their own config. tfjs-node is not a dependency, so the artifacts
 * are written by a save handler of ours rather than a file:// URL.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { SymbolicTensor } from '@tensorflow/tfjs-layers';
import { ensureDir, writeOutput } from './files';
import { assignWeights, modelGraph, type LayerNode } from './graph';
import { Luminance, luminanceAffine, luminanceStatsOf } from '../backbones/luminance';
import { stockVitLayer, VIT_TFJS_CLASSES } from './tfjsVit';
import { PRETEXT_VERSION } from './version';

/** Stock tf.layers classes copied as they are (re-created from their config). */
const STOCK = new Set([
  'Conv2D', 'ZeroPadding2D', 'BatchNormalization', 'Add', 'ReLU', 'Activation', 'MaxPooling2D', 'AveragePooling2D',
  'GlobalAveragePooling2D', 'GlobalMaxPooling2D', 'Flatten', 'Dense', 'Dropout',
]);

export const TFJS_FILES = { model: 'model.json', weights: 'weights.bin' } as const;

function stockLayer(live: tfl.layers.Layer): tfl.layers.Layer {
  const entry = tf.serialization.SerializationMap.getMap().classNameMap[live.getClassName()];
  if (!entry) throw new Error(`layer '${live.name}': class ${live.getClassName()} is not registered with tfjs`);
  const [cls, fromConfig] = entry;
  return fromConfig(cls, live.getConfig()) as unknown as tfl.layers.Layer;
}

interface Built {
  layer: tfl.layers.Layer;
  /** The node whose weights it takes (by weight name). */
  from: LayerNode;
}

/**
 * Rebuilds `model` with stock layers only and copies its weights. The caller disposes the
 * returned model. Throws naming the layer when a layer has no stock equivalent.
 */
export async function toStockModel(model: tfl.LayersModel): Promise<tfl.LayersModel> {
  const graph = await modelGraph(model);
  const out = new Map<string, SymbolicTensor>();
  const built: Built[] = [];
  const names = new Set(graph.nodes.map((n) => n.name));
  const fresh = (name: string) => {
    if (names.has(name)) throw new Error(`cannot export model '${model.name}': layer name '${name}' is taken`);
    names.add(name);
    return name;
  };
  const inputsOf = (n: LayerNode) => n.inputs.map((i) => out.get(i)!);
  for (const n of graph.nodes) {
    if (n.className === 'InputLayer') {
      out.set(n.name, tfl.input({ shape: graph.inputShape, name: n.name }));
      continue;
    }
    if (n.className === 'PretextBatchNorm') {
      const [x, residual] = inputsOf(n);
      const bn = tfl.layers.batchNormalization({
        axis: -1,
        // Keras momentum is the weight of the old running value: 1 − PyTorch's.
        momentum: 1 - Number(n.config['momentum'] ?? 0.1),
        epsilon: Number(n.config['epsilon'] ?? 1e-5),
        name: n.name,
      });
      let y = bn.apply(x!) as SymbolicTensor;
      built.push({ layer: bn, from: n });
      if (residual) y = tfl.layers.add({ name: fresh(`${n.name}_add`) }).apply([y, residual]) as SymbolicTensor;
      if (n.config['relu']) y = tfl.layers.reLU({ name: fresh(`${n.name}_relu`) }).apply(y) as SymbolicTensor;
      out.set(n.name, y);
      continue;
    }
    if (n.className === Luminance.className) {
      // An L-only encoder's input (backbones/luminance.ts): a stock 1×1 convolution to one channel.
      const { kernel, bias } = luminanceAffine(luminanceStatsOf(n.config, `layer '${n.name}'`));
      const conv = tfl.layers.conv2d({ filters: 1, kernelSize: 1, useBias: true, name: n.name });
      out.set(n.name, conv.apply(inputsOf(n)[0]!) as SymbolicTensor);
      const weights = [{ name: 'kernel', shape: [1, 1, kernel.length, 1], values: Float32Array.from(kernel) }, { name: 'bias', shape: [1], values: Float32Array.of(bias) }];
      built.push({ layer: conv, from: { ...n, weights } });
      continue;
    }
    if (VIT_TFJS_CLASSES.has(n.className)) {
      out.set(n.name, stockVitLayer(n, inputsOf(n)[0]!, fresh, built));
      continue;
    }
    if (!STOCK.has(n.className)) {
      throw new Error(`cannot export model '${model.name}': layer '${n.name}' is a ${n.className}, which the tfjs export does not support (supported: PretextBatchNorm, PretextLuminance, ${[...VIT_TFJS_CLASSES, ...STOCK].join(', ')})`);
    }
    const layer = stockLayer(model.getLayer(n.name));
    const ins = inputsOf(n);
    out.set(n.name, layer.apply(ins.length === 1 ? ins[0]! : ins) as SymbolicTensor);
    built.push({ layer, from: n });
  }
  const stock = tfl.model({ inputs: out.get(graph.input)!, outputs: out.get(graph.output)!, name: graph.name });
  try {
    for (const { layer, from } of built) {
      const nameOf = (i: number) => layer.weights[i]!.originalName.slice(layer.weights[i]!.originalName.lastIndexOf('/') + 1);
      assignWeights(
        layer,
        (i) => {
          const src = from.weights.find((s) => s.name === nameOf(i));
          if (!src) throw new Error(`layer '${from.name}': no weight '${nameOf(i)}' to copy`);
          return src;
        },
        (i, got, want) => new Error(`layer '${from.name}': weight '${nameOf(i)}' has shape [${got}], the stock layer [${want}]`),
      );
    }
  } catch (err) {
    stock.dispose();
    throw err;
  }
  return stock;
}

/** The tfjs artifacts of a model: model.json (with the weights manifest) and the weight bytes. */
export async function tfjsArtifacts(model: tfl.LayersModel): Promise<{ modelJson: tf.io.ModelJSON; weights: Uint8Array }> {
  let captured: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      captured = a;
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(a) };
    }),
  );
  const a = captured!;
  const weights = new Uint8Array(tf.io.CompositeArrayBuffer.join(a.weightData ?? new ArrayBuffer(0)));
  const modelJson: tf.io.ModelJSON = {
    modelTopology: a.modelTopology as tf.io.ModelJSON['modelTopology'],
    format: a.format ?? 'layers-model',
    generatedBy: a.generatedBy ?? `TensorFlow.js tfjs-layers v${tf.version_core}`,
    convertedBy: `Pretext ${PRETEXT_VERSION}`,
    weightsManifest: [{ paths: [TFJS_FILES.weights], weights: a.weightSpecs ?? [] }],
  };
  return { modelJson, weights };
}

/**
 * Writes `model` (rebuilt with stock layers) as `dir/model.json` + `dir/weights.bin`, each file
 * atomically. Returns the files written. The directory is created when missing.
 */
export async function writeTfjsModel(model: tfl.LayersModel, dir: string): Promise<{ path: string; bytes: number }[]> {
  const stock = await toStockModel(model);
  try {
    const { modelJson, weights } = await tfjsArtifacts(stock);
    ensureDir(dir, 'the tfjs model');
    const w = writeOutput(join(dir, TFJS_FILES.weights), 'the tfjs weights', weights);
    const m = writeOutput(join(dir, TFJS_FILES.model), 'the tfjs model', JSON.stringify(modelJson));
    return [m, w];
  } finally {
    stock.dispose();
  }
}

/** A load handler for a model.json written by writeTfjsModel: `tfl.loadLayersModel(tfjsFileLoader(dir))`. */
export function tfjsFileLoader(dir: string): tf.io.IOHandler {
  return {
    load: async () => {
      const modelJson = JSON.parse(readFileSync(join(dir, TFJS_FILES.model), 'utf8')) as tf.io.ModelJSON;
      return tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
        const specs = manifest.flatMap((g) => g.weights);
        const buffers = manifest.flatMap((g) => g.paths.map((p) => {
          const b = readFileSync(join(dir, p));
          return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
        }));
        return [specs, tf.io.concatenateArrayBuffers(buffers)];
      });
    },
  };
}
