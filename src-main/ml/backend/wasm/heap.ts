/**
 * Thin typed access to the internals of @tensorflow/tfjs-backend-wasm that project kernels use:
 * tensor ids and heap offsets, the stock kernels (called directly, no tape), and scratch tensors.
 */
import { getKernel, type KernelBackend, type NamedAttrMap, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

export type WasmBackend = BackendWasm;

/** The emscripten module as the project kernels use it. */
export interface WasmModule {
  HEAPF32: Float32Array;
  cwrap(name: string, ret: null, args: string[]): (...args: number[]) => void;
}

export function moduleOf(backend: WasmBackend): WasmModule {
  return backend.wasm as unknown as WasmModule;
}

/** The id the C++ side knows a tensor by. */
export function idOf(backend: WasmBackend, t: TensorInfo): number {
  return backend.dataIdMap.get(t.dataId)!.id;
}

/** A float32 view of a tensor's data on the wasm heap; invalid after any allocation. */
export function f32(backend: WasmBackend, t: TensorInfo): Float32Array {
  const { memoryOffset, shape } = backend.dataIdMap.get(t.dataId)!;
  let size = 1;
  for (const d of shape) size *= d;
  return new Float32Array(moduleOf(backend).HEAPF32.buffer, memoryOffset, size);
}

/** Runs the stock (package) kernel `name` for the wasm backend, bypassing the tape. */
export function stock(
  name: string,
  backend: WasmBackend,
  inputs: Record<string, TensorInfo>,
  attrs: NamedAttrMap = {},
): TensorInfo {
  const k = stockKernels.get(name) ?? getKernel(name, 'wasm');
  if (!k) throw new Error(`wasm kernel ${name} is not registered`);
  const out = k.kernelFunc({ inputs, backend: backend as unknown as KernelBackend, attrs });
  return Array.isArray(out) ? out[0]! : out;
}

/** Stock kernels that project kernels replace are kept here before being overridden. */
export const stockKernels = new Map<string, NonNullable<ReturnType<typeof getKernel>>>();

export function free(backend: WasmBackend, ...ts: TensorInfo[]): void {
  for (const t of ts) backend.disposeData(t.dataId);
}

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}
