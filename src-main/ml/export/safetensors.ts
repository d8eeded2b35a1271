/**
 * The safetensors format (huggingface/safetensors, docs "Format"): an unsigned 64-bit
 * little-endian header length N, N bytes of UTF-8 JSON {name: {dtype, shape, data_offsets:
 * [begin, end]}, "__metadata__"?: {string: string}}, then the byte buffer the offsets index
 * (relative to its start). Only F32 tensors are read and written here (what the exported
 * recipe writes). The reader checks what the format requires: the header inside the file,
 * offsets that cover the buffer exactly without overlap, byte lengths equal to the shape's
 * element count × 4; errors name the file and the reason.
 */

export interface SafeTensor {
  shape: number[];
  values: Float32Array;
}

export interface SafeTensors {
  tensors: Map<string, SafeTensor>;
  metadata: Record<string, string>;
}

interface Entry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

export function parseSafetensors(bytes: Uint8Array, file: string): SafeTensors {
  const bad = (why: string) => new Error(`${file}: not a valid safetensors file: ${why}`);
  if (bytes.length < 8) throw bad(`${bytes.length} bytes, shorter than the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(view.getBigUint64(0, true));
  if (n > bytes.length - 8) throw bad(`header length ${n} runs past the end of the file (${bytes.length} bytes)`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n))) as Record<string, unknown>;
  } catch (err) {
    throw bad(`header is not JSON (${(err as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw bad('header is not a JSON object');
  const start = 8 + n;
  const size = bytes.length - start;
  const tensors = new Map<string, SafeTensor>();
  const spans: [number, number, string][] = [];
  for (const [name, raw] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const e = raw as Entry;
    if (!e || !Array.isArray(e.shape) || !Array.isArray(e.data_offsets) || e.data_offsets.length !== 2) throw bad(`tensor '${name}' lacks shape or data_offsets`);
    if (e.dtype !== 'F32') throw bad(`tensor '${name}' has dtype ${e.dtype}; only F32 is read`);
    const [a, b] = e.data_offsets;
    const count = e.shape.reduce((p, d) => p * d, 1);
    if (!Number.isInteger(a) || !Number.isInteger(b) || a < 0 || b < a || b > size) throw bad(`tensor '${name}' has data_offsets [${a}, ${b}] outside the ${size}-byte buffer`);
    if (b - a !== count * 4) throw bad(`tensor '${name}' of shape [${e.shape}] needs ${count * 4} bytes, its data_offsets [${a}, ${b}] span ${b - a}`);
    spans.push([a, b, name]);
    const values = new Float32Array(count);
    new Uint8Array(values.buffer).set(bytes.subarray(start + a, start + b));
    tensors.set(name, { shape: e.shape, values });
  }
  spans.sort((x, y) => x[0] - y[0]);
  let end = 0;
  for (const [a, b, name] of spans) {
    if (a !== end) throw bad(`tensor '${name}' starts at byte ${a}, expected ${end} (offsets overlap or leave a gap)`);
    end = b;
  }
  if (end !== size) throw bad(`the tensors cover ${end} of the buffer's ${size} bytes`);
  const meta = (header['__metadata__'] ?? {}) as Record<string, string>;
  return { tensors, metadata: meta };
}

/** A safetensors file of F32 tensors (header padded with spaces to a multiple of 8). */
export function encodeSafetensors(tensors: [string, SafeTensor][], metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const [name, t] of tensors) {
    header[name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + t.values.byteLength] };
    offset += t.values.byteLength;
  }
  const raw = new TextEncoder().encode(JSON.stringify(header));
  const head = new Uint8Array(raw.length + ((8 - (raw.length % 8)) % 8)).fill(0x20);
  head.set(raw);
  const out = new Uint8Array(8 + head.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  let at = 8 + head.length;
  for (const [, t] of tensors) {
    out.set(new Uint8Array(t.values.buffer, t.values.byteOffset, t.values.byteLength), at);
    at += t.values.byteLength;
  }
  return out;
}
