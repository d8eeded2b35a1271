import { Worker } from 'node:worker_threads';
import type { WorkerRequest, WorkerResponse } from './decode-worker';

interface Slot {
  worker: Worker;
  inFlight: number;
}

/**
 * Decode worker threads: sharp's per-image JS and native set-up, file reads and the JS
 * resize run beside the main thread instead of on it. Requests go to the least busy worker.
 */
export class WorkerPool {
  private readonly slots: Slot[];
  private readonly pending = new Map<number, { resolve: (r: WorkerResponse) => void; reject: (e: Error) => void; slot: Slot }>();
  private nextId = 0;
  private failure: Error | undefined;

  constructor(readonly size: number) {
    const url = new URL('./decode-worker.mjs', import.meta.url);
    this.slots = Array.from({ length: size }, () => {
      const slot: Slot = { worker: new Worker(url), inFlight: 0 };
      slot.worker.on('message', (res: WorkerResponse) => {
        const p = this.pending.get(res.id);
        if (!p) return;
        this.pending.delete(res.id);
        p.slot.inFlight -= 1;
        p.resolve(res);
      });
      slot.worker.on('error', (err) => this.fail(err));
      slot.worker.on('exit', (code) => {
        if (code !== 0) this.fail(new Error(`decode worker exited with code ${code}`));
      });
      return slot;
    });
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      p.reject(err);
    }
  }

  run(req: Omit<WorkerRequest, 'id'>): Promise<WorkerResponse> {
    if (this.failure) return Promise.reject(this.failure);
    const slot = this.slots.reduce((a, b) => (b.inFlight < a.inFlight ? b : a));
    const id = this.nextId++;
    slot.inFlight += 1;
    // Transfer the bytes; copy first when they share a buffer (Node's Buffer pool) with others.
    let bytes = req.bytes;
    if (bytes && (bytes.byteOffset !== 0 || bytes.byteLength !== bytes.buffer.byteLength)) bytes = new Uint8Array(bytes);
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, slot });
      slot.worker.postMessage({ ...req, bytes, id }, bytes ? [bytes.buffer as ArrayBuffer] : []);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
