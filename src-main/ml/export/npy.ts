/**
 * NumPy's .npy format, version 1.0 (numpy/lib/format.py): the magic "\x93NUMPY", version bytes
 * 1 0, a little-endian uint16 header length, then a Python dict literal
 * `{'descr': '<f4', 'fortran_order': False, 'shape': (N, D), }` padded with spaces and ended by
 * a newline so that the data starts at a multiple of 64 bytes; then the raw C-order data.
 */

export type NpyDtype = '<f4' | '<i4' | '|u1';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** The preamble (magic, version, header) of an array of `shape`. */
export function npyHeader(dtype: NpyDtype, shape: number[]): Uint8Array {
  const dims = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  const dict = `{'descr': '${dtype}', 'fortran_order': False, 'shape': ${dims}, }`;
  // 6 magic + 2 version + 2 length + dict + padding + '\n' ≡ 0 (mod 64)
  const unpadded = 10 + dict.length + 1;
  const total = Math.ceil(unpadded / 64) * 64;
  const headerLen = total - 10;
  if (headerLen > 0xffff) throw new Error(`npy header of ${headerLen} bytes needs format version 2`);
  const out = new Uint8Array(total);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  out[8] = headerLen & 0xff;
  out[9] = headerLen >> 8;
  const text = dict + ' '.repeat(total - unpadded) + '\n';
  for (let i = 0; i < text.length; i++) out[10 + i] = text.charCodeAt(i);
  return out;
}

/** Little-endian bytes of a typed array (a view, no copy, on little-endian hosts). */
export function littleEndianBytes(a: Float32Array | Int32Array): Uint8Array {
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] === 1) return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const out = new Uint8Array(a.byteLength);
  const view = new DataView(out.buffer);
  for (let i = 0; i < a.length; i++) {
    if (a instanceof Float32Array) view.setFloat32(i * 4, a[i]!, true);
    else view.setInt32(i * 4, a[i]!, true);
  }
  return out;
}

/** A complete .npy file in memory (for small arrays and tests). */
export function encodeNpy(data: Float32Array | Int32Array, shape: number[]): Uint8Array {
  const n = shape.reduce((a, b) => a * b, 1);
  if (n !== data.length) throw new Error(`npy: shape [${shape}] holds ${n} values, the data ${data.length}`);
  const header = npyHeader(data instanceof Float32Array ? '<f4' : '<i4', shape);
  const out = new Uint8Array(header.length + data.byteLength);
  out.set(header, 0);
  out.set(littleEndianBytes(data), header.length);
  return out;
}

/** Parses a v1.0 .npy of '<f4' or '<i4' in C order (to check what we write). */
export function decodeNpy(bytes: Uint8Array): { dtype: NpyDtype; shape: number[]; data: Float32Array | Int32Array } {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) throw new Error('not an .npy file (bad magic)');
  if (bytes[6] !== 1) throw new Error(`npy format version ${bytes[6]}.${bytes[7]} is not supported (1.0)`);
  const headerLen = bytes[8]! | (bytes[9]! << 8);
  const header = new TextDecoder('latin1').decode(bytes.subarray(10, 10 + headerLen));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if ((descr !== '<f4' && descr !== '<i4') || fortran !== 'False' || shapeText === undefined) throw new Error(`unsupported npy header ${header.trim()}`);
  const shape = shapeText.split(',').map((s) => s.trim()).filter((s) => s.length > 0).map(Number);
  const start = 10 + headerLen;
  const body = new Uint8Array(bytes.subarray(start)); // a copy: Buffer.slice would share the file's pool
  const data = descr === '<f4' ? new Float32Array(body.buffer, 0, body.byteLength / 4) : new Int32Array(body.buffer, 0, body.byteLength / 4);
  return { dtype: descr, shape, data };
}
