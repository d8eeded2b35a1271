import { createHash } from 'node:crypto';
import { throwIfAborted } from '../cli/errors';
import type { ProgressSink } from '../cli/progress';
import { forEachPool } from './pool';
import type { Entry } from './types';
import type { WorkerPool } from './worker-pool';

/** sha1 of an entry's source bytes (the encoded file, or the raw pixels), or of its read error. */
export async function hashEntry(e: Entry): Promise<string> {
  try {
    const bytes = e.kind === 'encoded' ? await e.read() : e.pixels();
    return createHash('sha1').update(bytes).digest('hex');
  } catch (err) {
    return createHash('sha1').update(`unreadable:${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`).digest('hex');
  }
}

/** Hashes every entry's source bytes (a cheap pass: reading, no decoding). */
export async function hashEntries(
  entries: Entry[],
  concurrency: number,
  progress: ProgressSink,
  signal?: AbortSignal,
  pool?: WorkerPool,
): Promise<string[]> {
  const out: string[] = new Array(entries.length);
  let done = 0;
  progress.start('reading', entries.length, 'file');
  await forEachPool(
    entries.length,
    concurrency,
    async (i) => {
      const e = entries[i]!;
      if (pool && e.kind === 'encoded') {
        const res = await pool.run(e.path ? { op: 'hash', path: e.path } : { op: 'hash', bytes: await e.read() });
        out[i] = res.hash!;
      } else out[i] = await hashEntry(e);
      progress.update(++done);
    },
    signal,
  );
  throwIfAborted(signal);
  progress.finish();
  return out;
}
