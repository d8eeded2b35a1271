/**
 * The preload's domain API (`pretext.datasets.list(req)`, ...) built from the contract's request
 * names, as a pure module so tests check it without Electron. The bridge's own keys are
 * reserved: a request domain of that name would be overwritten by them, so it is refused here.
 */
import type { RequestName } from '../api/contract';

export const BRIDGE_KEYS = ['transport', 'onEvent', 'onMenu', 'shell'] as const;

export type DomainCalls = Record<string, Record<string, (req: unknown) => Promise<unknown>>>;

export function domainApi(names: readonly RequestName[], invoke: (name: RequestName, req: unknown) => Promise<unknown>): DomainCalls {
  const api: DomainCalls = {};
  for (const name of names) {
    const dot = name.indexOf('.');
    const domain = name.slice(0, dot);
    const method = name.slice(dot + 1);
    if (dot <= 0 || !method || method.includes('.')) throw new Error(`request name '${name}' is not 'domain.method'`);
    if ((BRIDGE_KEYS as readonly string[]).includes(domain)) throw new Error(`request domain '${domain}' collides with the bridge's own '${domain}'`);
    (api[domain] ??= {})[method] = (req: unknown) => invoke(name, req);
  }
  return api;
}
