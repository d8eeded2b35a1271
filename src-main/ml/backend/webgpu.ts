/**
 * WebGPU on Dawn (the `webgpu` npm package, an optional dependency with prebuilt binaries)
 * inside the engine process: navigator.gpu is set before the tfjs backend loads, and an adapter
 * must exist. A software adapter (SwiftShader, e.g. Debian chromium's vk_swiftshader_icd.json
 * through VK_ICD_FILENAMES) is far slower than wasm: auto-selection skips it with that reason,
 * and only a forced webgpu (--backend webgpu, tests) uses it, for correctness checks.
 */
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

/** One Dawn instance per process: a second `create()` after switching backends crashes Dawn. */
let loaded: { backend: LoadedBackend; software: boolean } | undefined;

export async function loadWebgpu(opts: LoadOptions = {}): Promise<LoadedBackend> {
  if (loaded) {
    if (loaded.software && !opts.forced) throw softwareOnly(loaded.backend.device);
    await activate('webgpu');
    return loaded.backend;
  }
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
