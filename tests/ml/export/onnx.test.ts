/**
 * ONNX export, checked by running the file in onnxruntime-node on the same random inputs as tfjs
 * (inference mode) — ≤ 1e-4 relative to the output's scale.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { resnet } from '../../../src-main/ml/backbones/resnet';
import { vit } from '../../../src-main/ml/backbones/vit';
import { useBackend } from '../../../src-main/ml/backend';
import { ONNX_INPUT, ONNX_OUTPUT, samePads, toOnnx } from '../../../src-main/ml/export/onnx';
import { decodeModel } from '../../../src-main/ml/export/onnxProto';
import { relErr, seeded } from '../backend/helpers';
import { oddModel, randomizeWeights } from './models';

beforeAll(async () => {
  await useBackend('cpu');
});

/** A Python with the official `onnx` package (Debian's python3-onnx), if any: an independent checker. */
const onnxPython = ['python3', '/usr/bin/python3'].find((py) => spawnSync(py, ['-c', 'import onnx'], { stdio: 'ignore' }).status === 0);

async function compare(model: tfl.LayersModel, batch: number): Promise<{ err: number; bytes: Uint8Array; dims: readonly number[] }> {
  const shape = [batch, ...(model.inputs[0]!.shape.slice(1) as number[])];
  const input = seeded(shape.reduce((a, b) => a * b, 1), 99);
  const want = tf.tidy(() => model.predict(tf.tensor(input, shape)) as tf.Tensor);
  const wantData = (await want.data()) as Float32Array;
  want.dispose();
  const bytes = await toOnnx(model);
  const session = await ort.InferenceSession.create(bytes);
  try {
    const out = await session.run({ [ONNX_INPUT]: new ort.Tensor('float32', input, shape) });
    const got = out[ONNX_OUTPUT]!;
    return { err: relErr(got.data as Float32Array, wantData), bytes, dims: got.dims };
  } finally {
    await session.release();
  }
}

