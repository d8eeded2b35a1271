import type { ApiEvents, EventName } from '../../../../src-main/api/contract';
import type { EventBatch } from '../../../../src-main/api/bridge';

type Listener = (payload: never) => void;

/** Event listeners by name; a batch from either wire is dispatched here. */
export class Listeners {
  private readonly byName = new Map<EventName, Set<Listener>>();

  on<E extends EventName>(event: E, listener: (payload: ApiEvents[E]) => void): () => void {
    let set = this.byName.get(event);
    if (!set) this.byName.set(event, (set = new Set()));
    set.add(listener as Listener);
    return () => set.delete(listener as Listener);
  }

  get size(): number {
    let n = 0;
    for (const s of this.byName.values()) n += s.size;
    return n;
  }

  dispatch(batch: EventBatch): void {
    for (const { event, payload } of batch) {
      for (const l of this.byName.get(event) ?? []) {
        try {
          (l as (p: unknown) => void)(payload);
        } catch (err) {
          console.error(`listener of ${event} failed`, err);
        }
      }
    }
  }
}
