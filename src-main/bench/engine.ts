/**
 * `pretext bench engine`: training throughput of the reference encoders on every backend that
 * loads, next to the same network, loss and step in PyTorch (src-main/bench/peer/torch_engine.py,
 * Debian's python3-torch, 2 threads) when it is installed.
 *
 * A step: forward (batch norm in training mode) of `views` 32×32×3 images through the encoder and
 * the head Linear(feat, 512) → ReLU → Linear(512, 128), NT-Xent (τ = 0.5) between the two halves,
 * backward, SGD-momentum update. views/s = views / median step time. GFLOP/s counts forward
 * multiply-adds × 2 × 3 (backward ≈ 2× forward), the usual convention.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { benchArgs, type BenchContext } from './context';
import { PretextError, throwIfAborted } from '../core/errors';
import { forwardMacs, resnet, RESNET_NAMES, type ResNetName } from '../ml/backbones/resnet';
import { defaultThreads, listBackends, useBackend, type BackendInfo, type BackendName } from '../ml/backend';
import { ntXentLoss } from '../ml/losses';

const USAGE = `Usage: pretext bench engine [--arch resnet18,small] [--views 256] [--steps 2] [--warmup 1]
       [--backends wasm,cpu] [--threads N] [--cpu-views 8] [--no-torch] [--out FILE]`;

export interface EngineResult {
  backend: string;
  device: string;
  arch: ResNetName;
  views: number;
  stepSeconds: number[];
  viewsPerSecond: number;
  gflops: number;
  /** views/s relative to PyTorch on the same arch (null when PyTorch did not run). */
  ratioToTorch: number | null;
  note?: string;
}

