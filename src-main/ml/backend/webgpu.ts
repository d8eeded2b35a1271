/**
 * WebGPU on Dawn (the `webgpu` npm package, an optional dependency with prebuilt binaries)
 * inside the engine process: navigator.gpu is set before the tfjs backend loads, and an adapter
 * must exist. A software adapter (SwiftShader, e.g. Debian chromium's vk_swiftshader_icd.json
 * through VK_ICD_FILENAMES) is far slower than wasm: auto-selection skips it with that reason,
 * and only a forced webgpu (--backend webgpu, tests) uses it, for correctness checks.
 *
 * Dawn writes its adapter search to stderr from native code (Vulkan feature warnings,
 * "XDG_RUNTIME_DIR is invalid" from the window-system loader), which Node cannot silence.
 * On Linux without a GPU device node and without a Vulkan driver named in the environment,
 * no adapter can exist: auto-selection skips webgpu with that reason, without starting Dawn.
 * `pretext doctor` (opts.probe) and a forced webgpu still start it and report its own reason.
 */
import { existsSync, readdirSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { activate, BackendLoadError, importFailure, type LoadedBackend, type LoadOptions } from './loaders';

interface DawnModule {
  create(flags: string[]): { requestAdapter(): Promise<GpuAdapter | null> };
  globals: Record<string, unknown>;
}
interface GpuAdapter {
  info?: { vendor?: string; architecture?: string; device?: string; description?: string; isFallbackAdapter?: boolean };
  isFallbackAdapter?: boolean;
}

/** How the quick check sees the machine (the real one by default; tests pass their own). */
export interface GpuHost {
  platform: NodeJS.Platform;
  env: Record<string, string | undefined>;
  /** Entries of a /dev folder ([] when it is missing). */
  list(dir: string): string[];
  exists(path: string): boolean;
}

const realHost: GpuHost = {
  platform: process.platform,
  env: process.env,
  list: (dir) => {
    try {
      return readdirSync(dir);
    } catch {
      return [];
    }
  },
  exists: existsSync,
};

/**
 * Why no WebGPU adapter can exist here, or null when one might: on Linux, no render node
 * (/dev/dri/renderD*), no NVIDIA device (/dev/nvidia0), no WSL GPU (/dev/dxg), and no Vulkan
 * driver named by VK_ICD_FILENAMES / VK_DRIVER_FILES. Other systems always try (Metal, D3D12).
 */
export function noGpuDevice(host: GpuHost = realHost): string | null {
  if (host.platform !== 'linux') return null;
  if (host.env['VK_ICD_FILENAMES'] || host.env['VK_DRIVER_FILES']) return null;
  if (host.list('/dev/dri').some((n) => n.startsWith('renderD'))) return null;
  if (host.exists('/dev/nvidia0') || host.exists('/dev/dxg')) return null;
  return 'webgpu: no GPU device (no /dev/dri render node, /dev/nvidia0 or /dev/dxg, and no VK_ICD_FILENAMES); `pretext doctor` asks Dawn itself';
}

/** One Dawn instance per process: a second `create()` after switching backends crashes Dawn. */
let loaded: { backend: LoadedBackend; software: boolean } | undefined;

export async function loadWebgpu(opts: LoadOptions = {}): Promise<LoadedBackend> {
  if (loaded) {
    if (loaded.software && !opts.forced) throw softwareOnly(loaded.backend.device);
    await activate('webgpu');
    return loaded.backend;
  }
  const absent = opts.forced || opts.probe ? null : noGpuDevice();
  if (absent) throw new BackendLoadError(absent);
  let dawn: DawnModule;
  try {
    dawn = (await import('webgpu' as string)) as DawnModule;
  } catch (err) {
    throw new BackendLoadError(`${importFailure('webgpu', err)} (Dawn bindings for Node)`);
  }
  const g = globalThis as unknown as { navigator?: { gpu?: unknown } };
  Object.assign(globalThis, dawn.globals);
  const gpu = dawn.create([]);
  if (!g.navigator) Object.defineProperty(globalThis, 'navigator', { value: {}, configurable: true, writable: true });
  g.navigator!.gpu = gpu;
  const adapter = await gpu.requestAdapter();
  if (!adapter) throw new BackendLoadError('webgpu: no GPU adapter found (no GPU, and no SwiftShader Vulkan ICD configured)');
  const i = adapter.info ?? {};
  const name = [i.vendor, i.architecture, i.device, i.description].filter(Boolean).join(' ') || 'unknown adapter';
  const software = Boolean(adapter.isFallbackAdapter ?? i.isFallbackAdapter) || /swiftshader|llvmpipe|lavapipe/i.test(name);
  if (software && !opts.forced) throw softwareOnly(name);
  let pkg: { version_webgpu?: string };
  try {
    pkg = (await import('@tensorflow/tfjs-backend-webgpu')) as { version_webgpu?: string };
  } catch (err) {
    throw new BackendLoadError(importFailure('@tensorflow/tfjs-backend-webgpu', err));
  }
  await activate('webgpu');
  const backend: LoadedBackend = {
    tfName: 'webgpu',
    package: '@tensorflow/tfjs-backend-webgpu',
    version: pkg.version_webgpu ?? tf.version_core,
    device: `GPU (WebGPU/Dawn): ${name}`,
    projectKernels: [],
  };
  loaded = { backend, software };
  return backend;
}

function softwareOnly(adapter: string): BackendLoadError {
  return new BackendLoadError(`webgpu: only a software adapter (${adapter}), slower than wasm; force it with --backend webgpu`);
}
