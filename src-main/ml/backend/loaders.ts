/**
 * One loader per engine backend: imports its package, initialises it, and says why not when it
 * cannot. A loader that fails throws a BackendLoadError whose message is the real reason.
 */
import os from 'node:os';
import * as tf from '@tensorflow/tfjs-core';

export type BackendName = 'tensorflow' | 'webgpu' | 'wasm' | 'cpu';

/** Preference order: the first that loads wins unless one is forced. */
export const BACKEND_ORDER: readonly BackendName[] = ['tensorflow', 'webgpu', 'wasm', 'cpu'];

export class BackendLoadError extends Error {
  override name = 'BackendLoadError';
}

export interface LoadedBackend {
  /** tfjs backend name registered in the engine ('tensorflow', 'webgpu', 'wasm', 'cpu'). */
  tfName: string;
  /** npm package and version that provides it. */
  package: string;
  version: string;
  device: string;
  threads?: number;
  simd?: boolean;
  /** Project kernels registered on top of the package's. */
  projectKernels: string[];
}

export interface LoadOptions {
  threads?: number;
  /** Chosen by --backend / PRETEXT_BACKEND or useBackend: accept what auto-selection skips. */
  forced?: boolean;
  /**
   * `pretext doctor`: try the device even where a quick check finds none, so its own reason is
   * reported (Dawn then prints its Vulkan and XDG_RUNTIME_DIR warnings to stderr).
   */
  probe?: boolean;
}

function cpuModel(): string {
  const cpus = os.cpus();
  return `${cpus[0]?.model?.trim() ?? 'unknown CPU'} (${cpus.length} logical cores)`;
}

/** Why a dynamic import failed, in words: "not installed" for a missing package. */
export function importFailure(pkg: string, err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if ((e?.code === 'ERR_MODULE_NOT_FOUND' || e?.code === 'MODULE_NOT_FOUND') && String(e.message).includes(pkg)) {
    return `${pkg} is not installed`;
  }
  return `${pkg} failed to load: ${firstLine(e?.message ?? String(err))}`;
}

function firstLine(s: string): string {
  return s.split('\n')[0]!.trim();
}

const wrappedFactories = new WeakSet<object>();

/**
 * Initialises the registered tfjs backend `name` and makes it current, turning the engine's
 * logged-and-swallowed initialisation error into a thrown one with the real reason.
 */
export async function activate(name: string): Promise<void> {
  const factory = tf.findBackendFactory(name);
  if (!factory) throw new BackendLoadError(`tfjs backend '${name}' is not registered`);
  if (!wrappedFactories.has(factory)) {
    let lastError: unknown;
    const priority = tf.engine().registryFactory[name]!.priority;
    tf.removeBackend(name);
    const wrapped = async () => {
      try {
        return await factory();
      } catch (err) {
        lastError = err;
        throw err;
      }
    };
    tf.registerBackend(name, wrapped, priority);
    wrappedFactories.add(wrapped);
    const ok = await tf.setBackend(name);
    if (!ok) {
      const msg = (lastError as Error)?.message ?? String(lastError ?? 'initialisation failed');
      tf.removeBackend(name);
      tf.registerBackend(name, factory, priority);
      throw new BackendLoadError(`${name} failed to initialise: ${firstLine(msg)}`);
    }
    return;
  }
  if (!(await tf.setBackend(name))) throw new BackendLoadError(`${name} failed to initialise`);
}

async function loadTensorflow(): Promise<LoadedBackend> {
  const reasons: string[] = [];
  for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
    try {
      const mod = (await import(pkg)) as { version?: { 'tfjs-node'?: string } };
      await activate('tensorflow');
      const gpu = pkg.endsWith('-gpu');
      return {
        tfName: 'tensorflow',
        package: pkg,
        version: mod.version?.['tfjs-node'] ?? tf.version_core,
        device: gpu ? 'GPU via libtensorflow (CUDA)' : `CPU via libtensorflow: ${cpuModel()}`,
        projectKernels: [],
      };
    } catch (err) {
      reasons.push(err instanceof BackendLoadError ? `${pkg}: ${err.message}` : importFailure(pkg, err));
    }
  }
  throw new BackendLoadError(reasons.join('; '));
}

export const loaders: Record<BackendName, (opts: LoadOptions) => Promise<LoadedBackend>> = {
  tensorflow: () => loadTensorflow(),
  webgpu: async (opts) => (await import('./webgpu')).loadWebgpu(opts),
  wasm: async (opts) => (await import('./wasm/load')).loadWasm(opts),
  cpu: async () => {
    const cpu = await import('@tensorflow/tfjs-backend-cpu');
    await activate('cpu');
    return {
      tfName: 'cpu',
      package: '@tensorflow/tfjs-backend-cpu',
      version: cpu.version_cpu,
      device: `CPU, pure JavaScript, 1 thread: ${cpuModel()}`,
      projectKernels: [],
    };
  },
};

export { cpuModel };
