/**
 * What every long-running function takes (import, training, embeddings, maps, exports,
 * evaluations): a cancel signal and a progress sink, both optional. The CLI passes its Ctrl-C
 * signal and terminal bar; the engine passes a job's.
 */
import type { ProgressSink } from './progress';

export interface Control {
  signal?: AbortSignal;
  progress?: ProgressSink;
}

/** Yields to the event loop, so that cancellation and progress get through a long loop. */
export const tick = (): Promise<void> => new Promise<void>((r) => setImmediate(r));
