/**
 * The workspace's array files (cached embeddings, 2-D maps): an 8-byte ASCII magic, a u32
 * header length, a JSON header, then 32-bit arrays back to back. Written atomically (temp
 * file, fsync, rename), so whoever records the file in SQLite afterwards always points at a
 * whole file; read back with every length checked and errors that name the file.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

export type Array32 = Float32Array | Int32Array;
export type ArraySpec = { type: 'f32' | 'i32'; length: number };

const bytesOf = (a: Array32) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/**
 * Writes `parts` back to back to a temp file beside `file`, fsyncs it and renames it over `file`:
 * a reader never sees a half-written file. The folder is created when missing.
 */
export function writeAtomically(file: string, parts: readonly Uint8Array[]): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w');
  try {
    for (const part of parts) writeSync(fd, part);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}

/** The 12-byte prefix (magic, u32 header length) and the JSON header of an array file. */
export function arrayFileHead(magic: string, header: object): [Buffer, Buffer] {
  if (magic.length !== 8) throw new Error(`array file magic must be 8 characters, got '${magic}'`);
  const json = Buffer.from(JSON.stringify(header));
  const prefix = Buffer.alloc(12);
  prefix.write(magic, 0, 'ascii');
  prefix.writeUInt32LE(json.length, 8);
  return [prefix, json];
}

export function writeArrayFile(file: string, magic: string, header: object, arrays: Array32[]): void {
  writeAtomically(file, [...arrayFileHead(magic, header), ...arrays.map(bytesOf)]);
}

/**
 * Reads a file written by writeArrayFile. `layout` turns the header into the arrays it
 * announces; `what` names the kind of file in errors ("embeddings file").
 */
export function readArrayFile<H>(file: string, magic: string, what: string, layout: (header: H) => ArraySpec[]): { header: H; arrays: Array32[] } {
  const buf = readFileSync(file);
  if (buf.length < 12 || buf.toString('ascii', 0, 8) !== magic) throw new Error(`${file}: not a Pretext ${what}`);
  const headerLength = buf.readUInt32LE(8);
  if (12 + headerLength > buf.length) throw new Error(`${file}: truncated header`);
  let header: H;
  try {
    header = JSON.parse(buf.toString('utf8', 12, 12 + headerLength)) as H;
  } catch {
    throw new Error(`${file}: corrupt header`);
  }
  const specs = layout(header);
  let at = 12 + headerLength;
  const expected = at + 4 * specs.reduce((s, a) => s + a.length, 0);
  if (buf.length !== expected) throw new Error(`${file}: expected ${expected} bytes, found ${buf.length}`);
  // Copy into aligned typed arrays (the Buffer's offset need not be a multiple of 4).
  const arrays = specs.map(({ type, length }) => {
    const out = type === 'f32' ? new Float32Array(length) : new Int32Array(length);
    new Uint8Array(out.buffer).set(buf.subarray(at, at + out.byteLength));
    at += out.byteLength;
    return out;
  });
  return { header, arrays };
}