interface TorchRun {
  torch: string;
  threads: number;
  arch: string;
  views: number;
  step_s: number[];
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function positiveInt(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new PretextError(`bench engine: --${name} must be a positive integer, got '${value}'`, { field: 'usage' });
  return n;
}

/**
 * Encoder + head + NT-Xent + SGD: `warmup` untimed steps, then up to `steps` timed ones; with a
 * `deadline` (performance.now() ms) it stops at the first timed step that ends after it.
 */
export async function timeSteps(arch: ResNetName, views: number, steps: number, warmup: number, ctx: BenchContext, deadline = Infinity): Promise<{ times: number[]; macs: number }> {
  const encoder = resnet(arch, { size: 32, channels: 3, seed: 0 });
  const feat = encoder.outputs[0]!.shape[1] as number;
  const head = tfl.sequential({
    layers: [tfl.layers.dense({ inputShape: [feat], units: 512, activation: 'relu' }), tfl.layers.dense({ units: 128 })],
  });
  const macs = forwardMacs(encoder) + feat * 512 + 512 * 128;
  const vars = [...encoder.trainableWeights, ...head.trainableWeights].map((w) => w.read() as tf.Variable);
  const opt = tf.train.momentum(0.01, 0.9);
  const x = tf.randomUniform([views, 32, 32, 3], 0, 1, 'float32', 1);
  const times: number[] = [];
  try {
    for (let i = 0; i < warmup + steps; i++) {
      throwIfAborted(ctx.signal);
      const t0 = performance.now();
      const loss = opt.minimize(() => {
        const z = head.apply(encoder.apply(x, { training: true }) as tf.Tensor) as tf.Tensor2D;
        const [z1, z2] = tf.split(z, 2, 0) as [tf.Tensor2D, tf.Tensor2D];
        return ntXentLoss(z1, z2, 0.5);
      }, true, vars);
      await loss!.data();
      loss!.dispose();
      const dt = (performance.now() - t0) / 1000;
      if (i >= warmup) times.push(dt);
      ctx.progress.log(`  ${arch} step ${i + 1}/${warmup + steps}${i < warmup ? ' (warm-up)' : ''}: ${dt.toFixed(2)} s`);
      if (i >= warmup && performance.now() > deadline) break;
    }
  } finally {
    x.dispose();
    opt.dispose();
    // tfjs 4's MomentumOptimizer.dispose() frees m and the accumulators but not SGDOptimizer's
    // -lr scalar `c` (it does not call super.dispose()): one tensor per optimizer otherwise.
    (opt as unknown as { c?: tf.Tensor }).c?.dispose();
    encoder.dispose();
    head.dispose();
  }
  return { times, macs };
}

/** A python3 that can import torch, or null with the reason. */
function findTorchPython(): { python: string } | { reason: string } {
  const candidates = [process.env['PRETEXT_PYTHON'], 'python3', '/usr/bin/python3'].filter((p): p is string => Boolean(p));
  for (const python of candidates) {
    const r = spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8' });
    if (r.status === 0) return { python };
  }
  return { reason: 'PyTorch not installed (apt-get install -y python3-torch)' };
}

function runTorch(python: string, arch: ResNetName, views: number, steps: number, warmup: number): TorchRun {
  const script = fileURLToPath(new URL('./peer/torch_engine.py', import.meta.url));
  const r = spawnSync(python, [script, '--arch', arch, '--views', String(views), '--steps', String(steps), '--warmup', String(warmup), '--threads', '2'], {
    encoding: 'utf8',
    env: { ...process.env, OMP_NUM_THREADS: '2', MKL_NUM_THREADS: '2' },
    maxBuffer: 1 << 20,
  });
  if (r.status !== 0) throw new Error(`PyTorch peer failed (${script}): ${r.stderr.trim().split('\n').pop() ?? r.status}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as TorchRun;
}

export async function run(args: string[], ctx: BenchContext): Promise<unknown> {
  const values = benchArgs(
    args,
    {
      arch: { type: 'string' },
      views: { type: 'string' },
      steps: { type: 'string' },
      warmup: { type: 'string' },
      backends: { type: 'string' },
      threads: { type: 'string' },
      'cpu-views': { type: 'string' },
      'no-torch': { type: 'boolean', default: false },
      out: { type: 'string' },
    },
    USAGE,
    'bench engine: ',
  );
  const archs = (values.arch ?? 'resnet18,small').split(',').map((s) => s.trim()) as ResNetName[];
  for (const a of archs) if (!RESNET_NAMES.includes(a)) throw new PretextError(`bench engine: unknown --arch '${a}' (expected ${RESNET_NAMES.join(', ')})`, { field: 'usage' });
  const views = positiveInt('views', values.views, 256);
  if (views % 2) throw new PretextError(`bench engine: --views must be even (two views per image), got ${views}`, { field: 'usage' });
  const steps = positiveInt('steps', values.steps, 2);
  const warmup = values.warmup === '0' ? 0 : positiveInt('warmup', values.warmup, 1);
  const threads = positiveInt('threads', values.threads, defaultThreads());
  const cpuViews = positiveInt('cpu-views', values['cpu-views'], 8);

  const probes = await listBackends({ threads });
  const wanted = values.backends ? values.backends.split(',').map((s) => s.trim()) : ctx.backend ? [ctx.backend] : undefined;
  const backends = probes.filter((p) => p.loaded && (!wanted || wanted.includes(p.name))).map((p) => p.name);
  for (const p of probes) if (!p.loaded) ctx.progress.log(`backend ${p.name}: not available (${p.reason})`);

  const results: EngineResult[] = [];
  const failures: { backend: string; arch: string; views: number; error: string }[] = [];
  const infos: Record<string, BackendInfo> = {};
  for (const name of backends as BackendName[]) {
    const info = await useBackend(name, { threads });
    infos[name] = info;
    for (const arch of archs) {
      // The pure-JS cpu backend is ~1000× slower: fewer views, and the small ResNet only.
      if (name === 'cpu' && arch !== 'small') continue;
      // (about 2 minutes per 16-view step here): one timed step, no warm-up.
      const v = name === 'cpu' ? Math.min(views, cpuViews) : views;
      ctx.progress.log(`${name}: ${arch}, ${v} views/step`);
      let timed: { times: number[]; macs: number };
      try {
        timed = name === 'cpu' ? await timeSteps(arch, v, 1, 0, ctx) : await timeSteps(arch, v, steps, warmup, ctx);
      } catch (err) {
        if (ctx.signal.aborted) throw err;
        const reason = (err as Error).message.split('\n')[0]!;
        ctx.progress.log(`${name}: ${arch} failed: ${reason}`);
        failures.push({ backend: name, arch, views: v, error: reason });
        continue;
      }
      const { times, macs } = timed;
      const t = median(times);
      results.push({
        backend: name,
        device: info.device,
        arch,
        views: v,
        stepSeconds: times,
        viewsPerSecond: v / t,
        gflops: (macs * 2 * 3 * v) / t / 1e9,
        ratioToTorch: null,
        ...(v !== views ? { note: `${v} views per step on cpu` } : {}),
      });
    }
  }

  let torch: { version: string; threads: number; runs: EngineResult[] } | { skipped: string } = { skipped: '--no-torch' };
  if (!values['no-torch']) {
    const found = findTorchPython();
    if ('reason' in found) {
      torch = { skipped: found.reason };
      ctx.progress.log(found.reason);
    } else {
      const runs: EngineResult[] = [];
      let version = '';
      let tthreads = 2;
      for (const arch of archs) {
        throwIfAborted(ctx.signal);
        ctx.progress.log(`pytorch: ${arch}, ${views} views/step`);
        const r = runTorch(found.python, arch, views, steps, warmup);
        version = r.torch;
        tthreads = r.threads;
        const enc = resnet(arch, { size: 32, channels: 3 });
        const macs = forwardMacs(enc) + (enc.outputs[0]!.shape[1] as number) * 512 + 512 * 128;
        enc.dispose();
        const t = median(r.step_s);
        runs.push({ backend: 'pytorch', device: `CPU, PyTorch ${r.torch}, ${r.threads} threads`, arch, views, stepSeconds: r.step_s, viewsPerSecond: views / t, gflops: (macs * 6 * views) / t / 1e9, ratioToTorch: 1 });
      }
      torch = { version, threads: tthreads, runs };
      for (const res of results) {
        const peer = runs.find((p) => p.arch === res.arch);
        if (peer) res.ratioToTorch = res.viewsPerSecond / peer.viewsPerSecond;
      }
    }
  }

  const all = [...results, ...('runs' in torch ? torch.runs : [])];
  const lines = [
    `${'backend'.padEnd(9)} ${'arch'.padEnd(9)} ${'views'.padStart(5)} ${'s/step'.padStart(8)} ${'views/s'.padStart(8)} ${'GFLOP/s'.padStart(8)} ${'×PyTorch'.padStart(9)}`,
    ...all.map((r) =>
      `${r.backend.padEnd(9)} ${r.arch.padEnd(9)} ${String(r.views).padStart(5)} ${median(r.stepSeconds).toFixed(2).padStart(8)} ${r.viewsPerSecond.toFixed(2).padStart(8)} ${r.gflops.toFixed(r.gflops < 1 ? 3 : 1).padStart(8)} ${(r.ratioToTorch === null ? '—' : r.ratioToTorch.toFixed(2)).padStart(9)}`,
    ),
  ];
  for (const [name, info] of Object.entries(infos)) lines.push(`${name}: ${info.device}`);
  if ('skipped' in torch) lines.push(`pytorch: skipped (${torch.skipped})`);
  for (const f of failures) lines.push(`${f.backend} ${f.arch} (${f.views} views) failed: ${f.error}`);
  ctx.print(lines.join('\n'));

  const report = {
    date: new Date().toISOString(),
    views,
    steps,
    warmup,
    threads,
    backends: probes,
    results,
    failures,
    torch,
  };
  const out = values.out ?? path.join(ctx.workspaceDir, 'bench', `engine-${report.date.replace(/[:.]/g, '-')}.json`);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  ctx.progress.log(`wrote ${out}`);
  return { ...report, out };
}