describe('ONNX export', () => {
  it('pads like TensorFlow "same": the odd pixel at the end', () => {
    expect(samePads([8, 8], [3, 3], [2, 2], [1, 1])).toEqual([0, 0, 1, 1]);
    expect(samePads([9, 9], [3, 3], [2, 2], [1, 1])).toEqual([1, 1, 1, 1]);
    expect(samePads([8, 7], [3, 2], [1, 1], [2, 1])).toEqual([2, 0, 2, 1]);
    expect(samePads([4, 4], [1, 1], [2, 2], [1, 1])).toEqual([0, 0, 0, 0]);
  });

  it('small ResNet (grayscale) runs in onnxruntime with the tfjs outputs', async () => {
    const m = resnet('small', { size: 12, channels: 1, width: 0.25, seed: 3 });
    randomizeWeights(m, 1);
    const before = tf.memory().numTensors;
    const r = await compare(m, 3);
    expect(tf.memory().numTensors).toBe(before);
    expect(r.dims).toEqual([3, 32]);
    expect(r.err).toBeLessThanOrEqual(1e-4);
    m.dispose();
  });

  it('resnet18 (RGB, CIFAR stem) matches', async () => {
    const m = resnet('resnet18', { size: 16, channels: 3, width: 0.125, seed: 4 });
    randomizeWeights(m, 2);
    const r = await compare(m, 2);
    expect(r.dims).toEqual([2, 64]);
    expect(r.err).toBeLessThanOrEqual(1e-4);
    m.dispose();
  });

  it('resnet18 with the ImageNet stem (7×7 stride 2, padded max-pool) matches', async () => {
    const m = resnet('resnet18', { size: 66, channels: 1, width: 0.0625, seed: 5 });
    randomizeWeights(m, 3);
    const r = await compare(m, 2);
    expect(r.err).toBeLessThanOrEqual(1e-4);
    m.dispose();
  });

  for (const channels of [1, 3] as const) {
    it(`stride-2 'same' convs, dilation, pools, Dense (${channels} channels) match`, async () => {
      const m = oddModel(10, channels);
      randomizeWeights(m, 4 + channels);
      const r = await compare(m, 3);
      expect(r.dims).toEqual([3, 4]);
      expect(r.err).toBeLessThanOrEqual(1e-4);
      const ops = decodeModel(r.bytes).graph.node.map((n) => n.op_type);
      for (const op of ['Pad', 'Max', 'MaxPool', 'AveragePool', 'Gemm', 'Flatten']) expect(ops).toContain(op);
      m.dispose();
    });
  }

  for (const [pool, channels, size] of [['cls', 1, 12], ['mean', 3, 8]] as const) {
    it(`ViT (${pool} pooling, ${channels} channels): LayerNorm, attention, GELU, class token, position embeddings match`, async () => {
      const m = vit('vit-mini', { size, channels, width: 0.25, pool });
      randomizeWeights(m, 8);
      const r = await compare(m, 3);
      expect(r.dims).toEqual([3, 32]);
      expect(r.err).toBeLessThanOrEqual(1e-4);
      const ops = new Set(decodeModel(r.bytes).graph.node.map((n) => n.op_type));
      for (const op of ['Conv', 'Expand', 'Concat', 'Softmax', 'MatMul', 'Erf', 'ReduceMean', 'Sqrt']) expect(ops).toContain(op);
      m.dispose();
    });
  }

  it('writes opset 13, an NHWC input with a symbolic batch and the metadata', async () => {
    const m = resnet('small', { size: 8, channels: 3, width: 0.25, seed: 6 });
    const decoded = decodeModel(await toOnnx(m, { producerVersion: '9.9.9', metadata: { pretext: '{"a":1}' } }));
    expect(decoded.opset_import).toEqual([{ version: 13 }]);
    expect(decoded.producer_version).toBe('9.9.9');
    expect(decoded.metadata_props).toEqual([{ key: 'pretext', value: '{"a":1}' }]);
    const dims = decoded.graph.input[0]!.type.tensor_type.shape.dim;
    expect(dims).toEqual([{ dim_param: 'N' }, { dim_value: 8 }, { dim_value: 8 }, { dim_value: 3 }]);
    expect(decoded.graph.node[0]!.op_type).toBe('Transpose');
    const ops = new Set(decoded.graph.node.map((n) => n.op_type));
    expect([...ops].sort()).toEqual(['Add', 'BatchNormalization', 'Conv', 'Flatten', 'GlobalAveragePool', 'Identity', 'Relu', 'Transpose']);
    m.dispose();
  });

  it.skipIf(!onnxPython)('passes the official onnx checker with full shape inference', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pretext-onnx-check-'));
    try {
      const models = [resnet('resnet18', { size: 66, channels: 3, width: 0.0625, seed: 7 }), oddModel(10, 1), vit('vit-mini', { size: 8, channels: 3, width: 0.25 })];
      for (const [i, m] of models.entries()) {
        const file = join(dir, `m${i}.onnx`);
        writeFileSync(file, await toOnnx(m));
        const out = execFileSync(onnxPython!, ['-c', `import onnx, sys
m = onnx.load(sys.argv[1])
onnx.checker.check_model(m, full_check=True)
inferred = onnx.shape_inference.infer_shapes(m, strict_mode=True)
print([d.dim_param or d.dim_value for d in inferred.graph.output[0].type.tensor_type.shape.dim])`, file], { encoding: 'utf8' });
        expect(out.trim()).toBe(["['N', 32]", "['N', 4]", "['N', 32]"][i]);
        m.dispose();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a layer it cannot convert, naming it', async () => {
    const x = tfl.input({ shape: [8, 8, 1] });
    const y = tfl.layers.conv2d({ filters: 2, kernelSize: 3, activation: 'tanh', name: 'tanh_conv' }).apply(x) as tfl.SymbolicTensor;
    const z = tfl.layers.globalAveragePooling2d({}).apply(y) as tfl.SymbolicTensor;
    const m = tfl.model({ inputs: x, outputs: z });
    await expect(toOnnx(m)).rejects.toThrow(/layer 'tanh_conv' \(Conv2D\).*activation 'tanh'/);
    m.dispose();
  });
});
