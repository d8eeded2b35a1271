/**
 * Engine backend selection — the API other modules use (keep it stable):
 *
 *   await initBackend({ prefer?, threads? }) -> BackendInfo
 *       Picks the first backend that loads, in the order tensorflow → webgpu → wasm → cpu.
 *       `prefer` (from --backend / PRETEXT_BACKEND) is tried first; if it fails, its reason is
 *       recorded in `skipped` and the usual order continues. Unknown names throw PretextError.
 *   await listBackends({ threads?, probe? }) -> BackendProbe[]
 *       Tries every backend (for `pretext doctor`, with probe: each device asked itself, even
 *       where a quick check finds none), then re-activates the winner.
 *   await useBackend('cpu' | 'wasm' | ...) -> BackendInfo
 *       Loads exactly that backend or throws (tests).
 *   describeBackend() -> BackendInfo
 *       The active backend, its version and device: record it on every run.
 *
 * Every backend gets the project's FusedBatchNorm gradient (batchNormGrad.ts); wasm also gets
 * the project's training kernels (wasm/kernels.ts).
 */
import os from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
// tfjs-core's Node bundle carries no gradient definitions; tfjs-layers' Node bundle registers
// them all on import. Import it here so gradients exist before any backend is used.
import '@tensorflow/tfjs-layers';
import { PretextError } from '../../core/errors';
import { registerBatchNormGradient } from './batchNormGrad';
import { BACKEND_ORDER, BackendLoadError, loaders, type BackendName, type LoadedBackend } from './loaders';

export { BACKEND_ORDER, type BackendName } from './loaders';

export interface BackendInfo {
  name: BackendName;
  package: string;
  version: string;
  /** GPU adapter name, or CPU with threads and SIMD. */
  device: string;
  threads?: number;
  simd?: boolean;
  /** Kernels the project registers on top of the package (wasm). */
  projectKernels: string[];
  /** tfjs-core version (one shared instance). */
  tfjsCore: string;
  /** True when chosen through --backend / PRETEXT_BACKEND. */
  forced: boolean;
  /** Backends tried before this one and why each failed. */
  skipped: { name: BackendName; reason: string }[];
}

export interface BackendProbe {
  name: BackendName;
  loaded: boolean;
  /** Why it did not load (absent when loaded). */
  reason?: string;
  version?: string;
  device?: string;
  /** True for the backend initBackend would choose. */
  chosen: boolean;
}

export interface InitOptions {
  prefer?: string;
  /** wasm threads; default: the logical core count. */
  threads?: number;
}

let current: BackendInfo | undefined;

export function defaultThreads(): number {
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}

function parseName(name: string, source: string): BackendName {
  const n = name.trim().toLowerCase();
  if ((BACKEND_ORDER as readonly string[]).includes(n)) return n as BackendName;
  throw new PretextError(`unknown backend '${name}' (from ${source}): expected one of ${BACKEND_ORDER.join(', ')}`, { field: 'backend' });
}

async function tryLoad(name: BackendName, threads: number, forced = false, probe = false): Promise<LoadedBackend> {
  registerBatchNormGradient();
  try {
    return await loaders[name]({ threads, forced, probe });
  } catch (err) {
    if (err instanceof BackendLoadError) throw err;
    throw new BackendLoadError((err as Error)?.message ?? String(err));
  }
}

function toInfo(name: BackendName, b: LoadedBackend, forced: boolean, skipped: BackendInfo['skipped']): BackendInfo {
  const info: BackendInfo = {
    name,
    package: b.package,
    version: b.version,
    device: b.device,
    projectKernels: b.projectKernels,
    tfjsCore: tf.version_core,
    forced,
    skipped,
  };
  if (b.threads !== undefined) info.threads = b.threads;
  if (b.simd !== undefined) info.simd = b.simd;
  return info;
}

export async function initBackend(opts: InitOptions = {}): Promise<BackendInfo> {
  const prefer = opts.prefer ? parseName(opts.prefer, '--backend/PRETEXT_BACKEND') : undefined;
  const threads = opts.threads ?? defaultThreads();
  const order = prefer ? [prefer, ...BACKEND_ORDER.filter((n) => n !== prefer)] : [...BACKEND_ORDER];
  const skipped: BackendInfo['skipped'] = [];
  for (const name of order) {
    try {
      const loaded = await tryLoad(name, threads, name === prefer);
      current = toInfo(name, loaded, name === prefer, skipped);
      return current;
    } catch (err) {
      skipped.push({ name, reason: (err as Error).message });
    }
  }
  throw new PretextError(`no engine backend could be loaded: ${skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')}`);
}

export async function useBackend(name: BackendName, opts: { threads?: number } = {}): Promise<BackendInfo> {
  if (current?.name === name && tf.getBackend() === name && opts.threads === undefined) return current;
  const loaded = await tryLoad(name, opts.threads ?? defaultThreads(), true);
  current = toInfo(name, loaded, true, []);
  return current;
}

/** Every backend, loaded or not and why; `probe` (doctor) asks each device itself, even where a quick check finds none. */
export async function listBackends(opts: { threads?: number; probe?: boolean } = {}): Promise<BackendProbe[]> {
  const threads = opts.threads ?? defaultThreads();
  const probes: BackendProbe[] = [];
  for (const name of BACKEND_ORDER) {
    try {
      const b = await tryLoad(name, threads, false, opts.probe ?? false);
      probes.push({ name, loaded: true, version: b.version, device: b.device, chosen: false });
    } catch (err) {
      probes.push({ name, loaded: false, reason: (err as Error).message, chosen: false });
    }
  }
  const winner = probes.find((p) => p.loaded);
  if (winner) {
    winner.chosen = true;
    await useBackend(winner.name, { threads });
  }
  return probes;
}

export function describeBackend(): BackendInfo {
  if (!current) throw new Error('describeBackend(): no backend initialised (call initBackend first)');
  return { ...current, skipped: [...current.skipped] };
}
