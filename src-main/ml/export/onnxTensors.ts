/** Initializer tensors and attributes of the ONNX exporters (onnx.ts, onnxVit.ts). */
import type { WeightValue } from './graph';
import { AttributeType, DataType, type AttributeJson, type TensorJson } from './onnxProto';

export const ints = (name: string, v: number[]): AttributeJson => ({ name, type: AttributeType.INTS, ints: v });
export const int = (name: string, v: number): AttributeJson => ({ name, type: AttributeType.INT, i: v });
export const float = (name: string, v: number): AttributeJson => ({ name, type: AttributeType.FLOAT, f: v });

export function floatTensor(name: string, dims: number[], values: Float32Array): TensorJson {
  return { name, dims, data_type: DataType.FLOAT, raw_data: new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength)) };
}

/** An int64 tensor; dims default to a vector of the values (`[]` for a scalar). */
export function int64Tensor(name: string, values: number[], dims: number[] = [values.length]): TensorJson {
  const data = new BigInt64Array(values.map((v) => BigInt(v)));
  return { name, dims, data_type: DataType.INT64, raw_data: new Uint8Array(data.buffer) };
}

/** tfjs kernel [kh, kw, in, out] → ONNX weight [out, in, kh, kw]. */
export function hwioToOihw(w: WeightValue): Float32Array {
  const [kh, kw, ci, co] = w.shape as [number, number, number, number];
  const out = new Float32Array(w.values.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let i = 0; i < ci; i++)
        for (let o = 0; o < co; o++) out[((o * ci + i) * kh + y) * kw + x] = w.values[((y * kw + x) * ci + i) * co + o]!;
  return out;
}
