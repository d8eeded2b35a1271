/**
 * Loads @tensorflow/tfjs-backend-wasm with the project's training kernels, multithreaded under
 * Node when asked.
 *
 * The package disables threads under Node (flag WASM_HAS_MULTITHREAD_SUPPORT is false there) and
 * hands emscripten a Blob URL for the pthread worker, which Node's worker_threads cannot load.
 * Its threaded-SIMD build does support Node (the worker script uses worker_threads), so for
 * threads > 1 the project registers its own 'wasm' factory: the threaded module instantiated with
 * the worker script written to a file and the main script given by path.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { activate, cpuModel, type LoadedBackend, type LoadOptions } from '../loaders';
import { PROJECT_WASM_KERNELS, registerWasmTrainingKernels } from './kernels';

const require = createRequire(import.meta.url);

type Cwrap = (name: string, ret: string | null, args: string[]) => (...a: number[]) => number;
interface Unref {
  unref?: () => void;
}
interface EmModule {
  cwrap: Cwrap;
  tfjs?: Record<string, (...a: number[]) => number>;
}

function wasmOutDir(): string {
  return path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'wasm-out');
}

/** The pthread worker script as a file (content-addressed, so concurrent processes agree). */
function workerScriptPath(dir: string): string {
  const { wasmWorkerContents } = require(path.join(dir, 'tfjs-backend-wasm-threaded-simd.worker.js')) as {
    wasmWorkerContents: string;
  };
  // The exported template literal turned the script's "\n" escapes into real newlines inside
  // string literals; restore them (the package does the same before making its Blob).
  const script = wasmWorkerContents.replace(/\n/g, '\\n');
  const hash = createHash('sha256').update(script).digest('hex').slice(0, 16);
  const file = path.join(os.tmpdir(), `pretext-tfjs-wasm-worker-${hash}.cjs`);
  if (!fs.existsSync(file)) {
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, script);
    fs.renameSync(tmp, file);
  }
  return file;
}

async function threadedFactory(): Promise<tf.KernelBackend> {
  const dir = wasmOutDir();
  const mainScript = path.join(dir, 'tfjs-backend-wasm-threaded-simd.js');
  const factory = require(mainScript) as (cfg: object) => Promise<EmModule>;
  const worker = workerScriptPath(dir);
  // The C++ side caps the pool at emscripten_num_logical_cores() / 2, computed by a static
  // initialiser while the module instantiates; under Node that is os.cpus().length. Report twice
  // the cores while the module instantiates so the requested count is honoured, then restore.
  const realCpus = os.cpus;
  os.cpus = () => {
    const list = realCpus();
    return [...list, ...list];
  };
  let module: EmModule;
  try {
    module = await factory({
      locateFile: (p: string) =>
        p.endsWith('.wasm') ? path.join(dir, 'tfjs-backend-wasm-threaded-simd.wasm') : p.endsWith('.worker.js') ? worker : path.join(dir, p),
      mainScriptUrlOrBlob: mainScript,
    });
  } finally {
    os.cpus = realCpus;
  }
  const c = module.cwrap;
  module.tfjs = {
    init: c('init', null, []),
    initWithThreadsCount: c('init_with_threads_count', null, ['number']),
    getThreadsCount: c('get_threads_count', 'number', []),
    registerTensor: c('register_tensor', null, ['number', 'number', 'number']),
    disposeData: c('dispose_data', null, ['number']),
    dispose: c('dispose', null, []),
  };
  const { BackendWasm } = await import('@tensorflow/tfjs-backend-wasm');
  const backend = new BackendWasm(module as unknown as ConstructorParameters<typeof BackendWasm>[0]);
  // Emscripten keeps its pthread workers ref'd: the process would never exit. The pool lives as
  // long as the process, so let Node exit without waiting for it.
  const pt = (module as { PThread?: { unusedWorkers?: Unref[]; runningWorkers?: Unref[] } }).PThread;
  for (const w of [...(pt?.unusedWorkers ?? []), ...(pt?.runningWorkers ?? [])]) w.unref?.();
  return backend;
}

let threadedInstalled = false;

export async function loadWasm(opts: LoadOptions): Promise<LoadedBackend> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  registerWasmTrainingKernels();
  const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
  const threads = Math.max(1, Math.floor(opts.threads ?? 1));
  // Only before the first initialisation: replacing an initialised backend would drop its tensors.
  // Later calls keep the existing instance; the reported thread count is the actual one.
  const initialised = Boolean(tf.engine().registry['wasm']);
  if (threads > 1 && simd && !threadedInstalled && !initialised) {
    const priority = tf.engine().registryFactory['wasm']?.priority ?? 2;
    tf.removeBackend('wasm');
    tf.registerBackend('wasm', threadedFactory, priority);
    threadedInstalled = true;
  }
  if (!initialised) wasm.setThreadsCount(threads);
  await activate('wasm');
  const actual = wasm.getThreadsCount();
  return {
    tfName: 'wasm',
    package: '@tensorflow/tfjs-backend-wasm',
    version: wasm.version_wasm,
    device: `CPU, WebAssembly (XNNPACK), ${actual} thread${actual === 1 ? '' : 's'}, SIMD ${simd ? 'on' : 'off'}: ${cpuModel()}`,
    threads: actual,
    simd,
    projectKernels: [...PROJECT_WASM_KERNELS],
  };
}
