/**
 * Sum and Mean over leading axes (the per-channel reductions of batch norm and its gradient, the
 * bias gradients): the package transposes the input so the reduced axes are innermost, and its
 * transpose is slow (~20 M elements/s). Reducing [R, C] over R is one sequential pass here, with
 * float64 accumulators. Other cases run stock.
 *
 * Identity and same-dtype Cast: the package copies the data; like the cpu backend, share it
 * (tensors are immutable; the wasm backend reference-counts data ids).
 */
import { util, type NamedAttrMap, type TensorInfo } from '@tensorflow/tfjs-core';
import { f32, stockKernels, type WasmBackend } from './heap';
import type { KernelBackend } from '@tensorflow/tfjs-core';

/** Below this many reduced rows the stock kernel is as fast. */
const MIN_ROWS = 1024;

function callStock(name: string, args: { inputs: Record<string, TensorInfo>; backend: WasmBackend; attrs: NamedAttrMap }): TensorInfo {
  const k = stockKernels.get(name);
  if (!k) throw new Error(`stock wasm kernel ${name} was not saved`);
  const out = k.kernelFunc({ inputs: args.inputs, backend: args.backend as unknown as KernelBackend, attrs: args.attrs });
  return Array.isArray(out) ? out[0]! : out;
}

/** The number of leading axes reduced, or -1 when the axes are not a leading prefix. */
function leadingPrefix(shape: number[], axis: number | number[]): number {
  const axes = util.parseAxisParam(axis, shape).sort((a, b) => a - b);
  for (let i = 0; i < axes.length; i++) if (axes[i] !== i) return -1;
  return axes.length;
}

function reduceLeading(name: 'Sum' | 'Mean') {
  return (args: { inputs: { x: TensorInfo }; backend: WasmBackend; attrs: NamedAttrMap }): TensorInfo => {
    const { inputs: { x }, backend, attrs } = args;
    const shape = x.shape as number[];
    const k = x.dtype === 'float32' ? leadingPrefix(shape, attrs['axis'] as number | number[]) : -1;
    const rows = k > 0 ? util.sizeFromShape(shape.slice(0, k)) : 0;
    if (k <= 0 || rows < MIN_ROWS) return callStock(name, args);
    const inner = shape.slice(k);
    const cols = util.sizeFromShape(inner);
    const out = backend.makeOutput(attrs['keepDims'] ? [...shape.slice(0, k).map(() => 1), ...inner] : inner, 'float32');
    const src = f32(backend, x);
    const dst = f32(backend, out);
    // Row-sequential float64 accumulation: one pass over the data, in memory order.
    const acc = new Float64Array(cols);
    for (let r = 0, o = 0; r < rows; r++, o += cols) {
      for (let c = 0; c < cols; c++) acc[c] += src[o + c]!;
    }
    const scale = name === 'Mean' ? 1 / rows : 1;
    for (let c = 0; c < cols; c++) dst[c] = acc[c]! * scale;
    return out;
  };
}

export const sum = reduceLeading('Sum');
export const mean = reduceLeading('Mean');

export function identity(args: { inputs: { x: TensorInfo }; backend: WasmBackend }): TensorInfo {
  const { inputs: { x }, backend } = args;
  if (x.dtype === 'string') return callStock('Identity', { ...args, attrs: {} });
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

export function cast(args: { inputs: { x: TensorInfo }; backend: WasmBackend; attrs: NamedAttrMap }): TensorInfo {
  const { inputs: { x }, attrs } = args;
  if (attrs['dtype'] === x.dtype && x.dtype !== 'string') return identity(args);
  return callStock('Cast', args);
}
