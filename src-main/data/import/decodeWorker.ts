import { createHash } from 'node:crypto';
import { parentPort } from 'node:worker_threads';
import { decodeImage, failureReason, type DecodeOptions } from '../formats/decode';
import { readImageFileSync } from '../formats/files';

/** A job for a decode worker: the image is a file path (read here) or bytes (transferred). */
export interface WorkerRequest {
  id: number;
  op: 'hash' | 'decode';
  path?: string;
  bytes?: Uint8Array;
  opts?: DecodeOptions;
}

export interface WorkerResponse {
  id: number;
  hash?: string;
  pixels?: Uint8Array;
  error?: string;
}

function bytesOf(req: WorkerRequest): Buffer {
  if (req.bytes) return Buffer.from(req.bytes.buffer, req.bytes.byteOffset, req.bytes.byteLength);
  return readImageFileSync(req.path!);
}

async function handle(req: WorkerRequest): Promise<WorkerResponse> {
  try {
    const bytes = bytesOf(req);
    if (req.op === 'hash') return { id: req.id, hash: createHash('sha1').update(bytes).digest('hex') };
    const o = req.opts!;
    const pixels = new Uint8Array(o.size * o.size * o.channels);
    await decodeImage(bytes, o, pixels);
    return { id: req.id, pixels };
  } catch (err) {
    if (req.op === 'hash') {
      const what = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      return { id: req.id, hash: createHash('sha1').update(`unreadable:${what}`).digest('hex') };
    }
    return { id: req.id, error: failureReason(err) };
  }
}

parentPort?.on('message', (req: WorkerRequest) => {
  void handle(req).then((res) => parentPort!.postMessage(res, res.pixels ? [res.pixels.buffer as ArrayBuffer] : []));
});
parentPort?.postMessage({ ready: true });
