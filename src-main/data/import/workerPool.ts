import { Worker } from 'node:worker_threads';
import type { WorkerRequest, WorkerResponse } from './decodeWorker';

interface Slot {
  worker: Worker;
  inFlight: number;
}

const START_TIMEOUT_MS = 30_000;

/** A worker thread died mid-import (crash, out of memory): the import stops, unlike a bad image. */
export class WorkerCrash extends Error {
  override name = 'WorkerCrash';
}

/** Starts one worker and resolves once it has loaded (it posts { ready: true }). */
function startWorker(url: URL): Promise<Worker> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(url);
    const done = () => {
      clearTimeout(timer);
      worker.off('error', fail);
      worker.off('exit', onExit);
      worker.off('message', onMessage);
    };
    const fail = (err: Error) => {
      done();
      void worker.terminate();
      reject(err);
    };
    const onExit = (code: number) => fail(new Error(`decode worker exited with code ${code} while starting`));
    const onMessage = (m: { ready?: boolean }) => {
      if (!m.ready) return fail(new Error('decode worker sent no ready message'));
      done();
      resolve(worker);
    };
    const timer = setTimeout(() => fail(new Error(`decode worker did not start within ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
    worker.on('error', fail);
    worker.on('exit', onExit);
    worker.on('message', onMessage);
  });
}

/**
 * Decode worker threads: sharp's per-image JS and native set-up, file reads, our PNG decoder
 * and the JS resize run beside the main thread instead of on it. Requests go to the least
 * busy worker.
 */
export class WorkerPool {
  private readonly pending = new Map<number, { resolve: (r: WorkerResponse) => void; reject: (e: Error) => void; slot: Slot }>();
  private nextId = 0;
  private failure: WorkerCrash | undefined;

  private constructor(private readonly slots: Slot[]) {
    for (const slot of slots) {
      slot.worker.on('message', (res: WorkerResponse) => {
        const p = this.pending.get(res.id);
        if (!p) return;
        this.pending.delete(res.id);
        p.slot.inFlight -= 1;
        p.resolve(res);
      });
      slot.worker.on('error', (err) => this.fail(new WorkerCrash(`decode worker failed: ${err.message}`)));
      slot.worker.on('exit', (code) => {
        if (code !== 0) this.fail(new WorkerCrash(`decode worker exited with code ${code}`));
      });
    }
  }

  get size(): number {
    return this.slots.length;
  }

  /**
   * Starts `size` workers; rejects (having stopped any that started) when one cannot load,
   * e.g. in a bundle that does not ship decodeWorker.mjs, so the caller can decode in-process.
   */
  static async start(size: number, url = new URL('./decodeWorker.mjs', import.meta.url)): Promise<WorkerPool> {
    const started = await Promise.allSettled(Array.from({ length: size }, () => startWorker(url)));
    const workers = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw failed.reason as Error;
    }
    return new WorkerPool(workers.map((worker) => ({ worker, inFlight: 0 })));
  }

  private fail(err: WorkerCrash): void {
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
    this.failure ??= new WorkerCrash('the decode workers were closed');
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
