/** Test models for the exporters: ResNets with random (non-trivial) weights and an odd-op graph. */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { SymbolicTensor } from '@tensorflow/tfjs-layers';
import { BatchNorm } from '../../../src-main/ml/backbones/batchNorm';
import { seeded } from '../backend/helpers';

/**
 * Every weight set to seeded values: kernels and affine terms in ±0.5, running variances in
 * [0.5, 1.5], running means in ±0.5 — so batch norm is not the identity it is at init.
 */
export function randomizeWeights(model: tfl.LayersModel, seed: number): void {
  const values = model.weights.map((w, i) => {
    const n = w.shape.reduce((a: number, b) => a * (b ?? 1), 1);
    const v = seeded(n, seed * 1000 + i);
    const name = w.originalName;
    const scaled = name.endsWith('moving_variance') ? v.map((x) => 1 + 0.5 * x) : v.map((x) => 0.5 * x);
    return tf.tensor(scaled, w.shape as number[]);
  });
  model.setWeights(values);
  tf.dispose(values);
}

/**
 * A graph with what resnet() does not build but the exporters support: stride-2 'same' convs
 * (asymmetric padding on even sizes), a dilated conv with bias and relu, an asymmetric
 * ZeroPadding2D before a 'same' max-pool of values of both signs, a ZeroPadding2D before an
 * average pool (a Pad op), a stock BatchNormalization, a residual
 * PretextBatchNorm without ReLU, Flatten and Dense.
 */
export function oddModel(size: number, channels: 1 | 3): tfl.LayersModel {
  const x = tfl.input({ shape: [size, size, channels], name: 'image' });
  const c1 = tfl.layers.conv2d({ filters: 6, kernelSize: 3, strides: 2, padding: 'same', useBias: false, name: 'c1' }).apply(x) as SymbolicTensor;
  const b1 = new BatchNorm({ relu: true, name: 'b1' }).apply(c1) as SymbolicTensor;
  const c2 = tfl.layers.conv2d({ filters: 6, kernelSize: 3, dilationRate: 2, padding: 'same', activation: 'relu', name: 'c2' }).apply(b1) as SymbolicTensor;
  const c3 = tfl.layers.conv2d({ filters: 6, kernelSize: 1, useBias: false, name: 'c3' }).apply(c2) as SymbolicTensor;
  const b2 = new BatchNorm({ relu: false, name: 'b2' }).apply([c3, b1]) as SymbolicTensor;
  const p0 = tfl.layers.zeroPadding2d({ padding: [[1, 0], [0, 1]], name: 'p0' }).apply(b2) as SymbolicTensor;
  const mp = tfl.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same', name: 'mp' }).apply(p0) as SymbolicTensor;
  const c4 = tfl.layers.conv2d({ filters: 8, kernelSize: [3, 2], strides: 2, padding: 'same', useBias: false, name: 'c4' }).apply(mp) as SymbolicTensor;
  const b3 = tfl.layers.batchNormalization({ epsilon: 1e-3, name: 'b3' }).apply(c4) as SymbolicTensor;
  const r = tfl.layers.reLU({ name: 'r' }).apply(b3) as SymbolicTensor;
  const p1 = tfl.layers.zeroPadding2d({ padding: 1, name: 'p1' }).apply(r) as SymbolicTensor;
  const ap = tfl.layers.averagePooling2d({ poolSize: 2, strides: 1, padding: 'same', name: 'ap' }).apply(p1) as SymbolicTensor;
  const f = tfl.layers.flatten({ name: 'f' }).apply(ap) as SymbolicTensor;
  const d = tfl.layers.dense({ units: 5, activation: 'relu', name: 'd' }).apply(f) as SymbolicTensor;
  const out = tfl.layers.dense({ units: 4, name: 'out' }).apply(d) as SymbolicTensor;
  return tfl.model({ inputs: x, outputs: out, name: 'odd' });
}
