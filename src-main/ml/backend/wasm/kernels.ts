/**
 * Registers the project's training kernels for the wasm backend, replacing or adding:
 * Conv2DBackpropFilter (missing), Conv2DBackpropInput (scalar loop in the package),
 * BatchMatMul and _FusedMatMul with transposes (scalar path in the package), Transpose (slow
 * C++ loop), Sum/Mean over leading axes (transpose + reduce in the package), Identity and
 * same-dtype Cast (copies in the package).
 * The stock kernels stay reachable through `stockKernels` for the fast paths they do have.
 */
import { getKernel, registerKernel, unregisterKernel, type KernelConfig, type KernelFunc } from '@tensorflow/tfjs-core';
import { conv2DBackpropFilter, conv2DBackpropInput } from './conv';
import { batchMatMul, fusedMatMul } from './matmul';
import { cast, identity, mean, sum } from './reduce';
import { transpose } from './transpose';
import { stockKernels } from './heap';

/** Names of the kernels the project registers for wasm (for doctor and tests). */
export const PROJECT_WASM_KERNELS = [
  'Conv2DBackpropFilter',
  'Conv2DBackpropInput',
  'BatchMatMul',
  '_FusedMatMul',
  'Transpose',
  'Sum',
  'Mean',
  'Identity',
  'Cast',
] as const;

const impls: Record<(typeof PROJECT_WASM_KERNELS)[number], unknown> = {
  Conv2DBackpropFilter: conv2DBackpropFilter,
  Conv2DBackpropInput: conv2DBackpropInput,
  BatchMatMul: batchMatMul,
  _FusedMatMul: fusedMatMul,
  Transpose: transpose,
  Sum: sum,
  Mean: mean,
  Identity: identity,
  Cast: cast,
};

let installed = false;

/** Idempotent; call before or after the wasm backend is initialised (no setup functions). */
export function registerWasmTrainingKernels(): void {
  if (installed) return;
  for (const name of PROJECT_WASM_KERNELS) {
    const existing = getKernel(name, 'wasm');
    if (existing) {
      stockKernels.set(name, existing);
      unregisterKernel(name, 'wasm');
    }
    // The stock setup (cwrap of the C++ function) must still run when the backend initialises.
    const config: KernelConfig = {
      kernelName: name,
      backendName: 'wasm',
      kernelFunc: impls[name] as KernelFunc,
      ...(existing?.setupFunc ? { setupFunc: existing.setupFunc } : {}),
    };
    registerKernel(config);
  }
  for (const name of ['Slice']) {
    const k = getKernel(name, 'wasm');
    if (k) stockKernels.set(name, k);
  }
  installed = true;
}
