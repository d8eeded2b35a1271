/**
 * Checkpoints: every network's weights (batch-norm statistics included), the method's buffers
 * (MoCo's queues), the optimiser's state and the loop's counters, in one file written
 * atomically (temp file, fsync, rename). Layout: 8-byte magic, u32 header length, JSON header
 * (tensor names, shapes, offsets; meta), then float32 data.
 *
 * Names are stable across processes: `net/<network>/<i>` for the i-th weight of a network,
 * `buf/<name>` for buffers, `opt/<i>/<slot>` for the optimiser state of the i-th trainable
 * variable (tfjs variable names depend on how many models a process built before).
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import type { SslModel } from '../methods';
import type { Optimizer, OptimizerState } from './optimizers';

const MAGIC = 'PRTXCKP1';

export interface CheckpointMeta {
  epoch: number;
  step: number;
  trainSeconds: number;
  [key: string]: unknown;
}

interface Entry {
  name: string;
  shape: number[];
  offset: number;
  length: number;
}

interface Header {
  meta: CheckpointMeta;
  optimizer: { name: OptimizerState['name']; step: number };
  entries: Entry[];
}

export async function saveCheckpoint(path: string, model: SslModel, optimizer: Optimizer | null, meta: CheckpointMeta): Promise<void> {
  const tensors: [string, number[], Float32Array][] = [];
  for (const [net, m] of Object.entries(model.networks())) {
    for (const [i, w] of m.weights.entries()) tensors.push([`net/${net}/${i}`, w.shape as number[], (await w.read().data()) as Float32Array]);
  }
  for (const [name, b] of Object.entries(model.buffers())) tensors.push([`buf/${name}`, b.shape, (await b.data()) as Float32Array]);
  let optimizerHeader: Header['optimizer'] = { name: 'sgd', step: 0 };
  if (optimizer) {
    const state = await optimizer.getState();
    optimizerHeader = { name: state.name, step: state.step };
    const index = new Map(model.trainable().map((v, i) => [v.name, i]));
    for (const [key, b] of Object.entries(state.buffers)) {
      const slash = key.lastIndexOf('/');
      const i = index.get(key.slice(0, slash));
      if (i === undefined) throw new Error(`checkpoint: optimizer state for a variable the model does not train (${key})`);
      tensors.push([`opt/${i}/${key.slice(slash + 1)}`, b.shape, Float32Array.from(b.values)]);
    }
  }
  writeCheckpointFile(path, tensors, meta, optimizerHeader);
}

/**
 * A checkpoint file of named tensors (the layout above), written atomically: what saveCheckpoint
 * writes, and what an import of weights trained elsewhere writes without an optimiser state.
 */
export function writeCheckpointFile(path: string, tensors: [string, number[], Float32Array][], meta: CheckpointMeta, optimizerHeader: Header['optimizer'] = { name: 'sgd', step: 0 }): void {
  let offset = 0;
  const entries: Entry[] = tensors.map(([name, shape, data]) => {
    const e = { name, shape, offset, length: data.length };
    offset += data.length * 4;
    return e;
  });
  const header = Buffer.from(JSON.stringify({ meta, optimizer: optimizerHeader, entries } satisfies Header));
  const prefix = Buffer.alloc(12);
  prefix.write(MAGIC, 0, 'ascii');
  prefix.writeUInt32LE(header.length, 8);
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, prefix);
    writeSync(fd, header);
    for (const [, , data] of tensors) writeSync(fd, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

export interface LoadedCheckpoint {
  meta: CheckpointMeta;
  optimizer: Header['optimizer'];
  tensors: Map<string, { shape: number[]; values: Float32Array }>;
}

export function readCheckpoint(path: string): LoadedCheckpoint {
  const buf = readFileSync(path);
  if (buf.length < 12 || buf.toString('ascii', 0, 8) !== MAGIC) throw new Error(`${path}: not a Pretext checkpoint`);
  const headerLength = buf.readUInt32LE(8);
  const header = JSON.parse(buf.toString('utf8', 12, 12 + headerLength)) as Header;
  const dataStart = 12 + headerLength;
  const tensors = new Map<string, { shape: number[]; values: Float32Array }>();
  for (const e of header.entries) {
    const start = dataStart + e.offset;
    if (start + e.length * 4 > buf.length) throw new Error(`${path}: truncated checkpoint (tensor ${e.name})`);
    const values = new Float32Array(e.length);
    new Uint8Array(values.buffer).set(buf.subarray(start, start + e.length * 4));
    tensors.set(e.name, { shape: e.shape, values });
  }
  return { meta: header.meta, optimizer: header.optimizer, tensors };
}

/** Loads a checkpoint's tensors into the model (and optimiser); shapes must match. */
export function restoreCheckpoint(ckpt: LoadedCheckpoint, model: SslModel, optimizer: Optimizer | null): void {
  const take = (name: string, shape: number[]) => {
    const t = ckpt.tensors.get(name);
    if (!t) throw new Error(`checkpoint has no tensor ${name}`);
    if (!tf.util.arraysEqual(t.shape, shape)) throw new Error(`checkpoint tensor ${name} has shape [${t.shape}], the model [${shape}]`);
    return t.values;
  };
  for (const [net, m] of Object.entries(model.networks())) {
    const values = m.weights.map((w, i) => tf.tensor(take(`net/${net}/${i}`, w.shape as number[]), w.shape as number[]));
    m.setWeights(values);
    tf.dispose(values);
  }
  for (const [name, b] of Object.entries(model.buffers())) {
    tf.tidy(() => b.assign(tf.tensor(take(`buf/${name}`, b.shape), b.shape)));
  }
  if (optimizer) {
    const vars = model.trainable();
    const buffers: OptimizerState['buffers'] = {};
    for (const [name, t] of ckpt.tensors) {
      const m = /^opt\/(\d+)\/(.+)$/.exec(name);
      if (!m) continue;
      const v = vars[Number(m[1])];
      if (!v) throw new Error(`checkpoint: optimizer state for variable #${m[1]} the model lacks`);
      buffers[`${v.name}/${m[2]}`] = { shape: t.shape, values: t.values };
    }
    optimizer.setState({ name: ckpt.optimizer.name, step: ckpt.optimizer.step, buffers });
  }
}
