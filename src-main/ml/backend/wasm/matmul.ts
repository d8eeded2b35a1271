/**
 * BatchMatMul and _FusedMatMul with transposeA/transposeB: the package sends these to a scalar
 * loop; transposing the operand explicitly (XNNPACK transpose) and taking the fast path is
 * several times faster. Without transposes the stock kernel runs unchanged.
 */
import type { NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import { free, stockKernels, type WasmBackend } from './heap';
import { transpose } from './transpose';
import type { KernelBackend } from '@tensorflow/tfjs-core';

function swapLast(backend: WasmBackend, t: TensorInfo): TensorInfo {
  const rank = t.shape.length;
  const perm = [...Array(rank).keys()];
  perm[rank - 2] = rank - 1;
  perm[rank - 1] = rank - 2;
  return transpose({ inputs: { x: t }, backend, attrs: { perm } });
}

function callStock(name: string, backend: WasmBackend, inputs: Record<string, TensorInfo>, attrs: NamedAttrMap) {
  const k = stockKernels.get(name);
  if (!k) throw new Error(`stock wasm kernel ${name} was not saved`);
  const out = k.kernelFunc({ inputs, backend: backend as unknown as KernelBackend, attrs });
  return Array.isArray(out) ? out[0]! : out;
}

function withExplicitTranspose(name: string) {
  return (args: { inputs: Record<string, TensorInfo>; backend: WasmBackend; attrs: NamedAttrMap }): TensorInfo => {
    const { inputs, backend, attrs } = args;
    if (!attrs['transposeA'] && !attrs['transposeB']) return callStock(name, backend, inputs, attrs);
    const temps: TensorInfo[] = [];
    const a = attrs['transposeA'] ? swapLast(backend, inputs['a']!) : inputs['a']!;
    const b = attrs['transposeB'] ? swapLast(backend, inputs['b']!) : inputs['b']!;
    if (a !== inputs['a']) temps.push(a);
    if (b !== inputs['b']) temps.push(b);
    const out = callStock(name, backend, { ...inputs, a, b }, { ...attrs, transposeA: false, transposeB: false });
    free(backend, ...temps);
    return out;
  };
}

export const batchMatMul = withExplicitTranspose('BatchMatMul');
export const fusedMatMul = withExplicitTranspose('_FusedMatMul');
