// Waiting on the service's events in tests.
import type { ApiEvents, EventName } from '../../src-main/api/contract';
import type { Service } from '../../src-main/api/service';

/** The first `event` whose payload satisfies `pred`; rejects after `ms`. */
export function waitFor<E extends EventName>(s: Service, event: E, pred: (p: ApiEvents[E]) => boolean, ms = 60_000): Promise<ApiEvents[E]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} within ${ms} ms`)), ms);
    const off = s.onEvents((batch) => {
      for (const e of batch) {
        if (e.event === event && pred(e.payload as ApiEvents[E])) {
          clearTimeout(timer);
          off();
          resolve(e.payload as ApiEvents[E]);
        }
      }
    });
  });
}
