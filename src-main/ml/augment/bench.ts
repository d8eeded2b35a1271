/**
 * Augmentation throughput: views/s of a preset on a random uint8 batch.
 *
 *   npx tsx src-main/ml/augment/bench.ts [--backend cpu|wasm] [--preset simclr-cifar]
 *                                        [--batch 256] [--size 32] [--channels 3] [--iters 5]
 *
 * Prints one JSON line: backend, preset, batch shape, wall-clock ms per batch and views/s,
 * and the process CPU time per batch (steadier than wall time on a busy machine; cpu and
 * wasm run on one thread).
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { renderViews } from './pipeline';
import { resolvePreset } from './presets';
import { Rng } from '../../core/rng';

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'cpu' },
    preset: { type: 'string', default: 'simclr-cifar' },
    batch: { type: 'string', default: '256' },
    size: { type: 'string', default: '32' },
    channels: { type: 'string', default: '3' },
    iters: { type: 'string', default: '5' },
  },
});
const [n, size, c, iters] = [values.batch, values.size, values.channels, values.iters].map(Number) as [number, number, number, number];

if (values.backend === 'wasm') {
  setWasmPaths(`${dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm'))}/`);
}
if (!(await tf.setBackend(values.backend!))) throw new Error(`backend '${values.backend}' failed to initialise`);
await tf.ready();

const rng = new Rng(1);
const pixels = Uint8Array.from({ length: n * size * size * c }, () => rng.int(0, 255));
const views = resolvePreset(values.preset!, size);
const run = (step: number): void => {
  const out = renderViews({ pixels, shape: [n, size, size, c] }, views, { seed: 1, step });
  for (const t of out) t.dataSync();
  tf.dispose(out);
};
run(0); // warm-up: kernel set-up, wasm compilation
const t0 = performance.now();
const c0 = process.cpuUsage();
for (let i = 1; i <= iters; i++) run(i);
const ms = (performance.now() - t0) / iters;
const cpu = process.cpuUsage(c0);
const cpuMs = (cpu.user + cpu.system) / 1000 / iters;
console.log(
  JSON.stringify({
    backend: tf.getBackend(),
    preset: values.preset,
    batch: [n, size, size, c],
    views: views.length,
    msPerBatch: Math.round(ms),
    viewsPerSec: Math.round((n * views.length * 1000) / ms),
    cpuMsPerBatch: Math.round(cpuMs),
    viewsPerCpuSec: Math.round((n * views.length * 1000) / cpuMs),
  }),
);
