/**
 * `pretext bench augment`: augmentation throughput, views/s of a preset on a random uint8 batch.
 *
 *   pretext bench augment [--backend cpu|wasm] [--preset simclr-cifar] [--batch 256] [--size 32]
 *                         [--channels 3] [--iters 5]
 *
 * Prints backend, preset, batch shape, wall-clock ms per batch and views/s, and the process
 * CPU time per batch (steadier than wall time on a busy machine; cpu and wasm run on one
 * thread); --json prints them as one object.
 */
import * as tf from '@tensorflow/tfjs-core';
import { benchArgs, type BenchContext } from './context';
import { PretextError } from '../core/errors';
import { Rng } from '../core/rng';
import { PRESET_NAMES, renderViews, resolvePreset } from '../ml/augment';
import { useBackend, type BackendName } from '../ml/backend';

const USAGE = `Usage: pretext bench augment [--backend cpu|wasm] [--preset simclr-cifar] [--batch 256] [--size 32] [--channels 3] [--iters 5]`;

export async function run(args: string[], ctx: BenchContext): Promise<unknown> {
  const values = benchArgs(
    args,
    {
      backend: { type: 'string' },
      preset: { type: 'string', default: 'simclr-cifar' },
      batch: { type: 'string', default: '256' },
      size: { type: 'string', default: '32' },
      channels: { type: 'string', default: '3' },
      iters: { type: 'string', default: '5' },
    },
    USAGE,
  );
  const [n, size, c, iters] = [values.batch, values.size, values.channels, values.iters].map(Number) as [number, number, number, number];
  if (![n, size, iters].every((x) => Number.isInteger(x) && x > 0) || (c !== 1 && c !== 3)) {
    throw new PretextError(`--batch, --size and --iters must be positive integers and --channels 1 or 3\n${USAGE}`, { field: 'usage' });
  }
  const preset = values.preset!;
  if (!PRESET_NAMES.includes(preset)) throw new PretextError(`unknown augmentation preset '${preset}' (known: ${PRESET_NAMES.join(', ')})`, { field: 'preset' });
  await useBackend((values.backend ?? ctx.backend ?? 'cpu') as BackendName);

  const rng = new Rng(1);
  const pixels = Uint8Array.from({ length: n * size * size * c }, () => rng.int(0, 255));
  const views = resolvePreset(preset, size);
  const step = (i: number): void => {
    const out = renderViews({ pixels, shape: [n, size, size, c] }, views, { seed: 1, step: i });
    for (const t of out) t.dataSync();
    tf.dispose(out);
  };
  step(0); // warm-up: kernel set-up, wasm compilation
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  for (let i = 1; i <= iters; i++) step(i);
  const ms = (performance.now() - t0) / iters;
  const cpu = process.cpuUsage(c0);
  const cpuMs = (cpu.user + cpu.system) / 1000 / iters;
  const result = {
    backend: tf.getBackend(),
    preset,
    batch: [n, size, size, c],
    views: views.length,
    msPerBatch: Math.round(ms),
    viewsPerSec: Math.round((n * views.length * 1000) / ms),
    cpuMsPerBatch: Math.round(cpuMs),
    viewsPerCpuSec: Math.round((n * views.length * 1000) / cpuMs),
  };
  ctx.print(`${result.backend} ${preset} [${result.batch.join('×')}] ${result.views} views: ${result.msPerBatch} ms/batch, ${result.viewsPerSec} views/s (${result.viewsPerCpuSec} per CPU second)`);
  return result;
}
