import { throwIfAborted } from '../../core/errors';
import type { ProgressSink } from '../../core/progress';
import { DecodeError, decodeImage, decodeRaw, failureReason, type DecodeOptions } from '../formats/decode';
import type { Entry } from '../types';
import { WorkerCrash, type WorkerPool } from './workerPool';
import { PixelWriter } from './writer';

export interface DecodeAllResult {
  /** Indices of the entries decoded, in order: image k of the pixel file is entries[ok[k]]. */
  ok: number[];
  failed: { index: number; reason: string }[];
}

/**
 * Reads (or takes from `cached`) and decodes every entry with `concurrency` images in flight, into a ring of
 * preallocated slots, and appends the successes to `pixelsPath` in entry order. Failures are
 * returned with their reasons; the caller decides what to do with them.
 */
export async function decodeAll(
  entries: Entry[],
  opts: DecodeOptions & { concurrency: number },
  pixelsPath: string,
  progress: ProgressSink,
  signal?: AbortSignal,
  pool?: WorkerPool,
  cached: (index: number) => Buffer | undefined = () => undefined,
): Promise<DecodeAllResult> {
  const bpi = opts.size * opts.size * opts.channels;
  const inFlight = opts.concurrency * (pool ? pool.size : 1);
  const ring = Math.max(16, inFlight * 16);
  const slots = new Uint8Array(ring * bpi);
  const status: (string | true | undefined)[] = new Array(entries.length);
  const writer = new PixelWriter(pixelsPath, bpi);
  const result: DecodeAllResult = { ok: [], failed: [] };
  let next = 0;
  let cursor = 0;
  let waiters: (() => void)[] = [];
  let fatal: Error | undefined;
  const wake = () => {
    const w = waiters;
    waiters = [];
    for (const f of w) f();
  };

  const advance = () => {
    while (cursor < entries.length && status[cursor] !== undefined) {
      const s = status[cursor]!;
      if (s === true) {
        const slot = cursor % ring;
        writer.append(slots.subarray(slot * bpi, (slot + 1) * bpi));
        result.ok.push(cursor);
      } else result.failed.push({ index: cursor, reason: s });
      status[cursor] = undefined;
      cursor += 1;
    }
    progress.update(cursor, result.failed.length > 0 ? `${result.failed.length} failed` : '');
    wake();
  };

  const worker = async () => {
    for (;;) {
      if (signal?.aborted || fatal) return;
      const i = next++;
      if (i >= entries.length) return;
      while (i >= cursor + ring && !fatal) await new Promise<void>((r) => waiters.push(r));
      if (fatal) return;
      const slot = i % ring;
      const out = slots.subarray(slot * bpi, (slot + 1) * bpi);
      const e = entries[i]!;
      try {
        if (e.kind === 'encoded' && pool) {
          const { size, channels, maxPixels } = opts;
          const job = { op: 'decode' as const, opts: { size, channels, maxPixels } };
          const bytes = cached(i);
          const res = await pool.run(bytes || !e.path ? { ...job, bytes: bytes ?? (await e.read()) } : { ...job, path: e.path });
          if (res.error !== undefined) throw new DecodeError(res.error);
          out.set(res.pixels!);
        } else if (e.kind === 'encoded') await decodeImage(cached(i) ?? (await e.read()), opts, out);
        else await decodeRaw(e.pixels(), e.width, e.height, e.channels, opts, out);
        status[i] = true;
      } catch (err) {
        if (err instanceof WorkerCrash) {
          fatal = err;
          wake();
          return;
        }
        status[i] = failureReason(err);
      }
      advance();
    }
  };

  progress.start('decoding', entries.length, 'img');
  try {
    await Promise.all(Array.from({ length: Math.max(1, inFlight) }, worker));
  } finally {
    writer.close();
  }
  if (fatal) throw fatal;
  throwIfAborted(signal);
  progress.finish(result.failed.length > 0 ? `${result.failed.length} failed` : '');
  return result;
}
