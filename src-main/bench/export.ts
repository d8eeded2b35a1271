/**
 * `pretext bench export`: export throughput at real sizes: a ResNet's ONNX conversion and tfjs
 * write, and embeddings as CSV and .npy.
 *
 *   pretext bench export [--arch resnet18] [--size 32] [--channels 3] [--rows 10000] [--dim 512]
 *
 * Prints one JSON line per step with seconds and megabytes, and the load average (the machine
 * is shared: timings are noisy). The encoder has seeded random weights, batch-norm statistics
 * included; the ONNX line also reports onnxruntime's deviation from tfjs when onnxruntime-node
 * (a devDependency) is installed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { benchArgs, type BenchContext } from './context';
import { throwIfAborted } from '../core/errors';
import { initBackend } from '../ml/backend';
import { resnet, type ResNetName } from '../ml/backbones/resnet';
import { writeEmbeddingsCsv, writeEmbeddingsNpy } from '../ml/export/embeddingFiles';
import { writeOutput } from '../ml/export/files';
import { toOnnx } from '../ml/export/onnx';
import { writeTfjsModel } from '../ml/export/tfjsExport';

const USAGE = 'Usage: pretext bench export [--arch resnet18] [--size 32] [--channels 3] [--rows 10000] [--dim 512]';

function options(args: string[]) {
  return benchArgs(
    args,
    {
      arch: { type: 'string', default: 'resnet18' },
      size: { type: 'string', default: '32' },
      channels: { type: 'string', default: '3' },
      rows: { type: 'string', default: '10000' },
      dim: { type: 'string', default: '512' },
    },
    USAGE,
  );
}

/** Deterministic values in [−1, 1). */
function seeded(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1);
}

const secondsSince = (t0: number) => Number(((performance.now() - t0) / 1000).toFixed(3));

export async function run(args: string[], ctx: BenchContext): Promise<unknown> {
  const values = options(args);
  await initBackend({ ...(ctx.backend ? { prefer: ctx.backend } : {}) });
  const steps: Record<string, unknown>[] = [];
  const print = (o: Record<string, unknown>) => {
    const line = { ...o, load: loadavg().map((l) => Number(l.toFixed(2))) };
    steps.push(line);
    ctx.print(JSON.stringify(line));
    throwIfAborted(ctx.signal);
  };
  const dir = mkdtempSync(join(tmpdir(), 'pretext-export-bench-'));
  try {
    const size = Number(values.size);
    const channels = Number(values.channels) as 1 | 3;
    const model = resnet(values.arch as ResNetName, { size, channels, seed: 1 });
    const weights = model.weights.map((w, i) => {
      const v = seeded(w.shape.reduce((a: number, b) => a * (b ?? 1), 1), i + 1);
      return tf.tensor(w.originalName.endsWith('moving_variance') ? v.map((x) => 1 + 0.5 * x) : v.map((x) => 0.5 * x), w.shape as number[]);
    });
    model.setWeights(weights);
    tf.dispose(weights);

    let t0 = performance.now();
    const bytes = await toOnnx(model);
    const file = writeOutput(join(dir, 'encoder.onnx'), 'the ONNX model', bytes);
    const onnx: Record<string, unknown> = { step: 'onnx', arch: values.arch, size, channels, params: model.countParams(), seconds: secondsSince(t0), mb: Number((file.bytes / 1e6).toFixed(1)) };
    try {
      const ort = await import('onnxruntime-node');
      const shape = [8, size, size, channels];
      const x = seeded(shape.reduce((a, b) => a * b, 1), 99);
      const want = tf.tidy(() => model.predict(tf.tensor(x, shape)) as tf.Tensor);
      const w = (await want.data()) as Float32Array;
      want.dispose();
      const session = await ort.InferenceSession.create(bytes);
      const got = (await session.run({ image: new ort.Tensor('float32', x, shape) }))['features']!.data as Float32Array;
      await session.release();
      let diff = 0;
      let scale = 0;
      for (let i = 0; i < w.length; i++) {
        diff = Math.max(diff, Math.abs(got[i]! - w[i]!));
        scale = Math.max(scale, Math.abs(w[i]!));
      }
      onnx['ortRelErr'] = Number((diff / scale).toExponential(2));
    } catch (err) {
      onnx['ortRelErr'] = `not measured: ${(err as Error).message.split('\n')[0]}`;
    }
    print(onnx);

    t0 = performance.now();
    const files = await writeTfjsModel(model, join(dir, 'tfjs'));
    print({ step: 'tfjs', seconds: secondsSince(t0), mb: Number((files.reduce((a, f) => a + f.bytes, 0) / 1e6).toFixed(1)) });
    model.dispose();

    const rows = Number(values.rows);
    const dim = Number(values.dim);
    const parts = [{ split: 'test' as const, dim, count: rows, features: seeded(rows * dim, 5), indices: Int32Array.from({ length: rows }, (_, i) => i), labels: Int32Array.from({ length: rows }, (_, i) => i % 10) }];
    const classes = Array.from({ length: 10 }, (_, i) => `class${i}`);
    t0 = performance.now();
    const csv = await writeEmbeddingsCsv(join(dir, 'e.csv'), parts, classes);
    print({ step: 'csv', rows, dim, seconds: secondsSince(t0), mb: Number((csv.bytes / 1e6).toFixed(1)) });
    t0 = performance.now();
    const npy = await writeEmbeddingsNpy(join(dir, 'e.npy'), parts, classes);
    print({ step: 'npy', rows, dim, seconds: secondsSince(t0), mb: Number((npy.files.reduce((a, f) => a + f.bytes, 0) / 1e6).toFixed(1)) });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { steps };
}
