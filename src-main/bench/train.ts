/**
 * `pretext bench train`: training throughput of every method (its real heads, loss, views and
 * optimiser, through the trainer's step) on each backend present, on a synthetic 32×32×3
 * dataset with the small ResNet. Prints views/s per method and backend; --json for the numbers.
 */
import { benchArgs, type BenchContext } from './context';
import { PretextError, throwIfAborted } from '../core/errors';
import { presetForMethod } from '../ml/augment';
import { listBackends, useBackend, type BackendName } from '../ml/backend';
import { methods } from '../ml/methods';
import { resolveConfig } from '../ml/train/config';
import { runTraining } from '../tasks/train';
import { createRun, runMetrics } from '../store/runs';
import { Workspace } from '../store/workspace';
import { commitDataset, PIXELS_FILE } from '../store/datasets';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const USAGE = `Usage: pretext bench train [--methods simclr,byol,...] [--backends wasm,cpu] [--batch 64] [--steps 4] [--backbone small] [--size 32]`;

function syntheticDataset(ws: Workspace, images: number, size: number): string {
  const pixels = new Uint8Array(images * size * size * 3);
  let s = 12345;
  for (let i = 0; i < pixels.length; i++) pixels[i] = (s = (Math.imul(s, 1103515245) + 12345) >>> 0) >>> 24;
  const dir = ws.makeTmp('bench');
  writeFileSync(join(dir, PIXELS_FILE), pixels);
  return commitDataset(ws, {
    name: 'bench-synthetic',
    source: 'generated',
    sourceKind: 'folder',
    fingerprint: `bench-${images}-${size}`,
    imageSize: size,
    channels: 3,
    classNames: ['a', 'b'],
    items: Array.from({ length: images }, (_, i) => ({ sourcePath: `${i}`, label: i % 2, split: i % 8 === 0 ? 'test' : 'train', contentHash: `${i}` })),
    failures: [],
  }, dir).id;
}

export async function run(args: string[], ctx: BenchContext): Promise<unknown> {
  const v = benchArgs(args, { methods: { type: 'string' }, backends: { type: 'string' }, batch: { type: 'string' }, steps: { type: 'string' }, backbone: { type: 'string' }, size: { type: 'string' } }, USAGE);
  const names = (v.methods ?? Object.keys(methods).filter((m) => m !== 'random').join(',')).split(',');
  const batch = Number(v.batch ?? 64);
  const steps = Number(v.steps ?? 4);
  const size = Number(v.size ?? 32);
  if (![batch, steps, size].every((n) => Number.isInteger(n) && n > 0)) throw new PretextError(`--batch, --steps and --size must be positive integers\n${USAGE}`, { field: 'usage' });
  const probes = await listBackends();
  const wanted = v.backends ? v.backends.split(',') : probes.filter((p) => p.loaded && p.name !== 'cpu').map((p) => p.name);
  const dir = mkdtempSync(join(tmpdir(), 'pretext-bench-train-'));
  const ws = Workspace.open(dir);
  const results: { method: string; backend: string; viewsPerSecond: number }[] = [];
  try {
    // One epoch of `steps + 1` steps; the first step (graph warm-up, kernel compilation) is dropped.
    const datasetId = syntheticDataset(ws, Math.ceil((batch * (steps + 1) * 8) / 7) + 8, size);
    for (const backend of wanted) {
      await useBackend(backend as BackendName);
      for (const method of names) {
        throwIfAborted(ctx.signal);
        const cfg = resolveConfig(method, { epochs: 1, batch, backbone: v.backbone ?? 'small' }, (b) => presetForMethod(b, size));
        const id = createRun(ws, datasetId, method, cfg).id;
        ctx.progress.log(`${backend} ${method}…`);
        await runTraining(ws, id, { signal: ctx.signal });
        const vps = runMetrics(ws, id, 'views_per_s').slice(1).map((m) => m.value);
        const mean = vps.reduce((a, b) => a + b, 0) / vps.length;
        results.push({ method, backend, viewsPerSecond: mean });
        ctx.print(`${backend.padEnd(6)} ${method.padEnd(11)} ${mean.toFixed(1).padStart(8)} views/s`);
      }
    }
  } finally {
    ws.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return { batch, size, backbone: v.backbone ?? 'small', steps, results };
}
