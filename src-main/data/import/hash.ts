import { createHash } from 'node:crypto';
import { throwIfAborted } from '../../core/errors';
import type { ProgressSink } from '../../core/progress';
import { forEachPool } from './pool';
import type { Entry } from '../types';
import type { WorkerPool } from './workerPool';

/** Encoded bytes kept from the hashing pass for the decoding pass, so small sources are read once. */
export const READ_CACHE_BYTES = 256 * 1024 * 1024;

function hashOf(bytes: Uint8Array | string): string {
  return createHash('sha1').update(bytes).digest('hex');
}

function unreadable(err: unknown): string {
  return hashOf(`unreadable:${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
}

export interface Hashed {
  /** sha1 of each entry's source bytes (the encoded file, or the raw pixels), or of its read error. */
  hashes: string[];
  /** Bytes read for the hash, by entry index, while the cache budget lasted; take them with `take`. */
  take(index: number): Buffer | undefined;
}

/** Hashes every entry's source bytes: a cheap pass (reading, no decoding) that gives the dataset its identity. */
export async function hashEntries(
  entries: Entry[],
  concurrency: number,
  progress: ProgressSink,
  signal?: AbortSignal,
  pool?: WorkerPool,
  cacheBytes = READ_CACHE_BYTES,
): Promise<Hashed> {
  const hashes: string[] = new Array(entries.length);
  const cache = new Map<number, Buffer>();
  let budget = cacheBytes;
  let done = 0;
  progress.start('reading', entries.length, 'file');
  await forEachPool(
    entries.length,
    concurrency,
    async (i) => {
      const e = entries[i]!;
      if (e.kind === 'raw') hashes[i] = hashOf(e.pixels());
      else if (pool && e.path) hashes[i] = (await pool.run({ op: 'hash', path: e.path })).hash!;
      else {
        try {
          const bytes = await e.read();
          hashes[i] = hashOf(bytes);
          if (bytes.length <= budget) {
            budget -= bytes.length;
            cache.set(i, bytes);
          }
        } catch (err) {
          hashes[i] = unreadable(err);
        }
      }
      progress.update(++done);
    },
    signal,
  );
  throwIfAborted(signal);
  progress.finish();
  return {
    hashes,
    take: (i) => {
      const b = cache.get(i);
      cache.delete(i);
      return b;
    },
  };
}
