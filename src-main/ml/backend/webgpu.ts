/**
 * WebGPU on Dawn (the `webgpu` npm package) inside the engine process. Not installed in this
 * workplace; the loader reports that honestly. When present: navigator.gpu is set before the
 * tfjs backend loads, and an adapter must exist (on a GPU-less machine, SwiftShader via
 * VK_ICD_FILENAMES).
 */
import * as tf from '@tensorflow/tfjs-core';
import { activate, BackendLoadError, importFailure, type LoadedBackend } from './loaders';

interface DawnModule {
  create(flags: string[]): { requestAdapter(): Promise<GpuAdapter | null> };
  globals: Record<string, unknown>;
}
interface GpuAdapter {
  info?: { vendor?: string; architecture?: string; device?: string; description?: string };
}

export async function loadWebgpu(): Promise<LoadedBackend> {
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
  let pkg: { version_webgpu?: string };
  try {
    pkg = (await import('@tensorflow/tfjs-backend-webgpu')) as { version_webgpu?: string };
  } catch (err) {
    throw new BackendLoadError(importFailure('@tensorflow/tfjs-backend-webgpu', err));
  }
  await activate('webgpu');
  const i = adapter.info ?? {};
  const name = [i.vendor, i.architecture, i.device, i.description].filter(Boolean).join(' ') || 'unknown adapter';
  return {
    tfName: 'webgpu',
    package: '@tensorflow/tfjs-backend-webgpu',
    version: pkg.version_webgpu ?? tf.version_core,
    device: `GPU (WebGPU/Dawn): ${name}`,
    projectKernels: [],
  };
}
