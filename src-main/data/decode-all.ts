import { throwIfAborted } from '../cli/errors';
import type { ProgressSink } from '../cli/progress';
import { DecodeError, decodeImage, decodeRaw, type DecodeOptions } from './decode';
import { fsReason } from './files';
import type { Entry } from './types';
import { PixelWriter } from './writer';

export interface DecodeAllResult {
  /** Indices of the entries decoded, in order: image k of the pixel file is entries[ok[k]]. */
  ok: number[];
  failed: { index: number; reason: string }[];
}

function reasonOf(err: unknown): string {
  if (err instanceof DecodeError) return err.message;
  if ((err as NodeJS.ErrnoException).code) return fsReason(err);
  return (err as Error).message ?? String(err);
}

/**
 * Reads and decodes every entry with `concurrency` images in flight, into a ring of
 * preallocated slots, and appends the successes to `pixelsPath` in entry order. Failures are
 * returned with their reasons; the caller decides what to do with them.
 */
export async function decodeAll(
  entries: Entry[],
  opts: DecodeOptions & { concurrency: number },
  pixelsPath: string,
  progress: ProgressSink,
  signal?: AbortSignal,
): Promise<DecodeAllResult> {
  const bpi = opts.size * opts.size * opts.channels;
  const ring = Math.max(16, opts.concurrency * 16);
  const slots = new Uint8Array(ring * bpi);
  const status: (string | true | undefined)[] = new Array(entries.length);
  const writer = new PixelWriter(pixelsPath, bpi);
  const result: DecodeAllResult = { ok: [], failed: [] };
  let next = 0;
  let cursor = 0;
  let waiters: (() => void)[] = [];

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
    const w = waiters;
    waiters = [];
    for (const f of w) f();
  };

  const worker = async () => {
    for (;;) {
      if (signal?.aborted) return;
      const i = next++;
      if (i >= entries.length) return;
      while (i >= cursor + ring) await new Promise<void>((r) => waiters.push(r));
      const slot = i % ring;
      const out = slots.subarray(slot * bpi, (slot + 1) * bpi);
      const e = entries[i]!;
      try {
        if (e.kind === 'encoded') await decodeImage(await e.read(), opts, out);
        else await decodeRaw(e.pixels(), e.width, e.height, e.channels, opts, out);
        status[i] = true;
      } catch (err) {
        status[i] = reasonOf(err);
      }
      advance();
    }
  };

  progress.start('decoding', entries.length, 'img');
  try {
    await Promise.all(Array.from({ length: Math.max(1, opts.concurrency) }, worker));
  } finally {
    writer.close();
  }
  throwIfAborted(signal);
  progress.finish(result.failed.length > 0 ? `${result.failed.length} failed` : '');
  return result;
}
