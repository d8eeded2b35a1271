/**
 * `pretext bench gpu` (`npm run bench:gpu`): what a GPU gives Pretext on this machine. It asks
 * every GPU backend (tensorflow with CUDA, webgpu) to load, prints the one Pretext would choose
 * and its device, and times SimCLR's step (ResNet-18 with the CIFAR stem at 32 px, the
 * two-layer head, NT-Xent, SGD: bench/engine.ts's step) at batch 512 images = 1,024 views on
 * each GPU backend that loads, within a time cap (default 120 s each). Exits non-zero, with
 * each backend's reason (no adapter, no Vulkan driver, missing CUDA libraries…), when none
 * loads. Anchor: published SimCLR ResNet-18 CIFAR-10 training reaches about 4,200 images/s on
 * one A100 at batch 512, about 1,900 on an A6000.
 */
import { benchArgs, type BenchContext } from './context';
import { median, timeSteps } from './engine';
import { PretextError } from '../core/errors';
import { BACKEND_ORDER, defaultThreads, initBackend, listBackends, useBackend, type BackendName } from '../ml/backend';

const GPU_BACKENDS: readonly BackendName[] = ['tensorflow', 'webgpu'];

const USAGE = `Usage: pretext bench gpu [--batch 512] [--seconds 120] [--steps 20] [--backends tensorflow,webgpu]
--backends may also name wasm or cpu, to check the bench itself on a machine without a GPU.`;

export interface GpuResult {
  backend: string;
  device: string;
  batch: number;
  stepSeconds: number[];
  imagesPerSecond: number;
  viewsPerSecond: number;
}

function positive(name: string, raw: string | undefined, fallback: number): number {
  const n = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new PretextError(`bench gpu: --${name} must be a positive integer, got '${raw}'\n${USAGE}`, { field: 'usage' });
  return n;
}

export async function run(args: string[], ctx: BenchContext): Promise<unknown> {
  const v = benchArgs(args, { batch: { type: 'string' }, seconds: { type: 'string' }, steps: { type: 'string' }, backends: { type: 'string' } }, USAGE, 'bench gpu: ');
  const batch = positive('batch', v.batch, 512);
  const seconds = positive('seconds', v.seconds, 120);
  const steps = positive('steps', v.steps, 20);
  const wanted = (v.backends?.split(',').map((s) => s.trim()) ?? GPU_BACKENDS) as BackendName[];
  for (const name of wanted) {
    if (!BACKEND_ORDER.includes(name)) throw new PretextError(`bench gpu: unknown backend '${name}' (expected ${BACKEND_ORDER.join(', ')})\n${USAGE}`, { field: 'usage' });
  }

  // Every device asked itself, as `pretext doctor` does: the reasons are the point when none loads.
  const probes = await listBackends({ threads: defaultThreads(), probe: true });
  const chosen = await initBackend({ ...(ctx.backend ? { prefer: ctx.backend } : {}) });
  const lines = probes.map((p) => `${p.name === chosen.name ? '*' : p.loaded ? '+' : '-'} ${p.name.padEnd(10)} ${p.loaded ? p.device ?? '' : `unavailable: ${p.reason}`}`);
  lines.push(`chosen: ${chosen.name} (${chosen.device})`);
  ctx.print(lines.join('\n'));

  const loaded = probes.filter((p) => p.loaded && wanted.includes(p.name));
  if (loaded.length === 0) {
    const why = probes.filter((p) => wanted.includes(p.name)).map((p) => `${p.name}: ${p.reason ?? 'not loaded'}`);
    throw new PretextError(`no GPU backend loads here (${why.join('; ')}). Training runs on ${chosen.name}: ${chosen.device}`);
  }

  const results: GpuResult[] = [];
  for (const p of loaded) {
    const info = await useBackend(p.name);
    ctx.progress.log(`${p.name}: SimCLR step, ResNet-18 (CIFAR stem, 32 px), batch ${batch} (${2 * batch} views), at most ${seconds} s`);
    const { times } = await timeSteps('resnet18', 2 * batch, steps, 1, ctx, performance.now() + seconds * 1000);
    const t = median(times);
    results.push({ backend: p.name, device: info.device, batch, stepSeconds: times, imagesPerSecond: batch / t, viewsPerSecond: (2 * batch) / t });
  }
  ctx.print(
    [
      `${'backend'.padEnd(11)} ${'batch'.padStart(5)} ${'steps'.padStart(5)} ${'s/step'.padStart(8)} ${'images/s'.padStart(9)} ${'views/s'.padStart(9)}  device`,
      ...results.map((r) => `${r.backend.padEnd(11)} ${String(r.batch).padStart(5)} ${String(r.stepSeconds.length).padStart(5)} ${median(r.stepSeconds).toFixed(3).padStart(8)} ${r.imagesPerSecond.toFixed(1).padStart(9)} ${r.viewsPerSecond.toFixed(1).padStart(9)}  ${r.device}`),
      'anchor: SimCLR ResNet-18 CIFAR-10, batch 512: about 4,200 images/s on one A100, 1,900 on an A6000 (PyTorch)',
    ].join('\n'),
  );
  return { chosen: { name: chosen.name, device: chosen.device }, backends: probes, results };
}
